#!/usr/bin/env bash
# Installs, from Debian, the real servers the integration tests start on 127.0.0.1.
# Each test starts its own instance with its own config and data dir, and stops it.
set -euo pipefail

packages=(mosquitto mosquitto-clients influxdb victoria-metrics redis-server haproxy postgresql openssl socat chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-servers: missing Debian packages: ${missing[*]} (run as root, or install them: apt-get install -y ${missing[*]})" >&2
  exit 1
fi
echo "install-test-servers: apt-get install ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
# The packages' own services are not ours: tests start their own instances.
for s in mosquitto influxdb victoria-metrics redis-server haproxy postgresql; do
  systemctl disable --now "$s" >/dev/null 2>&1 || service "$s" stop >/dev/null 2>&1 || true
done
