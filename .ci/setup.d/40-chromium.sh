#!/usr/bin/env bash
# Headless Chromium for tests/NnGen.Reports.Tests, which renders each training report the way a person would open it.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

echo "installing Debian's chromium (headless rendering of the training reports)"
export DEBIAN_FRONTEND=noninteractive
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
