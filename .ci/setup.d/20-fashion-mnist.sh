#!/usr/bin/env bash
# Fashion-MNIST for the data-loader and multi-class training tests (Debian's dataset-fashion-mnist).
set -euo pipefail
if ! dpkg -s dataset-fashion-mnist >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
fi
