#!/usr/bin/env bash
# Installs what is missing, builds, and runs the server on ./data. When ./data holds no ledger
# yet, it is first filled with the demo dataset and a demo token file (tokens in clear in
# ./data/tokens.clear).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
data="${CLAS_DATA:-./data}"
if [ ! -e "$data/CURRENT" ] && [ -x build/tools/demo/clas-demo ]; then
  build/tools/demo/clas-demo --data "$data"
fi
exec build/server/clas-ledgerd --data "$data" --tokens "$data/tokens" --demo_tokens "$@"
