#!/bin/sh
# Haulbox installer: runs Haulbox as a systemd service on Debian, Ubuntu or Raspberry Pi OS
# (x86-64 or 64-bit ARM).
#
#   curl -fsSL https://github.com/haulbox/haulbox/releases/latest/download/install.sh | sudo sh
#   sudo sh install.sh --from-file haulbox-<version>-linux-<arch>.tar.gz    (no internet needed)
#   sudo sh install.sh --uninstall [--purge]
#   sh install.sh --help
#
# Where things go:
#   /opt/haulbox/releases/<version>-<sha>/  one folder per installed build: the haulbox binary, its
#                                       llama/ folder (which must stay beside it) and the rest of the
#                                       bundle. <sha> is the start of the tarball's SHA-256, so two
#                                       builds of one version never share a folder and re-installing
#                                       never writes over the build that is running.
#   /opt/haulbox/current                symlink to the build that runs. It is switched atomically: a
#                                       new link under a temporary name, then `mv -T` over the old one.
#   /opt/haulbox/previous               symlink to the build before it, kept for rollback; older
#                                       builds are deleted after a successful upgrade.
#   /usr/local/bin/haulbox              symlink to current/haulbox, for admin commands.
#   /etc/haulbox/haulbox.yaml           the config (root:haulbox, 0640), written once from the
#                                       bundle's config.example.yaml and never overwritten.
#   /var/lib/haulbox                    the data (database, backups; haulbox:haulbox, 0750), also the
#                                       home of the `haulbox` system user (no login shell).
#   /var/lib/haulbox/before-upgrade/    a copy of the database taken before the last upgrade.
#   /etc/systemd/system/haulbox.service the hardened unit; it runs
#                                       /opt/haulbox/current/haulbox serve --config /etc/haulbox/haulbox.yaml
#
# Re-running the installer upgrades in place. Everything is downloaded, checked (SHA-256) and tried
# (`haulbox version`, `haulbox check-config` on the config it will run with) before the service is
# touched. Then it stops the service, copies the database aside, switches `current` to the new build,
# starts it and waits for /healthz (`haulbox healthcheck`). If the new build does not come up it
# switches back to the previous one (restoring the database copy if the old build cannot open the
# database as it is), says so, and exits with an error.
#
# Environment:
#   HAULBOX_BASE_URL       where releases are downloaded from (SHA256SUMS and the tarballs)
#   HAULBOX_LISTEN         web address written into a NEW config (default 0.0.0.0:8080)
#   HAULBOX_MQTT_LISTEN    MQTT address written into a NEW config (default 0.0.0.0:1883)
#   HAULBOX_START_TIMEOUT  seconds to wait for Haulbox to answer after starting (default 120)
#   HAULBOX_ROOT           for tests: a folder put in front of every system path this script reads
#                          or writes (/opt, /etc, /var/lib, /usr/local/bin, /run/systemd/system)
set -eu

DEFAULT_BASE_URL="https://github.com/haulbox/haulbox/releases/latest/download"

ROOT="${HAULBOX_ROOT:-}"
BASE_URL="${HAULBOX_BASE_URL:-$DEFAULT_BASE_URL}"
BASE_URL="${BASE_URL%/}"
NEW_LISTEN="${HAULBOX_LISTEN:-0.0.0.0:8080}"
NEW_MQTT_LISTEN="${HAULBOX_MQTT_LISTEN:-0.0.0.0:1883}"
START_TIMEOUT="${HAULBOX_START_TIMEOUT:-120}"

SERVICE=haulbox
USER_NAME=haulbox
OPT_DIR="$ROOT/opt/haulbox"
RELEASES="$OPT_DIR/releases"
CURRENT="$OPT_DIR/current"
PREVIOUS="$OPT_DIR/previous"
ETC_DIR="$ROOT/etc/haulbox"
CONFIG="$ETC_DIR/haulbox.yaml"
DATA_DIR="$ROOT/var/lib/haulbox"
UNIT_FILE="$ROOT/etc/systemd/system/$SERVICE.service"
BIN_LINK="$ROOT/usr/local/bin/haulbox"
SYSTEMD_RUN="$ROOT/run/systemd/system"
# How long systemd waits for Haulbox to stop: its own graceful stop gives up after 10 s.
STOP_TIMEOUT=15

WORK=""
# The highest folder this run created for its work area (removed again if the run stops early).
CREATED_TOP=""

# ---------------------------------------------------------------------------------------------
# Output

