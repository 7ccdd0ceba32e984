#!/usr/bin/env bash
# Native AOT publishing (tests/NnGen.Shipping.Tests/AotPublishTests.cs, docs/shipping.md) links with clang and zlib;
# the test runs the published binary on an emulated AVX2-only CPU with qemu-x86_64 (qemu-user).
set -euo pipefail
missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
command -v qemu-x86_64 >/dev/null 2>&1 || missing+=(qemu-user)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} for Native AOT"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
