#!/usr/bin/env bash
# Installs klachten with everything it needs: system libraries for PDF (WeasyPrint),
# fonts, Chromium for the browser tests, and the Python package with its test extras.
# Safe to run again. System packages are only installed when missing and when we may (root or sudo).
set -euo pipefail
cd "$(dirname "$0")"

SYSTEM_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation
                 chromium shared-mime-info)
missing=()
if command -v dpkg >/dev/null 2>&1; then
  for p in "${SYSTEM_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  echo "Systeempakketten installeren: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
echo "klachten is geïnstalleerd: $(command -v klachten)"
