#!/bin/bash
# The Debian package as an operator receives it: `cpack -G DEB` from the build folder, then
# dpkg-deb's view of its control data and files, then an installation into a scratch root by
# dpkg itself (as root: maintainer scripts included, run chrootless with DPKG_ROOT).
# Usage: package_test.sh BINARY_DIR VERSION
set -u

build=$1
version=$2
scratch=$(mktemp -d "${TMPDIR:-/tmp}/motcua-package-test-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# The package is made in the scratch folder (-B), so the build folder stays as it was.
if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/out" > "$scratch/cpack.log" 2>&1
then
  cat "$scratch/cpack.log"
  echo "FAIL: cpack" >&2
  exit 1
fi
deb=$(find "$scratch/out" -maxdepth 1 -name 'motcua-watch_*.deb' | head -n 1)
[ -n "$deb" ] || { echo "FAIL: no .deb in $(ls "$scratch/out")" >&2; exit 1; }
echo "package: $(basename "$deb") ($(stat -c %s "$deb") bytes)"

field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = motcua-watch ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version), expected $version"
[ "$(field Section)" = admin ] || fail "Section: $(field Section)"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
[ -n "$(field Description)" ] || fail "no Description"
depends=$(field Depends)
echo "Depends: $depends"
for dep in libc6 libssl3 libsqlite3-0 libstdc++6 systemd; do
  echo ", $depends," | grep -Fq -e ", $dep " -e ", $dep," || fail "Depends lacks $dep: $depends"
done

files=$(dpkg-deb -c "$deb" | awk '{ print $1, $NF }')
has_file() {  # MODE PATH
  local line
  line=$(echo "$files" | grep " $2\$")
  [ -n "$line" ] || { fail "$2 not in the package"; return; }
  [ "$line" = "$1 $2" ] || fail "expected '$1 $2', got '$line'"
}
has_file -rwxr-xr-x ./usr/bin/motcua-watchd
has_file -rwxr-xr-x ./usr/bin/motcua-sim
has_file -rw-r--r-- ./usr/lib/systemd/system/motcua-watch.service
has_file -rw-r--r-- ./usr/lib/sysusers.d/motcua-watch.conf
has_file -rw-r--r-- ./usr/lib/tmpfiles.d/motcua-watch.conf
has_file -rw-r--r-- ./etc/motcua-watch/config.toml
has_file -rw-r--r-- ./usr/share/doc/motcua-watch/README.md
has_file -rw-r--r-- ./usr/share/doc/motcua-watch/config.toml.example

mkdir -p "$scratch/control"
dpkg-deb -e "$deb" "$scratch/control"
grep -Fxq /etc/motcua-watch/config.toml "$scratch/control/conffiles" ||
  fail "config.toml is not a conffile"
for script in postinst prerm postrm; do
  [ -x "$scratch/control/$script" ] || fail "no executable $script"
done
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/systemd/system/motcua-watch.service |
  grep -q '^ExecStart=/usr/bin/motcua-watchd --config /etc/motcua-watch/config.toml$' ||
  fail "the packaged unit does not start /usr/bin/motcua-watchd"

# dpkg into a scratch root. Its dependencies are not there (--force-depends); the maintainer
# scripts run on this host against the root (--force-script-chrootless sets DPKG_ROOT), so no
# chroot is needed. Giving folders to motcua-watch (tmpfiles.d) needs root, so a non-root run
# only unpacks (--force-not-root), without the scripts.
root=$scratch/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/etc"
: > "$root/var/lib/dpkg/status"
: > "$scratch/dpkg.log"
dpkg_root() {
  dpkg --root="$root" --log=/dev/null --force-not-root --force-script-chrootless \
    --force-depends "$@" >> "$scratch/dpkg.log" 2>&1
}
if [ "$(id -u)" -ne 0 ]; then
  dpkg_root --unpack "$deb" || fail "dpkg --unpack into a scratch root"
  [ -x "$root/usr/bin/motcua-watchd" ] || fail "dpkg --unpack did not install the binary"
  echo "not root: maintainer scripts not run"
elif dpkg_root -i "$deb"; then
  [ -x "$root/usr/bin/motcua-watchd" ] || fail "dpkg -i did not install the binary"
  grep -q '^motcua-watch:' "$root/etc/passwd" 2>/dev/null ||
    fail "postinst did not create the motcua-watch user"
  [ "$(stat -c %a "$root/var/lib/motcua-watch" 2>&1)" = 750 ] ||
    fail "postinst did not create /var/lib/motcua-watch 0750"
  [ "$(stat -c %a "$root/etc/motcua-watch/config.toml")" = 640 ] ||
    fail "postinst did not make the config 0640"
  grep -q 'not started' "$scratch/dpkg.log" || fail "postinst did not say what to do next"
  # An operator's edit survives a reinstall; purge removes the state but not their own files.
  echo '# edited' >> "$root/etc/motcua-watch/config.toml"
  echo secret > "$root/etc/motcua-watch/smtp.password"
  dpkg_root -i "$deb" || fail "reinstall over itself"
  grep -q '^# edited$' "$root/etc/motcua-watch/config.toml" || fail "the edited conffile was replaced"
  touch "$root/var/lib/motcua-watch/state.db"
  dpkg_root --purge motcua-watch || fail "dpkg --purge"
  [ ! -e "$root/usr/bin/motcua-watchd" ] || fail "purge left the binary"
  [ ! -e "$root/var/lib/motcua-watch" ] || fail "purge left the state"
  [ ! -e "$root/etc/motcua-watch/config.toml" ] || fail "purge left the conffile"
  [ -e "$root/etc/motcua-watch/smtp.password" ] || fail "purge deleted the operator's secret"
else
  fail "dpkg -i into a scratch root"
fi
[ "$failures" -eq 0 ] || cat "$scratch/dpkg.log"

[ "$failures" -eq 0 ] && echo "package: all checks passed"
exit $((failures > 0))
