#!/usr/bin/env bash
# Installs, as root, what the operating system must provide for Qingquan on Debian 12:
# Asterisk 16 from Debian 11 (bookworm has none), baresip (test SIP phones), SIPp, sox, espeak-ng,
# redis-server, Debian's Chromium and a CJK font (the browser tests and screenshots), and PostgreSQL 15 (the
# database tests and the reports benchmark start private clusters with its binaries; the system cluster is
# neither needed nor touched, running or not). Idempotent: a second run changes nothing.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "install-system.sh must run as root (it uses apt-get)" >&2
  exit 1
fi

need_update=0
if [ ! -f /etc/apt/sources.list.d/bullseye.sources ]; then
  # Derive the bullseye source from the machine's own deb822 file (no host name written here).
  sed -e 's/bookworm bookworm-updates/bullseye/' /etc/apt/sources.list.d/debian.sources \
    | awk 'BEGIN{RS="";ORS="\n\n"} !/security/' > /etc/apt/sources.list.d/bullseye.sources
  need_update=1
fi
if [ ! -f /etc/apt/preferences.d/bullseye-asterisk ]; then
  printf 'Package: *\nPin: release n=bullseye\nPin-Priority: 100\n' > /etc/apt/preferences.d/bullseye-asterisk
  need_update=1
fi

packages="baresip-core sip-tester sox espeak-ng redis-server chromium fonts-wqy-microhei python3-venv postgresql"
missing=""
command -v asterisk >/dev/null || missing="asterisk"
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "system packages: all present"
  exit 0
fi
echo "system packages to install:$missing"
export DEBIAN_FRONTEND=noninteractive
if [ "$need_update" = 1 ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
  apt-get update -q
else
  apt-get update -q || true
fi
if ! command -v asterisk >/dev/null; then
  apt-get install -y -q --no-install-recommends asterisk/bullseye
fi
apt-get install -y -q --no-install-recommends $packages
# The package's own system service is never used: Qingquan runs a private instance.
if command -v systemctl >/dev/null; then systemctl disable --now asterisk >/dev/null 2>&1 || true; fi
echo "system packages: installed"
