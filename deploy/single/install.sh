#!/usr/bin/env bash
# Installs `airbox serve` as a systemd service on one Debian/Ubuntu machine, with a daily
# backup. Idempotent: run it again after an upgrade; it changes only what differs and
# prints one line for each thing it checked or did.
#
#   sudo bash deploy/single/install.sh
#
# It expects the code already built at AIRBOX_HOME (default /opt/airbox):
#   git clone <repository> /opt/airbox && cd /opt/airbox && CI=1 bash scripts/bootstrap.sh
# It does not start anything: it prints the commands that do.
#
# Environment:
#   AIRBOX_HOME  where the repository is (default /opt/airbox)
#   NODE_BIN     the node binary for the units (default: `command -v node`)
#   DESTDIR      write everything under this root instead of / (packaging, or to look at
#                the result first); no user, no owners, no systemctl then
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
home=${AIRBOX_HOME:-/opt/airbox}
dest=${DESTDIR:-}
node=${NODE_BIN:-$(command -v node || true)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

say() { printf 'install: %s\n' "$*"; }
die() {
  printf 'install: %s\n' "$*" >&2
  exit 1
}

check_prerequisites() {
  [ "$(id -u)" -eq 0 ] || die "run as root (sudo bash $0): it creates a system user and writes to /etc"
  { [ -n "$node" ] && [ -x "$node" ]; } || die "node not found: install Node.js 20 (or set NODE_BIN)"
  local major
  major=$("$node" -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "$node is Node.js $major; airbox needs 20 (package.json engines)"
  case "$home" in
    /home/* | /root/* | /run/user/*)
      die "AIRBOX_HOME=$home is hidden from the service (ProtectHome=yes): put the code in /opt/airbox"
      ;;
  esac
  [ -f "$home/cli/bin/airbox.js" ] ||
    die "no airbox at $home: clone the repository there and run 'CI=1 bash scripts/bootstrap.sh' (or set AIRBOX_HOME)"
  if [ ! -f "$home/cli/dist/airbox.mjs" ]; then
    say "warning: $home is not built (no cli/dist/airbox.mjs); run 'bash scripts/bootstrap.sh' there"
  fi
}

ensure_user() {
  if getent passwd airbox > /dev/null; then
    say "user airbox exists"
  elif [ -n "$dest" ]; then
    say "would create system user airbox (skipped: DESTDIR is set)"
  else
    useradd --system --user-group --home-dir /var/lib/airbox --no-create-home \
      --shell /usr/sbin/nologin --comment 'AirBox server' airbox
    say "created system user airbox"
  fi
}

# ensure_dir PATH MODE OWNER:GROUP — creates or converges a directory.
ensure_dir() {
  local path=$dest$1 mode=$2 owner=$3 state=exists
  if [ ! -d "$path" ]; then
    mkdir -p "$path"
    state=created
  fi
  chmod "$mode" "$path"
  [ -n "$dest" ] || chown "$owner" "$path"
  say "$state $path ($mode $owner)"
}

# install_file SOURCE TARGET MODE OWNER:GROUP POLICY — POLICY replace: ours, kept in step
# with the repository; keep: the operator's once installed (the shipped one goes to .new,
# to show new options after an upgrade); once: installed when missing, then never again.
install_file() {
  local src=$1 target=$dest$2 mode=$3 owner=$4 policy=$5
  local -a own=()
  [ -n "$dest" ] || own=(-o "${owner%%:*}" -g "${owner##*:}")
  if [ -f "$target" ] && cmp -s "$src" "$target"; then
    say "unchanged $target"
  elif [ -f "$target" ] && [ "$policy" = once ]; then
    say "kept $target (yours)"
  elif [ -f "$target" ] && [ "$policy" = keep ]; then
    install -m "$mode" "${own[@]}" "$src" "$target.new"
    say "kept $target as edited; the shipped version is $target.new (diff them)"
  else
    local verb=installed
    [ -f "$target" ] && verb=updated
    install -D -m "$mode" "${own[@]}" "$src" "$target"
    say "$verb $target ($mode $owner)"
  fi
}

# The units name /opt/airbox and /usr/bin/node; write the paths of this machine instead.
render() {
  sed -e "s#/opt/airbox#$home#g" -e "s#/usr/bin/node#$node#g" "$1"
}

install_units() {
  local tmp=$work unit
  for unit in airbox.service airbox-backup.service airbox-backup.timer; do
    render "$here/$unit" > "$tmp/$unit"
    install_file "$tmp/$unit" "/etc/systemd/system/$unit" 0644 root:root replace
  done
  printf '#!/bin/sh\n# Installed by deploy/single/install.sh: the airbox command for operators.\nexec %s %s "$@"\n' \
    "$node" "$home/cli/bin/airbox.js" > "$tmp/airbox"
  if [ -e "$dest/usr/local/bin/airbox" ] && ! grep -q 'deploy/single/install.sh' "$dest/usr/local/bin/airbox"; then
    say "left $dest/usr/local/bin/airbox alone: it is not ours"
  else
    install_file "$tmp/airbox" /usr/local/bin/airbox 0755 root:root replace
  fi
}

reload_systemd() {
  if [ -n "$dest" ] || [ ! -d /run/systemd/system ]; then
    say "skipped systemctl daemon-reload (no running systemd here)"
    return
  fi
  systemctl daemon-reload
  say "ran systemctl daemon-reload"
  if systemctl is-active --quiet airbox.service; then
    say "airbox.service is running: 'systemctl restart airbox' applies a new version or unit"
  fi
}

check_prerequisites
ensure_user
ensure_dir /etc/airbox 0750 root:airbox
ensure_dir /etc/airbox/tls 0750 root:airbox
ensure_dir /var/lib/airbox 0750 airbox:airbox
ensure_dir /var/backups/airbox 0750 airbox:airbox
install_file "$here/airbox.conf" /etc/airbox/airbox.conf 0640 root:airbox keep
install_file "$here/airbox.env.example" /etc/airbox/airbox.env 0600 root:root once
install_units
reload_systemd

cat << EOF
install: done. Next:
  1. options: $dest/etc/airbox/airbox.conf   secrets: $dest/etc/airbox/airbox.env
  2. systemctl enable --now airbox.service airbox-backup.timer
  3. journalctl -u airbox -f            (the 'listening' line shows the ports)
  4. sudo -u airbox airbox device add my-box-01 --data-dir /var/lib/airbox
  Bound the journal: $here/journald-airbox.conf (see deploy/README.md).
EOF
