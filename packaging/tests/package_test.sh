#!/usr/bin/env bash
# The Debian package as an administrator meets it (ctest -L package; docs/deploy.md, "Debian
# package"):
#   1. cpack builds it from the build tree given (the one ctest runs in);
#   2. lintian reports no error or warning that the package does not override;
#   3. its control data: Depends names the package of every shared library the binary needs
#      (dpkg-shlibdeps) and ca-certificates, conffiles lists the config, no state folder ships;
#   4. the maintainer scripts' decisions with systemd running (stand-ins for systemctl and
#      deb-systemd-*): never enable or start on installation, try-restart after an upgrade, stop
#      on removal;
#   5. dpkg installs it, maintainer scripts and all, into a scratch root (--root with
#      --force-script-chrootless: the scripts run with DPKG_ROOT set and touch only that root; its
#      database holds this machine's records of the packages Depends names, so dpkg checks Depends
#      against Debian 12's); then the files, owners and modes (config 0600), the conffile, the
#      man page, `gd2sentinel --version` and `systemd-analyze verify` of the installed unit;
#   6. the unit is not enabled; enabled by the administrator it stays so over an upgrade, which
#      keeps the edited config;
#   7. remove keeps the config, the secrets and the state; purge deletes them and the enablement;
# and that this machine's own systemd and /etc were not touched.
#
#   packaging/tests/package_test.sh --build build/dev
#
# Needs root (dpkg records owners), cpack, lintian, help2man's man page in the build tree,
# systemd-analyze and dpkg-dev: scripts/setup installs them. Prints PASS/FAIL per check and ends
# with "package: N checks passed[, M failed]"; exits 1 on any failure.
set -uo pipefail
# shellcheck disable=SC2317 # the check functions run through check()
cd "$(dirname "$0")/../.." || exit 2

build=
while (($#)); do
  case "$1" in
    --build) build=${2:?--build needs a directory}; shift 2 ;;
    *) echo "package_test: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -n $build && -f $build/CPackConfig.cmake ]] || {
  echo "package_test: --build DIR must be a configured build tree with CPackConfig.cmake" \
    "(help2man missing at configure time? run scripts/setup and configure again)" >&2
  exit 2
}
build=$(cd "$build" && pwd)
for tool in cpack lintian dpkg-deb dpkg-shlibdeps systemd-analyze systemctl deb-systemd-helper; do
  command -v "$tool" >/dev/null || { echo "package_test: $tool is missing; run scripts/setup" >&2; exit 2; }
done
if [[ $(id -u) -ne 0 ]]; then
  echo "package_test: needs root: dpkg --root installs files with their owners" >&2
  exit 2
fi
export PATH="$PATH:/usr/sbin:/sbin"  # dpkg wants ldconfig and start-stop-daemon on PATH

passed=0
failed=0
check() {  # check NAME COMMAND...: PASS when COMMAND succeeds; its output explains a FAIL
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    passed=$((passed + 1))
    echo "PASS $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
    [[ -n $out ]] && sed 's/^/       /' <<<"$out"
  fi
}
finish() {
  if ((failed)); then
    echo "package: $passed checks passed, $failed failed"
    exit 1
  fi
  echo "package: $passed checks passed"
  exit 0
}
equal() {  # equal WHAT ACTUAL EXPECTED
  [[ $2 == "$3" ]] || { echo "$1 is '$2', expected '$3'"; return 1; }
}
has() {  # has FILE PATTERN...: every extended regular expression matches a line of FILE
  local file=$1 missing=0
  shift
  for pattern in "$@"; do
    grep -Eq -- "$pattern" "$file" || { echo "$file has no line matching $pattern"; missing=1; }
  done
  return $missing
}