say() { printf '%s\n' "$*"; }
step() { printf '  - %s\n' "$*"; }
warn() { printf 'Note: %s\n' "$*" >&2; }
die() {
  printf '\nStopped: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat <<EOF
Haulbox installer: runs Haulbox as a service on this machine (systemd; x86-64 or 64-bit ARM).

Usage:
  curl -fsSL $DEFAULT_BASE_URL/install.sh | sudo sh
  sudo sh install.sh [--from-file FILE]
  sudo sh install.sh --uninstall [--purge]

Options:
  --from-file FILE   install from a downloaded haulbox-<version>-linux-<arch>.tar.gz instead of
                     the internet. A SHA256SUMS file beside it is used to check it.
  --uninstall        stop and remove Haulbox (the program and the service). Your config
                     (/etc/haulbox) and data (/var/lib/haulbox) stay.
  --purge            with --uninstall: also delete the config, ALL data and the haulbox user.
  -h, --help         show this help.

Running it again upgrades Haulbox and keeps your config and data. If the new version does not
start, the old one is put back.

With curl, give options after "sh -s --", for example:
  curl -fsSL $DEFAULT_BASE_URL/install.sh | sudo sh -s -- --uninstall

Environment:
  HAULBOX_BASE_URL=URL       download from URL instead of $DEFAULT_BASE_URL
  HAULBOX_LISTEN=HOST:PORT   web address for a new config (default 0.0.0.0:8080)
  HAULBOX_MQTT_LISTEN=...    MQTT address for a new config (default 0.0.0.0:1883)
EOF
}

# ---------------------------------------------------------------------------------------------
# Helpers

have() { command -v "$1" >/dev/null 2>&1; }

need() {
  for tool in "$@"; do
    have "$tool" || die "this installer needs the \"$tool\" command. Install it (sudo apt-get install $(package_of "$tool")) and run the installer again."
  done
}

package_of() {
  case $1 in
    sha256sum | mktemp | readlink | ln | mv) echo coreutils ;;
    useradd | userdel) echo passwd ;;
    runuser) echo util-linux ;;
    getent) echo libc-bin ;;
    *) echo "$1" ;;
  esac
}

# Runs a Haulbox command without any HAULBOX_* setting from this shell: the service does not see them either.
hb() (
  unset HAULBOX_CONFIG HAULBOX_LISTEN HAULBOX_DATA_DIR HAULBOX_MQTT_LISTEN HAULBOX_NO_DEMO HAULBOX_LLAMA_DIR
  exec "$@"
)

# Runs a Haulbox command as the haulbox user once it exists (a config's plugins_dir holds code that
# should never run as root), else as root (a fresh install checks the config it just wrote).
as_haulbox() {
  if getent passwd "$USER_NAME" >/dev/null 2>&1; then
    hb runuser -u "$USER_NAME" -- "$@"
  else
    hb "$@"
  fi
}

cleanup() {
  if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
  if [ -n "$CREATED_TOP" ]; then
    dir=$OPT_DIR
    while rmdir "$dir" 2>/dev/null && [ "$dir" != "$CREATED_TOP" ]; do dir=$(dirname "$dir"); done
  fi
}

# The highest missing folder on the way to $1 (empty when $1 exists).
first_missing() {
  dir=$1
  missing=""
  while [ ! -d "$dir" ]; do
    missing=$dir
    dir=$(dirname "$dir")
  done
  echo "$missing"
}

arch_of_machine() {
  machine=$(uname -m)
  case $machine in
    x86_64 | amd64) echo x64 ;;
    aarch64 | arm64) echo arm64 ;;
    armv6l | armv7l | armhf | arm)
      die "this machine runs 32-bit ARM ($machine). Haulbox needs a 64-bit system: on a Raspberry Pi 4 or 5, install the 64-bit Raspberry Pi OS, then run the installer again."
      ;;
    *) die "this machine's processor ($machine) is not supported. Haulbox runs on x86-64 (most PCs and servers) and 64-bit ARM (Raspberry Pi 4/5, ARM servers)." ;;
  esac
}

fetch() {
  if have curl; then
    if [ -t 2 ]; then progress=--progress-bar; else progress=--silent; fi
    curl --fail --location --show-error "$progress" --retry 3 --output "$2" "$1"
  elif have wget; then
    wget --quiet --output-document="$2" "$1"
  else
    die "this installer needs curl or wget to download Haulbox. Install one (sudo apt-get install curl), or download the bundle yourself and use --from-file."
  fi
}

sha256_of() { sha256sum "$1" | cut -d ' ' -f 1; }

# The scalar values of a YAML file as `dotted.key=value` lines (enough for haulbox.yaml: block
# mappings, quoted or plain values, comments; list items are skipped).
yaml_values() {
  awk '
    function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t\r]+$/, "", s); return s }
    /^[ \t]*(#|$)/ { next }
    {
      match($0, /^ */); indent = RLENGTH; line = substr($0, indent + 1)
      if (line ~ /^- /) { skip = indent; next }
      if (skip != "" && indent > skip) next
      skip = ""
      if (line !~ /^[A-Za-z0-9_-]+:/) next
      key = line; sub(/:.*/, "", key)
      value = line; sub(/^[^:]*:/, "", value); value = trim(value)
      while (depth > 0 && indents[depth] >= indent) depth--
      path = ""
      for (i = 1; i <= depth; i++) path = path keys[i] "."
      if (value == "" || value ~ /^#/) { depth++; indents[depth] = indent; keys[depth] = key; next }
      if (value ~ /^"/) { value = substr(value, 2); sub(/".*/, "", value) }
      else if (value ~ /^\047/) { value = substr(value, 2); sub(/\047.*/, "", value) }
      else { sub(/[ \t]+#.*/, "", value) }
      print path key "=" value
    }
  ' "$1"
}

# The value of one dotted key in a YAML file, or the fallback when it is not set.
config_value() {
  found=$(yaml_values "$1" | sed -n "s/^$2=//p" | head -n 1)
  if [ -n "$found" ]; then echo "$found"; else echo "${3:-}"; fi
}

port_of() { echo "${1##*:}"; }

host_of() {
  host=${1%:*}
  host=${host#[}
  host=${host%]}
  echo "$host"
}

is_wildcard() {
  case $1 in "" | 0.0.0.0 | "*" | ::) return 0 ;; esac
  return 1
}

# "yes" when the config listens on a port below 1024 (web, MQTT or MQTT over TLS).
needs_low_ports() {
  for key in listen mqtt.listen mqtt.tls.listen; do
    port=$(port_of "$(config_value "$1" "$key")")
    case $port in '' | *[!0-9]*) continue ;; esac
    if [ "$port" -gt 0 ] && [ "$port" -lt 1024 ]; then
      echo yes
      return
    fi
  done
  echo no
}

