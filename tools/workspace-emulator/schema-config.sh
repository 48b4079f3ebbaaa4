#!/usr/bin/env bash
# schema-config.sh — an emulator configuration whose stream declarations are
# gd2sentinel's own schemas, so the emulator checks exactly what gd2sentinel emits.
#
# Usage: tools/workspace-emulator/schema-config.sh OUTDIR [GD2SENTINEL]
#        (default GD2SENTINEL: build/dev/src/gd2sentinel)
#
# Writes OUTDIR/native.schema.json and OUTDIR/legacy.schema.json
# (`gd2sentinel schema --name native|legacy --format json`) and OUTDIR/emulator.json,
# a copy of config/guardduty-from-schema.json whose "columns_from" entries name them:
#   stream Custom-GuardDutyFinding → Microsoft-AWSGuardDuty   (native)
#   stream Custom-GuardDutyLegacy  → Custom-AWSGuardDuty_CL   (legacy)
# Prints the path of the configuration.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: schema-config.sh OUTDIR [GD2SENTINEL]}
gd2s=${2:-$here/../../build/dev/src/gd2sentinel}
[[ -x "$gd2s" ]] || { echo "schema-config: $gd2s is not an executable gd2sentinel" >&2; exit 1; }
mkdir -p "$out"
"$gd2s" schema --name native --format json > "$out/native.schema.json"
"$gd2s" schema --name legacy --format json > "$out/legacy.schema.json"
cp "$here/config/guardduty-from-schema.json" "$out/emulator.json"
echo "$out/emulator.json"
