#!/usr/bin/env bash
# The S3-layout examples are generated from examples/src by tools/make-examples.sh; regenerate
# them into a temporary folder and require byte-identical files.
set -euo pipefail
root=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$root/tools/make-examples.sh" "$tmp" >/dev/null
diff -r "$root/examples/AWSLogs" "$tmp/AWSLogs"
echo "examples/AWSLogs matches examples/src"