# The data folder a config uses (absolute; a relative one is inside the service's working folder).
data_dir_of() {
  dir=$(config_value "$1" data_dir "$DATA_DIR")
  case $dir in /*) echo "$dir" ;; *) echo "$DATA_DIR/${dir#./}" ;; esac
}

# The backups folder a config names, if it is outside the data folder (relative ones are in /etc/haulbox).
backup_dir_of() {
  dir=$(config_value "$1" backups.dir)
  case $dir in
    '') ;;
    /*) echo "$dir" ;;
    *) echo "$ETC_DIR/${dir#./}" ;;
  esac
}

# The systemd unit for a config file.
unit_text() {
  low=$(needs_low_ports "$1")
  data=$(data_dir_of "$1")
  backups=$(backup_dir_of "$1")
  writable=$data
  if [ -n "$backups" ]; then writable="$writable $backups"; fi
  cat <<EOF
# Haulbox, installed by install.sh (it writes this file again on each upgrade).
[Unit]
Description=Haulbox fleet appliance
Documentation=https://github.com/haulbox/haulbox
After=network-online.target
Wants=network-online.target
StartLimitIntervalSec=300
StartLimitBurst=5

[Service]
Type=simple
User=$USER_NAME
Group=$USER_NAME
WorkingDirectory=$DATA_DIR
ExecStart=$CURRENT/haulbox serve --config $CONFIG
# Haulbox reads its config again on SIGHUP (and keeps the old one if the new file has errors).
ExecReload=/bin/kill -HUP \$MAINPID
# Haulbox stops gracefully on SIGTERM within 10 s and exits 0.
TimeoutStopSec=$STOP_TIMEOUT
Restart=on-failure
RestartSec=5
UMask=0027

# Hardening: Haulbox may write only to its data folder and sees no home folders.
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=$writable
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictNamespaces=yes
RestrictRealtime=yes
LockPersonality=yes
RemoveIPC=yes
SystemCallArchitectures=native
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
PrivateMounts=yes
ProtectProc=invisible
# System calls no server needs answer "not permitted" (an error Haulbox reports, not a kill).
SystemCallFilter=~@clock @cpu-emulation @debug @module @mount @obsolete @raw-io @reboot @swap
SystemCallErrorNumber=EPERM
# No MemoryDenyWriteExecute: Bun's JavaScript JIT needs memory that is writable and executable.
EOF
  if [ "$low" = yes ]; then
    cat <<EOF
# The config listens on a port below 1024: only that privilege is granted.
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
AmbientCapabilities=CAP_NET_BIND_SERVICE
EOF
  else
    say "CapabilityBoundingSet="
  fi
  cat <<EOF

[Install]
WantedBy=multi-user.target
EOF
}

# ---------------------------------------------------------------------------------------------
# Checks that refuse early

require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    die "the installer must run as root, to create the haulbox user and the service. Run it again with sudo in front, for example:
    curl -fsSL $BASE_URL/install.sh | sudo sh
  or, for a file you downloaded:
    sudo sh install.sh $*"
  fi
}

has_systemd() { have systemctl && [ -d "$SYSTEMD_RUN" ]; }

manual_steps() {
  arch=$1
  config_for_unit=$CONFIG
  if [ ! -f "$config_for_unit" ]; then
    config_for_unit=$(mktemp)
    printf 'listen: %s\ndata_dir: %s\n' "$NEW_LISTEN" "$DATA_DIR" >"$config_for_unit"
  fi
  cat >&2 <<EOF

This installer runs Haulbox as a systemd service, and this machine does not run systemd
(no systemctl command, or no $SYSTEMD_RUN folder: usual in containers and in WSL).
Install it by hand instead, as root:

  1. Download the bundle for this machine ($arch) and check it:
       curl -fLO $BASE_URL/SHA256SUMS
       curl -fLO $BASE_URL/haulbox-<version>-linux-$arch.tar.gz    (the exact name is in SHA256SUMS)
       sha256sum -c --ignore-missing SHA256SUMS
  2. Unpack it; keep the haulbox program and its llama/ folder together:
       mkdir -p $RELEASES
       tar -xzf haulbox-<version>-linux-$arch.tar.gz -C $RELEASES
       ln -sfn $RELEASES/haulbox-<version>-linux-$arch $CURRENT
  3. Make a user, a data folder and the config:
       useradd --system --user-group --home-dir $DATA_DIR --shell /usr/sbin/nologin $USER_NAME
       mkdir -p $DATA_DIR $ETC_DIR && chown $USER_NAME:$USER_NAME $DATA_DIR && chmod 0750 $DATA_DIR
       cp $CURRENT/config.example.yaml $CONFIG
     then, in $CONFIG, set  listen: $NEW_LISTEN  and  data_dir: $DATA_DIR
  4. Start it (it prints the one-time setup link for the owner account):
       runuser -u $USER_NAME -- $CURRENT/haulbox serve --config $CONFIG
     Keep it running with your own service manager, or use Docker instead (see the README).

On a machine with systemd, this is the service file the installer would write to
$UNIT_FILE:

EOF
  unit_text "$config_for_unit" | sed 's/^/    /' >&2
  if [ "$config_for_unit" != "$CONFIG" ]; then rm -f "$config_for_unit"; fi
  exit 1
}

# ---------------------------------------------------------------------------------------------
# Getting and checking the bundle

# Downloads SHA256SUMS and this architecture's tarball into $WORK; sets TARBALL and EXPECTED_SHA.
download_bundle() {
  arch=$1
  step "Looking for the newest Haulbox for $arch at $BASE_URL"
  fetch "$BASE_URL/SHA256SUMS" "$WORK/SHA256SUMS" ||
    die "could not download $BASE_URL/SHA256SUMS. Check this machine's internet connection (and HAULBOX_BASE_URL if you set it), then run the installer again. Without internet, use --from-file."
  line=$(awk -v suffix="-linux-$arch.tar.gz" '{
      name = $2; sub(/^\*/, "", name)
      if (length(name) > length(suffix) && substr(name, length(name) - length(suffix) + 1) == suffix) { print $1 " " name; exit }
    }' "$WORK/SHA256SUMS")
  [ -n "$line" ] || die "this release has no Haulbox for $arch (its SHA256SUMS lists no file ending in -linux-$arch.tar.gz)."
  EXPECTED_SHA=${line%% *}
  name=${line#* }
  case $name in
    haulbox-*-linux-"$arch".tar.gz) ;;
    *) die "SHA256SUMS names an unexpected file ($name). Check HAULBOX_BASE_URL." ;;
  esac
  case $name in *[!A-Za-z0-9._+-]*) die "SHA256SUMS names an unexpected file ($name). Check HAULBOX_BASE_URL." ;; esac
  step "Downloading $name"
  TARBALL="$WORK/$name"
  fetch "$BASE_URL/$name" "$TARBALL" ||
    die "could not download $BASE_URL/$name. Check this machine's internet connection and run the installer again."
}