work=$(mktemp -d /tmp/gd2s-package-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
admin=$root/var/lib/dpkg

# This machine's systemd and /etc, as they are before: compared at the end.
host_state() {
  local path
  for path in /etc/gd2sentinel /lib/systemd/system/gd2sentinel.service \
    /etc/systemd/system/multi-user.target.wants/gd2sentinel.service \
    /var/lib/systemd/deb-systemd-helper-enabled/gd2sentinel.service.dsh-also \
    /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/gd2sentinel.service \
    /var/lib/gd2sentinel /var/lib/private/gd2sentinel; do
    stat -c '%n %a %U %s %Y' "$path" 2>/dev/null || echo "$path absent"
  done
  dpkg-query -W -f='${db:Status-Abbrev}${Version}\n' gd2sentinel 2>/dev/null || echo "gd2sentinel not in dpkg's database"
}
host_before=$(host_state)

# ---- 1. build -----------------------------------------------------------------------------------
version_line=$(head -n1 packaging/debian/changelog)
version=$(sed -E 's/^gd2sentinel \(([^)]+)\).*/\1/' <<<"$version_line")
upstream=${version%-*}
if ! cpack --config "$build/CPackConfig.cmake" -B "$work/cpack" >"$work/cpack.log" 2>&1; then
  check "cpack builds the package" sh -c "cat '$work/cpack.log'; false"
  finish
fi
deb=$work/cpack/gd2sentinel_${version}_$(dpkg --print-architecture).deb
check "cpack builds $(basename "$deb")" test -f "$deb"
[[ -f $deb ]] || finish

# ---- 2. lintian ---------------------------------------------------------------------------------
lintian_clean() {
  lintian --fail-on error,warning --tag-display-limit 0 --display-info "$deb" | tee "$work/lintian.txt"
  local status=${PIPESTATUS[0]}
  ((status == 0)) || { echo "lintian exited $status"; return 1; }
  ! grep -Eq '^[EW]: ' "$work/lintian.txt"
}
check "lintian: no error or warning but those overridden" lintian_clean
[[ -s $work/lintian.txt ]] && sed 's/^/       lintian: /' "$work/lintian.txt"

# ---- 3. control data ----------------------------------------------------------------------------
dpkg-deb -e "$deb" "$work/control"
dpkg-deb -x "$deb" "$work/contents"
depends=$(dpkg-deb -f "$deb" Depends)
depends_names=$(tr ',|' '\n\n' <<<"$depends" | sed -E 's/\(.*\)//; s/[[:space:]]//g' | sed '/^$/d' | sort -u)

# The installed packages that are or provide (libspdlog1.10 provides libspdlog1.10-fmt9) a name
# of Depends.
providers() {
  dpkg-query -W -f='${db:Status-Abbrev}|${Package}|${Provides}\n' |
    awk -F'|' -v names="$(paste -sd' ' <<<"$depends_names")" '
      BEGIN { n = split(names, list, " "); for (i = 1; i <= n; i++) want[list[i]] = 1 }
      $1 ~ /^ii/ {
        hit = ($2 in want)
        m = split($3, provided, /, */)
        for (i = 1; i <= m; i++) { p = provided[i]; sub(/ .*/, "", p); if (p in want) hit = 1 }
        if (hit) print $2
      }' | sort -u
}
depends_cover_needed_libraries() {
  local binary=$work/contents/usr/bin/gd2sentinel missing=0 lib path owner
  for lib in $(objdump -p "$binary" | awk '$1 == "NEEDED" { print $2 }'); do
    path=$(ldconfig -p | awk -v lib="$lib" '$1 == lib && /x86-64|64bit/ { print $NF; exit }')
    [[ -n $path ]] || { echo "NEEDED $lib: not found by ldconfig"; missing=1; continue; }
    owner=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n1 | cut -d: -f1)
    [[ -n $owner ]] || owner=$(dpkg -S "$path" 2>/dev/null | head -n1 | cut -d: -f1)
    grep -qx -- "$owner" <<<"$(providers)" || { echo "NEEDED $lib ($owner) is not in Depends: $depends"; missing=1; }
  done
  grep -Eq '(^|, )libc6 \(>= [0-9.]+\)' <<<"$depends" || { echo "no versioned libc6 (dpkg-shlibdeps did not run?): $depends"; missing=1; }
  grep -qx ca-certificates <<<"$depends_names" || { echo "ca-certificates is not in Depends: $depends"; missing=1; }
  return $missing
}
check "control: Version $version, from packaging/debian/changelog" equal Version "$(dpkg-deb -f "$deb" Version)" "$version"
check "control: Depends covers every shared library the binary needs, versioned" depends_cover_needed_libraries
check "control: conffiles is the config" equal conffiles "$(cat "$work/control/conffiles")" /etc/gd2sentinel/gd2sentinel.toml
check "control: postinst, prerm, postrm, executable" test -x "$work/control/postinst" -a -x "$work/control/prerm" -a -x "$work/control/postrm"
check "data: no state folder ships (systemd's StateDirectory= makes it)" \
  sh -c "! dpkg-deb -c '$deb' | grep -E ' \./var/'"

# ---- 4. what the maintainer scripts do when systemd runs -----------------------------------------
# Copies whose test for a running systemd looks at a folder of ours, with stand-ins that log.
mkdir -p "$work/stand-ins" "$work/run-systemd"
for tool in systemctl deb-systemd-helper deb-systemd-invoke; do
  printf '#!/bin/sh\necho "%s $*" >>"%s"\n[ "$1 $2" != "--quiet was-enabled" ]\n' \
    "$tool" "$work/calls" >"$work/stand-ins/$tool"
  chmod +x "$work/stand-ins/$tool"
