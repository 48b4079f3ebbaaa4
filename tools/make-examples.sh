#!/usr/bin/env bash
# make-examples.sh — build the GuardDuty S3-export tree from examples/src/*.json.
#
# Usage: tools/make-examples.sh [OUTDIR]        (default OUTDIR: examples/)
#
# Reads every examples/src/*.json (one pretty-printed finding per file) and writes
#   OUTDIR/AWSLogs/<accountId>/GuardDuty/<region>/<YYYY>/<MM>/<DD>/<uuid>.jsonl.gz
# the layout GuardDuty's findings export uses. Findings are grouped by
# (accountId, region, UTC date of updatedAt): one object per group, one finding
# per line, lines ordered by source file name, every line ending with "\n".
#
# Deterministic: the object name is a UUID derived from the MD5 of the group key
# (version nibble 3 and RFC 4122 variant, like the names GuardDuty writes), and
# gzip runs with -n (no name, no timestamp) so reruns give byte-identical files.
# Stale *.jsonl.gz files under OUTDIR/AWSLogs are deleted first.
#
# Lines are the source JSON with insignificant whitespace removed; number
# literals are kept exactly as written (e.g. "startTime": 1.7727595253771338E9).
# `jq -c` would rewrite them (and differently in jq 1.6 and 1.7), which would
# lose the scientific-notation case the examples exist to exercise. jq is used
# to validate every file and to check that each line equals its source.
#
# Needs: bash >= 4, jq, gzip, coreutils.
set -euo pipefail
export LC_ALL=C

die() { printf 'make-examples: %s\n' "$*" >&2; exit 1; }

for cmd in jq gzip md5sum; do
    command -v "$cmd" >/dev/null 2>&1 || die "required command not found: $cmd"
done

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd -- "$script_dir/.." && pwd)
src_dir="$repo_dir/examples/src"
out_dir=${1:-"$repo_dir/examples"}
out_dir=${out_dir%/}

[[ -d $src_dir ]] || die "source directory not found: $src_dir"
mkdir -p -- "$out_dir"

shopt -s nullglob globstar

# Minify one JSON document: drop whitespace outside string literals, keep every
# other byte (number literals, escapes, key order) as written.
minify() {
    local s out='' tok line
    local re='^([^"[:space:]]*)([[:space:]]+|"([^"\\]|\\.)*")(.*)$'
    while IFS= read -r line || [[ -n $line ]]; do
        s=$line
        while [[ $s =~ $re ]]; do
            out+=${BASH_REMATCH[1]}
            tok=${BASH_REMATCH[2]}
            [[ $tok == \"* ]] && out+=$tok
            s=${BASH_REMATCH[4]}
        done
        out+=$s
    done < "$1"
    printf '%s' "$out"
}

# 8-4-4-4-12 lowercase hex from the MD5 of the group key (UUID version 3 layout).
key_uuid() {
    local h variant
    h=$(printf '%s' "$1" | md5sum)
    h=${h%% *}
    variant=$(( (16#${h:16:1} & 3) | 8 ))
    printf '%s-%s-3%s-%x%s-%s\n' "${h:0:8}" "${h:8:4}" "${h:13:3}" "$variant" "${h:17:3}" "${h:20:12}"
}

src_files=("$src_dir"/*.json)
(( ${#src_files[@]} > 0 )) || die "no findings in $src_dir"

declare -A group_lines=()
declare -A group_path=()
declare -A seen_version=()
groups=()

for f in "${src_files[@]}"; do
    name=${f##*/}
    meta=$(jq -er '
        if type != "object" then error("not a JSON object") else . end
        | [.accountId, .region, .updatedAt, .id]
        | if all(type == "string") then @tsv else error("accountId/region/updatedAt/id missing") end
    ' "$f") || die "$name: invalid finding"
    IFS=$'\t' read -r account region updated fid <<< "$meta"

    [[ $account =~ ^[0-9]{12}$ ]] || die "$name: bad accountId '$account'"
    [[ $region =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] || die "$name: bad region '$region'"
    [[ $updated =~ ^([0-9]{4})-([0-9]{2})-([0-9]{2})T[0-9:.]+Z$ ]] \
        || die "$name: updatedAt '$updated' is not ISO-8601 UTC (…Z)"
    yyyy=${BASH_REMATCH[1]} mm=${BASH_REMATCH[2]} dd=${BASH_REMATCH[3]}

    version_key="$fid|$updated"
    [[ -z ${seen_version[$version_key]:-} ]] \
        || die "$name: same id and updatedAt as ${seen_version[$version_key]}"
    seen_version[$version_key]=$name

    line=$(minify "$f")
    [[ $line == *$'\n'* ]] && die "$name: minified line contains a newline"
    # The line must be the same JSON value as the source file.
    [[ $(jq -cS . <<< "$line") == "$(jq -cS . "$f")" ]] \
        || die "$name: minified line differs from source"

    key="$account/$region/$yyyy/$mm/$dd"
    if [[ -z ${group_path[$key]:-} ]]; then
        group_path[$key]="AWSLogs/$account/GuardDuty/$region/$yyyy/$mm/$dd/$(key_uuid "$key").jsonl.gz"
        groups+=("$key")
    fi
    group_lines[$key]+="$line"$'\n'
done

# Remove stale objects (and folders left empty) before writing.
for old in "$out_dir"/AWSLogs/**/*.jsonl.gz; do
    rm -f -- "$old"
done
if [[ -d $out_dir/AWSLogs ]]; then
    dirs=("$out_dir"/AWSLogs/**/)
    for (( i = ${#dirs[@]} - 1; i >= 0; i-- )); do
        rmdir --ignore-fail-on-non-empty -- "${dirs[i]}"
    done
fi

mapfile -t sorted_groups < <(printf '%s\n' "${groups[@]}" | sort)
total=0
for key in "${sorted_groups[@]}"; do
    rel=${group_path[$key]}
    dest="$out_dir/$rel"
    mkdir -p -- "${dest%/*}"
    printf '%s' "${group_lines[$key]}" | gzip -n -9 > "$dest.tmp"
    mv -f -- "$dest.tmp" "$dest"
    n=$(printf '%s' "${group_lines[$key]}" | wc -l)
    total=$(( total + n ))
    printf '%s  (%d finding%s)\n' "$rel" "$n" "$([[ $n == 1 ]] || printf s)"
done
printf 'make-examples: %d findings in %d objects under %s/AWSLogs\n' "$total" "${#groups[@]}" "$out_dir"
