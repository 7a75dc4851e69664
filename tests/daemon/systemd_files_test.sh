#!/bin/bash
# The files in systemd/ as the system would read them:
#   - the unit through `systemd-analyze verify` (Debian 12: systemd 252),
#   - sysusers.d and tmpfiles.d applied to a scratch root,
#   - the example /etc config through `motcua-watchd --check-config`.
# Each check is first shown to fail on a broken copy, so a check that cannot fail fails the test.
# Usage: systemd_files_test.sh SOURCE_DIR BINARY_DIR (where motcua-watchd was built)
set -u

src=$1
bin=$2
watchd=$bin/motcua-watchd
scratch=$(mktemp -d "${TMPDIR:-/tmp}/motcua-systemd-test-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# systemd-analyze verify exits 0 on unknown keys and unparsable values ("…, ignoring"); only a
# missing executable or a unit that cannot load changes the exit code. So any output is a
# failure too. It also insists that ExecStart='s binary exists: the unit is checked in a copy
# naming the freshly built binary (`--root` would need a whole system tree: sysinit.target,
# /bin/kill…).
verify_unit() {
  local unit=$1 out
  out=$(systemd-analyze verify --man=no --generators=no "$unit" 2>&1)
  local rc=$?
  [ "$rc" -eq 0 ] && [ -z "$out" ] && return 0
  printf '%s\n' "$out"
  return 1
}

unit_copy() {  # DIR SED-SCRIPT: the unit with the built binary, edited by SED-SCRIPT
  mkdir -p "$1"
  sed -e "s#/usr/bin/motcua-watchd#$watchd#g" -e "$2" "$src/systemd/motcua-watch.service" \
    > "$1/motcua-watch.service"
  echo "$1/motcua-watch.service"
}

if command -v systemd-analyze >/dev/null; then
  verify_unit "$(unit_copy "$scratch/unit" '')" || fail "systemd-analyze verify on the unit"
  grep -q '^ExecStart=/usr/bin/motcua-watchd --config /etc/motcua-watch/config.toml$' \
    "$src/systemd/motcua-watch.service" || fail "ExecStart is not the packaged binary and config"
  verify_unit "$(unit_copy "$scratch/typo" 's/^ProtectHome=/ProtectHme=/')" >/dev/null &&
    fail "verify accepted a unit with an unknown key"
  verify_unit "$(unit_copy "$scratch/badvalue" 's/^WatchdogSec=.*/WatchdogSec=thirty/')" \
    >/dev/null && fail "verify accepted a unit with a bad value"
  verify_unit "$(unit_copy "$scratch/nobinary" "s#$watchd#/nonexistent/motcua-watchd#")" \
    >/dev/null && fail "verify accepted a unit whose binary is missing"
else
  echo "systemd-analyze not installed: unit not verified"
fi

# sysusers.d and tmpfiles.d, applied to a scratch root as the postinst applies them to /.
root=$scratch/root
mkdir -p "$root/etc"
if ! systemd-sysusers --root="$root" "$src/systemd/motcua-watch.sysusers"; then
  fail "systemd-sysusers"
fi
grep -q '^motcua-watch:x:[0-9]*:[0-9]*:[^:]*:/var/lib/motcua-watch:/usr/sbin/nologin$' \
  "$root/etc/passwd" || fail "no motcua-watch system user in $(cat "$root/etc/passwd")"
grep -q '^motcua-watch:x:' "$root/etc/group" || fail "no motcua-watch group"
printf 'u broken-user - "no home column end\n' > "$scratch/broken.sysusers"
mkdir -p "$scratch/root2/etc"
systemd-sysusers --root="$scratch/root2" "$scratch/broken.sysusers" 2>/dev/null &&
  fail "systemd-sysusers accepted a broken file"
if [ "$(id -u)" -eq 0 ]; then
  mkdir -p "$root/etc/motcua-watch" && : > "$root/etc/motcua-watch/config.toml"
  systemd-tmpfiles --root="$root" --create "$src/systemd/motcua-watch.tmpfiles" ||
    fail "systemd-tmpfiles --create"
  gid=$(awk -F: '$1 == "motcua-watch" { print $3 }' "$root/etc/group")
  uid=$(awk -F: '$1 == "motcua-watch" { print $3 }' "$root/etc/passwd")
  check_mode() {  # PATH MODE UID GID
    local got
    got=$(stat -c '%a %u %g' "$root$1")
    [ "$got" = "$2 $3 $4" ] || fail "$1 is '$got', expected '$2 $3 $4'"
  }
  check_mode /var/lib/motcua-watch 750 "$uid" "$gid"
  check_mode /etc/motcua-watch 750 0 "$gid"
  check_mode /etc/motcua-watch/config.toml 640 0 "$gid"
else
  # Giving the folders to motcua-watch needs root.
  echo "not root: tmpfiles.d not applied"
fi

# The example /etc config, with its secrets and state pointed into the scratch folder (the
# daemon may read secrets while checking; the real paths exist only under systemd).
creds=$scratch/credentials
mkdir -p "$creds" "$scratch/state"
for name in api.token motcua.password dvc.password smtp.password webhook.secret; do
  echo "dummy-$name" > "$creds/$name"
done
sed -e "s#/run/credentials/motcua-watch.service#$creds#g" \
  -e "s#/var/lib/motcua-watch#$scratch/state#g" \
  "$src/systemd/config.toml.example" > "$scratch/config.toml"
grep -q '/run/credentials\|/var/lib' "$scratch/config.toml" && fail "a path was not rewritten"
if out=$("$watchd" --config "$scratch/config.toml" --check-config 2>&1); then
  echo "$out"
  echo "$out" | grep -q '2 sources' || fail "--check-config summary: $out"
else
  fail "--check-config on the example config: $out"
fi
# The example as shipped too: the checks do not depend on files only systemd provides.
"$watchd" --config "$src/systemd/config.toml.example" --check-config >/dev/null 2>&1 ||
  fail "--check-config on the shipped example"
sed 's/^page_size = 500/page_sise = 500/' "$scratch/config.toml" > "$scratch/typo.toml"
"$watchd" --config "$scratch/typo.toml" --check-config >/dev/null 2>&1
[ $? -eq 2 ] || fail "--check-config accepted an unknown key"

[ "$failures" -eq 0 ] && echo "systemd files: all checks passed"
exit $((failures > 0))