done
calls() {  # calls SCRIPT ARGS...: the systemd calls SCRIPT makes, one a line
  sed "s|/run/systemd/system|$work/run-systemd|g" "$work/control/$1" >"$work/script"
  : >"$work/calls"
  env -u DPKG_ROOT PATH="$work/stand-ins:$PATH" sh "$work/script" "${@:2}" >/dev/null 2>&1 || echo "exit $?"
  grep -E 'systemctl|deb-systemd-invoke|deb-systemd-helper (enable|disable|purge|mask)' "$work/calls" | paste -sd';' -
}
check "postinst on installation: daemon-reload only (neither enables nor starts)" \
  equal calls "$(calls postinst configure)" "systemctl --system daemon-reload"
check "postinst on upgrade: try-restart (a stopped service stays stopped)" \
  equal calls "$(calls postinst configure 0.0.9-1)" "systemctl --system daemon-reload;deb-systemd-invoke try-restart gd2sentinel.service"
check "prerm on removal stops the service" equal calls "$(calls prerm remove)" "deb-systemd-invoke stop gd2sentinel.service"
check "prerm on upgrade leaves it running" equal calls "$(calls prerm upgrade "$version")" ""
check "postrm on removal: daemon-reload" equal calls "$(calls postrm remove)" "systemctl --system daemon-reload"

# ---- 5. install into a scratch root ------------------------------------------------------------
mkdir -p "$admin/info" "$admin/updates" "$admin/triggers" "$root/var/lib/systemd"
# shellcheck disable=SC2046 # one name a word
dpkg-query -s $(providers) >"$admin/status" 2>/dev/null
for name in $(dpkg-query --admindir="$admin" -W -f='${binary:Package}\n'); do : >"$admin/info/$name.list"; done
dpkg_root() {
  dpkg --root="$root" --log="$work/dpkg.log" --force-script-chrootless --force-unsafe-io "$@" </dev/null
}
check "dpkg installs it into the scratch root, Depends met by this machine's Debian 12" dpkg_root -i "$deb"
status_of() { dpkg-query --admindir="$admin" -W -f='${db:Status-Abbrev}' gd2sentinel 2>/dev/null; }
check "dpkg: installed and configured" equal status "$(status_of)" "ii "
[[ $(status_of) == "ii " ]] || finish

owner_mode() { stat -c '%U:%G %a' "$1"; }
check "/usr/bin/gd2sentinel root:root 755" equal mode "$(owner_mode "$root/usr/bin/gd2sentinel")" "root:root 755"
check "/usr/bin/gd2sentinel --version prints $upstream" \
  equal version "$("$root/usr/bin/gd2sentinel" --version)" "gd2sentinel $upstream"
check "/etc/gd2sentinel root:root 700" equal mode "$(owner_mode "$root/etc/gd2sentinel")" "root:root 700"
check "/etc/gd2sentinel/gd2sentinel.toml root:root 600" \
  equal mode "$(owner_mode "$root/etc/gd2sentinel/gd2sentinel.toml")" "root:root 600"
check "/etc/gd2sentinel/gd2sentinel.toml is deploy/systemd/gd2sentinel.toml.example" \
  cmp "$root/etc/gd2sentinel/gd2sentinel.toml" deploy/systemd/gd2sentinel.toml.example
check "dpkg's database holds the config as a conffile" \
  has <(dpkg-query --admindir="$admin" -W -f='${Conffiles}\n' gd2sentinel) '^ /etc/gd2sentinel/gd2sentinel\.toml [0-9a-f]{32}$'

unit=$root/lib/systemd/system/gd2sentinel.service
packaged_unit_is_deploys() {
  diff <(sed 's|/usr/local/bin/gd2sentinel|/usr/bin/gd2sentinel|' deploy/systemd/gd2sentinel.service) \
    <(grep -v '^Documentation=man:gd2sentinel(1)$' "$unit")
}
check "/lib/systemd/system/gd2sentinel.service root:root 644" equal mode "$(owner_mode "$unit")" "root:root 644"
check "the unit is deploy/systemd's, run from /usr/bin, documented by the man page" packaged_unit_is_deploys
check "the unit names its man page" has "$unit" '^Documentation=man:gd2sentinel\(1\)$' '^ExecStart=/usr/bin/gd2sentinel run '
systemd_verify() {
  # The installed unit with its ExecStart= in the scratch root, and man looking there for its
  # Documentation=. Only lines about our unit count (as in deploy/tests/deploy_test.mjs):
  # systemd-analyze also talks about the host's units it meets.
  mkdir -p "$work/verify"
  sed "s|/usr/bin/gd2sentinel|$root/usr/bin/gd2sentinel|" "$unit" >"$work/verify/gd2sentinel.service"
  local out status
  out=$(cd "$work/verify" && MANPATH="$root/usr/share/man" systemd-analyze verify gd2sentinel.service 2>&1)
  status=$?
  if grep 'gd2sentinel' <<<"$out"; then return 1; fi
  ((status == 0)) || { echo "systemd-analyze verify exited $status: $out"; return 1; }
}
check "systemd-analyze verify says nothing about the installed unit" systemd_verify

