#!/usr/bin/env bash
# Native AOT publishing (tests/NnGen.Shipping.Tests/AotPublishTests.cs, docs/shipping.md) links with clang and zlib.
set -euo pipefail
missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} for Native AOT"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
