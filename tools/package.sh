#!/usr/bin/env bash
# Builds the Debian package clas-ledger in ./build (tools/build.sh: clas-ledgerd, clasctl, the
# manual pages) and prints the path of clas-ledger_<version>_<arch>.deb.
#   tools/package.sh && sudo apt install ./build/clas-ledger_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh clas_ledgerd clasctl clas_man_pages >&2
cd build
cpack -G DEB >&2
deb=$(ls -t clas-ledger_*.deb | head -n 1)
echo "$PWD/$deb"