man_page=$root/usr/share/man/man1/gd2sentinel.1.gz
MANWIDTH=100 man -l "$man_page" 2>/dev/null | col -b >"$work/man.txt"
check "man page: gzip, root:root 644" sh -c "gzip -t '$man_page' && [ \"\$(stat -c '%U:%G %a' '$man_page')\" = 'root:root 644' ]"
check "man page: whatis entry" equal whatis "$(lexgrog "$man_page" 2>&1 | sed 's/^[^:]*: *//')" \
  '"gd2sentinel - move Amazon GuardDuty findings into Microsoft Sentinel"'
check "man page: every command with its options, the exit statuses, the files" \
  has "$work/man.txt" '^\s+gd2sentinel run$' '^\s+gd2sentinel validate-config$' '^\s+--no-host-checks\s' \
  '^\s+gd2sentinel dead-letters replay$' '^\s+gd2sentinel aws-policy$' '^\s+--version$' '^EXIT STATUS' \
  '/etc/gd2sentinel/gd2sentinel\.toml' "^gd2sentinel ${upstream//./\\.}\s"
doc=$root/usr/share/doc/gd2sentinel
check "docs: copyright (machine-readable), changelog.Debian.gz, README.Debian" \
  sh -c "head -n1 '$doc/copyright' | grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' \
    && zcat '$doc/changelog.Debian.gz' | head -n1 | grep -qF '$version_line' && test -s '$doc/README.Debian'"
check "lintian overrides ship" test -s "$root/usr/share/lintian/overrides/gd2sentinel"

# ---- 6. enablement and upgrade ------------------------------------------------------------------
wants=$root/etc/systemd/system/multi-user.target.wants/gd2sentinel.service
check "installation does not enable the unit" test ! -e "$wants" -a ! -L "$wants"
check "deb-systemd-helper knows the unit (purge will remove its symlinks)" \
  test -f "$root/var/lib/systemd/deb-systemd-helper-enabled/gd2sentinel.service.dsh-also"
systemctl --root="$root" --quiet enable gd2sentinel.service
echo '# edited by the administrator' >>"$root/etc/gd2sentinel/gd2sentinel.toml"
edited=$(sha256sum <"$root/etc/gd2sentinel/gd2sentinel.toml")
check "an upgrade installs" dpkg_root -i "$deb"
check "an upgrade keeps the administrator's config" \
  equal config "$(sha256sum <"$root/etc/gd2sentinel/gd2sentinel.toml")" "$edited"
check "an upgrade keeps the config's mode 600" equal mode "$(owner_mode "$root/etc/gd2sentinel/gd2sentinel.toml")" "root:root 600"
check "an upgrade keeps the unit enabled" test -L "$wants"

# ---- 7. remove and purge ------------------------------------------------------------------------
# What the service and the administrator leave: systemd's StateDirectory= with DynamicUser=, and
# the client secret.
mkdir -p "$root/var/lib/private/gd2sentinel"
echo state >"$root/var/lib/private/gd2sentinel/gd2sentinel.db"
ln -s private/gd2sentinel "$root/var/lib/gd2sentinel"
echo secret >"$root/etc/gd2sentinel/azure-client-secret"
check "remove" dpkg_root -r gd2sentinel
check "remove takes the binary and the unit" test ! -e "$root/usr/bin/gd2sentinel" -a ! -e "$unit"
check "remove keeps the config, the secret and the state" \
  test -f "$root/etc/gd2sentinel/gd2sentinel.toml" -a -f "$root/etc/gd2sentinel/azure-client-secret" \
  -a -f "$root/var/lib/gd2sentinel/gd2sentinel.db"
check "purge" dpkg_root -P gd2sentinel
check "purge deletes /etc/gd2sentinel and the state" \
  test ! -e "$root/etc/gd2sentinel" -a ! -e "$root/var/lib/private/gd2sentinel" -a ! -L "$root/var/lib/gd2sentinel"
check "purge removes the enablement" \
  test ! -L "$wants" -a ! -e "$root/var/lib/systemd/deb-systemd-helper-enabled/gd2sentinel.service.dsh-also"
check "dpkg: not installed" equal status "$(status_of)" ""

check "this machine's systemd, /etc and dpkg database are as they were" equal "host state" "$(host_state)" "$host_before"
finish
