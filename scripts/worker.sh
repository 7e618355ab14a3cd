#!/usr/bin/env bash
# The background-job worker of the configured queue (TASKS_BACKEND=db: the database table;
# rq: Redis). `make run` and `make serve` start one beside the web server.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${TASKS_BACKEND:-db}" = "rq" ]; then
  exec .venv/bin/python manage.py rqworker --job-class django_tasks_rq.Job default
else
  exec .venv/bin/python manage.py db_worker --no-reload --interval 0.5
fi
