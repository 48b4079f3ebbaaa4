#!/usr/bin/env bash
# Runs one libFuzzer target for a fixed time: run.sh BINARY SECONDS WORKDIR SEED...
# A seed that is a folder is read in place (libFuzzer reads it recursively and never writes
# there); a seed file is copied into WORKDIR/corpus, where the fuzzer also keeps what it finds.
# A missing seed is skipped with a note (../shared/testdata is absent outside CI). Crashes are
# written to WORKDIR/artifacts and fail the run.
set -euo pipefail
binary=$1 seconds=$2 work=$3
shift 3
mkdir -p "$work/corpus" "$work/artifacts"
dirs=()
for seed in "$@"; do
  if [[ -d $seed ]]; then
    dirs+=("$seed")
  elif [[ -f $seed ]]; then
    cp "$seed" "$work/corpus/"
  else
    echo "note: seed $seed is absent; fuzzing without it"
  fi
done
exec "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" "${dirs[@]}"
