#!/usr/bin/env bash
# Installs the Debian packages the end-to-end tests use, when they are missing:
# Chromium (driven by Playwright through /usr/bin/chromium — no browser download) and npm.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo_cmd=(sudo -n)
else
  echo "Paquets manquants pour les tests navigateur : ${missing[*]} (apt-get install ${missing[*]})." >&2
  exit 1
fi
echo "Installation des paquets Debian : ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
