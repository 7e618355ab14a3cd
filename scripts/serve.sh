#!/usr/bin/env bash
# `make serve`: ptsm as in production (DEBUG=0, gunicorn, static files by WhiteNoise) on the
# configured database (SQLite by default), with the demo loaded. On a workstation without TLS
# the HTTPS-only settings are relaxed unless they are set; a real deployment sets them (README).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

export DEBUG=0
if [ -z "${SECRET_KEY:-}" ]; then
  # One key per installation, kept out of git, so that sessions survive a restart.
  [ -s .secret_key ] || "$BIN/python" -c "import secrets; print(secrets.token_urlsafe(50))" > .secret_key
  SECRET_KEY="$(cat .secret_key)"
  export SECRET_KEY
fi
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-0}"
export SESSION_COOKIE_SECURE="${SESSION_COOKIE_SECURE:-0}"
export CSRF_COOKIE_SECURE="${CSRF_COOKIE_SECURE:-0}"
export SECURE_HSTS_SECONDS="${SECURE_HSTS_SECONDS:-0}"

"$BIN/python" manage.py collectstatic --noinput --verbosity 0
"$BIN/python" manage.py migrate --noinput
if [ "${LOAD_DEMO:-1}" = "1" ]; then
  "$BIN/python" manage.py load_territories
  "$BIN/python" manage.py load_demo
fi
echo "ptsm (DEBUG=0, gunicorn) sur http://${BIND:-127.0.0.1:8000}/ — santé : /sante/vivant, /sante/pret"
# The worker beside the web server (a deployment on several machines runs `make worker`, or
# the systemd unit of the README, on each machine that should run jobs).
if [ "${START_WORKER:-1}" = "1" ]; then
  scripts/worker.sh &
  worker=$!
  trap 'kill "$worker" 2>/dev/null || true' EXIT
fi
"$BIN/gunicorn" config.wsgi:application --config config/gunicorn.conf.py