# Finds the checksum for a local tarball in a SHA256SUMS beside it; sets TARBALL and EXPECTED_SHA.
local_bundle() {
  file=$1
  if [ ! -f "$file" ] || [ ! -r "$file" ]; then die "cannot read the file $file. Give the path of the haulbox-<version>-linux-<arch>.tar.gz you downloaded."; fi
  TARBALL=$file
  name=$(basename "$file")
  sums="$(dirname "$file")/SHA256SUMS"
  EXPECTED_SHA=""
  step "Installing from $file"
  if [ -f "$sums" ]; then
    EXPECTED_SHA=$(awk -v want="$name" '{ n = $2; sub(/^\*/, "", n); if (n == want) { print $1; exit } }' "$sums")
    [ -n "$EXPECTED_SHA" ] ||
      die "$sums does not list $name, so the file cannot be checked. Put the SHA256SUMS of the same release beside it (or remove that SHA256SUMS to install without the check)."
  else
    warn "there is no SHA256SUMS beside $name, so its checksum is not checked. Only install a file you got from a source you trust."
  fi
}

# Checks the SHA-256 of $TARBALL, unpacks it into $WORK/unpack and runs the new binary once.
# Sets BUNDLE_DIR, VERSION, SHA and RELEASE_ID.
check_and_unpack() {
  arch=$1
  SHA=$(sha256_of "$TARBALL")
  if [ -n "$EXPECTED_SHA" ]; then
    if [ "$SHA" != "$EXPECTED_SHA" ]; then
      die "the downloaded file is damaged or not the published one: its SHA-256 is
    $SHA
  but SHA256SUMS says
    $EXPECTED_SHA
  Nothing was installed or changed. Run the installer again; if it happens again, tell whoever publishes the release."
    fi
    step "Checksum OK (SHA-256 ${SHA%"${SHA#????????????}"}…)"
  fi
  mkdir "$WORK/unpack"
  tar -xzf "$TARBALL" -C "$WORK/unpack" --no-same-owner ||
    die "could not unpack $(basename "$TARBALL"): the file is damaged or not a Haulbox bundle. Nothing was installed or changed."
  count=$(find "$WORK/unpack" -mindepth 1 -maxdepth 1 | wc -l)
  folder=$(find "$WORK/unpack" -mindepth 1 -maxdepth 1 -type d -name 'haulbox-*-linux-*' | head -n 1)
  if [ "$count" -ne 1 ] || [ -z "$folder" ]; then
    die "$(basename "$TARBALL") is not a Haulbox bundle (it should hold one folder named haulbox-<version>-linux-<arch>). Nothing was installed or changed."
  fi
  BUNDLE_DIR=$folder
  base=$(basename "$folder")
  bundle_arch=${base##*-linux-}
  VERSION=${base#haulbox-}
  VERSION=${VERSION%-linux-*}
  case $VERSION in '' | *[!A-Za-z0-9._+-]*) die "$base is not a Haulbox bundle name. Nothing was installed or changed." ;; esac
  [ "$bundle_arch" = "$arch" ] ||
    die "this bundle is for $bundle_arch, but this machine is $arch. Use haulbox-$VERSION-linux-$arch.tar.gz. Nothing was installed or changed."
  if [ ! -f "$BUNDLE_DIR/haulbox" ] || [ ! -x "$BUNDLE_DIR/haulbox" ]; then
    die "the bundle has no haulbox program in it. Nothing was installed or changed."
  fi
  [ -f "$BUNDLE_DIR/config.example.yaml" ] || die "the bundle has no config.example.yaml in it. Nothing was installed or changed."
  if ! printed=$(hb "$BUNDLE_DIR/haulbox" version 2>&1); then
    die "the new Haulbox program does not run on this machine:
    $printed
  Nothing was installed or changed."
  fi
  step "Unpacked $printed"
  RELEASE_ID="$VERSION-${SHA%"${SHA#????????????}"}"
}

# Writes a new config from the bundle's example into $WORK/haulbox.yaml (checked by the caller).
new_config() {
  out="$WORK/haulbox.yaml"
  {
    printf '# Written by install.sh from config.example.yaml of Haulbox %s. install.sh never writes\n' "$VERSION"
    printf '# over this file: edit it, check it with: haulbox check-config --config %s\n' "${CONFIG#"$ROOT"}"
    printf '# then apply it with: sudo systemctl reload haulbox\n\n'
    sed -e "s|^listen: .*|listen: $NEW_LISTEN|" \
      -e "s|^data_dir: .*|data_dir: $DATA_DIR|" \
      -e "s|^# mqtt:\$|mqtt:|" \
      -e "s|^#   listen: 127\\.0\\.0\\.1:1883\$|  listen: $NEW_MQTT_LISTEN|" \
      "$BUNDLE_DIR/config.example.yaml"
  } >"$out"
  if [ "$(config_value "$out" listen)" != "$NEW_LISTEN" ] || [ "$(config_value "$out" data_dir)" != "$DATA_DIR" ] || [ "$(config_value "$out" mqtt.listen)" != "$NEW_MQTT_LISTEN" ]; then
    die "the bundle's config.example.yaml does not have the shape this installer expects, so no config was written. Please report this. Nothing was installed or changed."
  fi
}

# ---------------------------------------------------------------------------------------------
# The service

service_active() { systemctl is-active --quiet "$SERVICE" 2>/dev/null; }

switch_current() {
  ln -sfn "$1" "$CURRENT.new"
  mv -T "$CURRENT.new" "$CURRENT"
}

set_previous() {
  if [ -n "$1" ]; then
    ln -sfn "$1" "$PREVIOUS.new"
    mv -T "$PREVIOUS.new" "$PREVIOUS"
  else
    rm -f "$PREVIOUS"
  fi
}

# Waits until Haulbox answers /healthz; fails early when systemd says the service died.
wait_healthy() {
  waited=0 # in half seconds
  while [ "$waited" -lt $((START_TIMEOUT * 2)) ]; do
    if as_haulbox "$CURRENT/haulbox" healthcheck --config "$CONFIG" --timeout 2 >/dev/null 2>&1; then return 0; fi
    state=$(systemctl show --property=SubState --value "$SERVICE" 2>/dev/null || true)
    case $state in failed | auto-restart | dead) return 1 ;; esac
    # Half-second steps where sleep takes fractions (GNU, busybox), else whole seconds.
    if sleep 0.5 2>/dev/null; then waited=$((waited + 1)); else waited=$((waited + 2)); fi
  done
  return 1
}

show_log() {
  if have journalctl; then
    say "  The last lines of its log:" >&2
    journalctl --unit "$SERVICE" --lines 15 --no-pager --output cat 2>/dev/null | sed 's/^/    /' >&2 || true
  fi
}

start_and_check() {
  systemctl "$1" "$SERVICE"
  step "Started the haulbox service; waiting for it to answer (up to $START_TIMEOUT s)"
  wait_healthy
}

snapshot_database() {
  db_dir=$1
  [ -f "$db_dir/haulbox.db" ] || return 0
  snap="$db_dir/before-upgrade"
  step "Copying the database to $snap (to go back to if the upgrade fails)"
  rm -rf "$snap"
  mkdir -p "$snap" || return 1
  for file in haulbox.db haulbox.db-wal; do
    if [ -f "$db_dir/$file" ]; then cp -p "$db_dir/$file" "$snap/$file" || return 1; fi
  done
  chown -R "$USER_NAME:$USER_NAME" "$snap"
  chmod 0750 "$snap"
}

restore_database() {
  db_dir=$1
  snap="$db_dir/before-upgrade"
  [ -f "$snap/haulbox.db" ] || return 1
  rm -f "$db_dir/haulbox.db" "$db_dir/haulbox.db-wal" "$db_dir/haulbox.db-shm"
  for file in haulbox.db haulbox.db-wal; do
    if [ -f "$snap/$file" ]; then cp -p "$snap/$file" "$db_dir/$file"; fi
  done
}

# Puts the previous build back after a failed upgrade; exits non-zero either way.
roll_back() {
  new_id=$1 old_target=$2 old_previous=$3 db_dir=$4
  show_log
  say "" >&2
  say "Haulbox $VERSION did not start, so the installer is putting the previous version back." >&2
  systemctl stop "$SERVICE" || true
  switch_current "$old_target"
  set_previous "$old_previous"
  rm -rf "${RELEASES:?}/$new_id"
  if start_and_check start >&2; then
    die "Haulbox $VERSION did not start; the previous version ($(basename "$old_target")) runs again with your config and data. See why with: journalctl -u $SERVICE -n 50"
  fi
  if restore_database "$db_dir"; then
    step "The previous version did not start with the database as it is now: restoring the copy taken before the upgrade" >&2
    systemctl stop "$SERVICE" || true
    if start_and_check start >&2; then
      die "Haulbox $VERSION did not start; the previous version ($(basename "$old_target")) runs again, with the database as it was before the upgrade. See why with: journalctl -u $SERVICE -n 50"
    fi
  fi
  show_log
  die "Haulbox $VERSION did not start, and the previous version did not start again either. Your config is in $ETC_DIR and your data in $db_dir (a copy from before the upgrade is in $db_dir/before-upgrade). See why with: journalctl -u $SERVICE -n 50"
}

# ---------------------------------------------------------------------------------------------
# Install / upgrade

install_haulbox() {
  from_file=$1
  say "Haulbox installer"
  arch=$(arch_of_machine)
  has_systemd || manual_steps "$arch"
  require_root "$ORIGINAL_ARGS"
  need tar gzip sha256sum mktemp readlink useradd getent runuser

  CREATED_TOP=$(first_missing "$OPT_DIR")
  mkdir -p "$OPT_DIR"
  WORK=$(mktemp -d "$OPT_DIR/.incoming.XXXXXX")
  chmod 0755 "$WORK" # the haulbox user runs the new build's check-config from here
  if [ -n "$from_file" ]; then local_bundle "$from_file"; else download_bundle "$arch"; fi
  check_and_unpack "$arch"

  # The config the new version will run with: the existing one, or a new one from its example.
  if [ -f "$CONFIG" ]; then
    config_to_check=$CONFIG
    fresh_config=no
  else
    new_config
    config_to_check="$WORK/haulbox.yaml"
    fresh_config=yes
  fi
  if ! checked=$(as_haulbox "$BUNDLE_DIR/haulbox" check-config --config "$config_to_check" 2>&1); then
    die "Haulbox $VERSION cannot run with the config $CONFIG:
$(printf '%s\n' "$checked" | sed 's/^/    /')
  Fix it (config.example.yaml in the bundle describes every option) and run the installer again. Nothing was installed or changed."
  fi
  unit_text "$config_to_check" >"$WORK/haulbox.service"

  old_target=""
  if [ -L "$CURRENT" ]; then old_target=$(readlink "$CURRENT"); fi
  old_previous=""
  if [ -L "$PREVIOUS" ]; then old_previous=$(readlink "$PREVIOUS"); fi
  new_target="releases/$RELEASE_ID"
  same=no
  if [ "$old_target" = "$new_target" ] && [ -x "$RELEASES/$RELEASE_ID/haulbox" ]; then same=yes; fi

  # From here on the machine changes.
  if ! getent passwd "$USER_NAME" >/dev/null 2>&1; then
    nologin=/usr/sbin/nologin
    [ -x "$nologin" ] || nologin=/bin/false
    if getent group "$USER_NAME" >/dev/null 2>&1; then group_option="--gid $USER_NAME"; else group_option=--user-group; fi
    # shellcheck disable=SC2086 # group_option is one or two words
    useradd --system $group_option --home-dir "$DATA_DIR" --no-create-home --shell "$nologin" "$USER_NAME"
    step "Created the system user $USER_NAME (no login; home $DATA_DIR)"
  fi
  mkdir -p "$DATA_DIR"
  chown "$USER_NAME:$USER_NAME" "$DATA_DIR"
  chmod 0750 "$DATA_DIR"
  if [ "$fresh_config" = yes ]; then
    mkdir -p "$ETC_DIR"
    chown "root:$USER_NAME" "$ETC_DIR"
    chmod 0750 "$ETC_DIR"
    cp "$WORK/haulbox.yaml" "$CONFIG.new"
    chown "root:$USER_NAME" "$CONFIG.new"
    chmod 0640 "$CONFIG.new"
    mv "$CONFIG.new" "$CONFIG"
    step "Wrote the config $CONFIG"
  else
    step "Kept your config $CONFIG"
  fi
  db_dir=$(data_dir_of "$CONFIG")
  backups=$(backup_dir_of "$CONFIG")
  # Folders the config names elsewhere must exist for the unit's ReadWritePaths.
  for dir in "$db_dir" "$backups"; do
    if [ -n "$dir" ] && [ ! -d "$dir" ]; then
      mkdir -p "$dir"
      chown "$USER_NAME:$USER_NAME" "$dir"
      chmod 0750 "$dir"
    fi
  done

  mkdir -p "$RELEASES"
  CREATED_TOP=""
  if [ "$same" = no ]; then
    rm -rf "${RELEASES:?}/$RELEASE_ID"
    chmod 0755 "$BUNDLE_DIR"
    mv "$BUNDLE_DIR" "$RELEASES/$RELEASE_ID"
  fi

  mkdir -p "$(dirname "$UNIT_FILE")"
  cp "$WORK/haulbox.service" "$UNIT_FILE.new"
  chmod 0644 "$UNIT_FILE.new"
  mv "$UNIT_FILE.new" "$UNIT_FILE"
  systemctl daemon-reload
  systemctl enable --quiet "$SERVICE"

  mkdir -p "$(dirname "$BIN_LINK")"
  if [ -e "$BIN_LINK" ] && [ ! -L "$BIN_LINK" ]; then
    warn "$BIN_LINK exists and is not the installer's link; left as it is."
  else
    ln -sfn "$CURRENT/haulbox" "$BIN_LINK.new"
    mv -T "$BIN_LINK.new" "$BIN_LINK"
  fi

  if [ "$same" = yes ]; then
    step "This build (Haulbox $VERSION) is already installed; restarting it"
    if ! start_and_check restart; then
      show_log
      die "Haulbox did not start. See why with: journalctl -u $SERVICE -n 50, fix it and run the installer again."
    fi
  elif [ -z "$old_target" ]; then
    switch_current "$new_target"
    step "Installed Haulbox $VERSION in $RELEASES/$RELEASE_ID"
    if ! start_and_check start; then
      show_log
      die "Haulbox did not start. See why with: journalctl -u $SERVICE -n 50, fix it and run the installer again."
    fi
  else
    step "Upgrading from $(basename "$old_target") to $RELEASE_ID"
    if service_active; then
      systemctl stop "$SERVICE"
      step "Stopped the haulbox service"
    fi
    if ! snapshot_database "$db_dir"; then
      rm -rf "$db_dir/before-upgrade" "${RELEASES:?}/$RELEASE_ID"
      systemctl start "$SERVICE" || true
      die "could not copy the database before upgrading (is the disk full? see: df -h $db_dir). Haulbox was started again unchanged. Free some space and run the installer again."
    fi
    switch_current "$new_target"
    set_previous "$old_target"
    if ! start_and_check start; then
      roll_back "$RELEASE_ID" "$old_target" "$old_previous" "$db_dir"
    fi
  fi

  # Keep the running build and the one before it; delete older ones.
  keep_current=$(readlink "$CURRENT")
  keep_previous=""
  if [ -L "$PREVIOUS" ]; then keep_previous=$(readlink "$PREVIOUS"); fi
  for dir in "$RELEASES"/*; do
    [ -d "$dir" ] || continue
    id="releases/$(basename "$dir")"
    if [ "$id" != "$keep_current" ] && [ "$id" != "$keep_previous" ]; then
      rm -rf "$dir"
      step "Deleted the old build $(basename "$dir")"
    fi
  done
  step "Haulbox is up (its health check answers)"

  print_welcome "$fresh_config"
}

# The address to open: public_url, else the listen address (this machine's own address for 0.0.0.0).
print_welcome() {
  listen=$(config_value "$CONFIG" listen 127.0.0.1:8080)
  public=$(config_value "$CONFIG" public_url)
  host=$(host_of "$listen")
  port=$(port_of "$listen")
  local_url="http://127.0.0.1:$port"
  if [ -n "$public" ]; then
    url=${public%/}
  elif is_wildcard "$host"; then
    ip=$(hostname -I 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i !~ /:/) { print $i; exit } }' || true)
    if [ -n "$ip" ]; then url="http://$ip:$port"; else url=$local_url; fi
  else
    case $host in *:*) url="http://[$host]:$port" ;; *) url="http://$host:$port" ;; esac
  fi
  link=$(as_haulbox "$CURRENT/haulbox" setup-link --config "$CONFIG" 2>/dev/null) || link="?"

  say ""
  say "Haulbox $VERSION is running."
  say "  Open it at:  $url"
  if [ "$url" != "$local_url" ] && [ -z "$public" ]; then say "  (on this machine itself: $local_url)"; fi
  if [ "$link" = "?" ]; then
    say "  Could not make the setup link. Get it with:"
    say "    sudo -u $USER_NAME haulbox setup-link --config ${CONFIG#"$ROOT"}"
  elif [ -n "$link" ]; then
    if [ -z "$public" ] && [ "$url" != "$local_url" ]; then link=$(printf '%s' "$link" | sed "s|^http://127\\.0\\.0\\.1:|${url%:*}:|"); fi
    say ""
    say "  Create the owner account with this one-time link (it works once; lost it? run"
    say "  sudo -u $USER_NAME haulbox setup-link --config ${CONFIG#"$ROOT"} for a new one):"
    say "    $link"
  else
    say "  Log in with your owner account."
  fi
  if [ "$1" = yes ] && is_wildcard "$host"; then
    mqtt_port=$(port_of "$(config_value "$CONFIG" mqtt.listen 127.0.0.1:1883)")
    say ""
    say "  Haulbox listens on all of this machine's network addresses (web page on port $port, trucks'"
    say "  MQTT on port $mqtt_port), so your phone, your office computer and the trucks can reach it."
    say "  On a server on the internet anyone can reach those ports too: create the owner account now,"
    say "  and put HTTPS in front of it (see the README) or let only your own addresses through the"
    say "  firewall. To keep it to this machine only, set  listen: 127.0.0.1:$port  in"
    say "  ${CONFIG#"$ROOT"} and run: sudo systemctl restart haulbox"
  fi
  say ""
  say "  Config: ${CONFIG#"$ROOT"}    Data: $(data_dir_of "$CONFIG")    Log: journalctl -u $SERVICE -f"
  say "  Upgrade: run this installer again.    Remove: sudo sh install.sh --uninstall"
}

# ---------------------------------------------------------------------------------------------
# Uninstall

uninstall_haulbox() {
  purge=$1
  say "Haulbox uninstaller"
  require_root "$ORIGINAL_ARGS"
  data=$DATA_DIR
  if [ -f "$CONFIG" ]; then data=$(data_dir_of "$CONFIG"); fi
  found=no
  if [ -f "$UNIT_FILE" ] || [ -d "$OPT_DIR" ]; then found=yes; fi
  if have systemctl && [ -f "$UNIT_FILE" ]; then
    if service_active; then
      systemctl stop "$SERVICE"
      step "Stopped the haulbox service"
    fi
    systemctl disable --quiet "$SERVICE" || true
    rm -f "$UNIT_FILE"
    systemctl daemon-reload || true
    systemctl reset-failed "$SERVICE" 2>/dev/null || true
    step "Removed the service"
  fi
  if [ -L "$BIN_LINK" ]; then
    case $(readlink "$BIN_LINK") in "$OPT_DIR"/*) rm -f "$BIN_LINK" ;; esac
  fi
  if [ -d "$OPT_DIR" ]; then
    rm -rf "$OPT_DIR"
    step "Removed the program ($OPT_DIR)"
  fi
  if [ "$purge" = yes ]; then
    if [ -e "$ETC_DIR" ] || [ -e "$DATA_DIR" ]; then
      found=yes
      rm -rf "$ETC_DIR" "$DATA_DIR"
      step "Deleted the config ($ETC_DIR) and all data ($DATA_DIR)"
    fi
    if [ "$data" != "$DATA_DIR" ] && [ -e "$data" ]; then
      warn "your config kept data in $data as well; delete that folder yourself if you want it gone."
    fi
    if getent passwd "$USER_NAME" >/dev/null 2>&1; then
      found=yes
      userdel "$USER_NAME"
      step "Deleted the user $USER_NAME"
    fi
    if [ "$found" = no ]; then say "Haulbox was not installed here; nothing to remove."; return 0; fi
    say ""
    say "Haulbox is removed, with its config and all its data."
  else
    if [ "$found" = no ]; then say "Haulbox is not installed here (no $OPT_DIR, no service); nothing to remove."; return 0; fi
    say ""
    say "Haulbox is removed. Your config ($ETC_DIR) and data ($data) are kept, with the $USER_NAME user:"
    say "installing again picks them up. To delete them too, run the uninstaller with --purge."
  fi
}

# ---------------------------------------------------------------------------------------------

main() {
  ORIGINAL_ARGS="$*"
  mode=install
  purge=no
  from_file=""
  while [ $# -gt 0 ]; do
    case $1 in
      -h | --help)
        usage
        exit 0
        ;;
      --uninstall) mode=uninstall ;;
      --purge) purge=yes ;;
      --from-file)
        [ $# -ge 2 ] || die "--from-file needs the path of the bundle, like --from-file haulbox-0.1.0-linux-x64.tar.gz"
        from_file=$2
        shift
        ;;
      --from-file=*) from_file=${1#--from-file=} ;;
      *)
        printf 'Unknown option: %s\n\n' "$1" >&2
        usage >&2
        exit 2
        ;;
    esac
    shift
  done
  if [ "$purge" = yes ] && [ "$mode" != uninstall ]; then
    die "--purge deletes all Haulbox data and only goes with --uninstall: sh install.sh --uninstall --purge"
  fi
  if [ "$mode" = uninstall ] && [ -n "$from_file" ]; then die "--from-file and --uninstall do not go together."; fi
  case $from_file in '' | /*) ;; *) from_file="$(pwd)/$from_file" ;; esac

  # Folders and files readable by the haulbox user even where root's umask is stricter (modes that
  # must be tighter are set one by one).
  umask 022
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
  if [ "$mode" = uninstall ]; then uninstall_haulbox "$purge"; else install_haulbox "$from_file"; fi
}

# Everything above only defines functions: a download cut short runs nothing.
main "$@"
