"""gunicorn settings for ptsm (`make serve`, systemd unit in the README). Every value can be
overridden by the environment variable named beside it."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Two to four workers per core; each keeps its own Typst compiler warm.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Document generation may still run in a request (until it moves to the task queue).
timeout = int(os.environ.get("WEB_TIMEOUT", "120"))
graceful_timeout = 30
# Recycle workers now and then so that a slow leak never grows unbounded.
max_requests = 2000
max_requests_jitter = 200
# Never load the app in the master: Typst starts threads, and a process that has composed a PDF
# must not fork and compose again (see ARCHITECTURE.md, Documents).
preload_app = False
# The reverse proxy's address: only its X-Forwarded-* headers are believed.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# ptsm writes its own request log line (JSON, with request id, user and duration).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
