"""What the serving benchmarks share (bench/pages.py, bench/api.py): a throw-away database and
settings, `make serve`'s stack started for real (gunicorn, 3 workers, DEBUG=0), and the timing
of one client after another, then of 16 concurrent clients.

Imported first: it sets up Django. Figures, not assertions (see README)."""

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='ptsm-bench-')}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="ptsm-bench-media-"))

import django  # noqa: E402

django.setup()

PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "banc-essai-pages-2026"  # noqa: S105 — a throw-away database
CLIENTS, SECONDS, SEQUENTIAL = 16, 15, 25


def serve() -> subprocess.Popen:
    """gunicorn as `make serve` starts it, in its own process group (see `stop`)."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "banc-essai-pages",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_REQUESTS_LEVEL": "WARNING",
        "BIND": f"127.0.0.1:{PORT}",
        "WEB_CONCURRENCY": "3",
    }
    # With the server's settings (DEBUG=0): the static files' manifest its pages need.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "-c",
            "config/gunicorn.conf.py",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait()


def wait_until_up(probe: Callable[[], object], attempts: int = 100) -> None:
    """Call `probe` until the server answers it (a connection refused means not yet up)."""
    for _ in range(attempts):
        try:
            probe()
            return
        except OSError:
            time.sleep(0.3)
    probe()


def p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[int(len(ordered) * 0.95) - 1]


def one_after_another(fetch: Callable[[], tuple[float, int]], count: int = SEQUENTIAL) -> dict:
    """`fetch` returns (seconds, size): median, p95 and the last size."""
    timings, size = [], 0
    for _ in range(count):
        elapsed, size = fetch()
        timings.append(elapsed)
    return {"median": statistics.median(timings), "p95": p95(timings), "size": size}


def concurrently(
    fetch: Callable[[int, int], tuple[float, int]], clients: int = CLIENTS, seconds: int = SECONDS
) -> dict:
    """`clients` threads calling fetch(client, n) for `seconds`: requests/s, median, p95."""
    timings: list[float] = []
    lock, deadline = threading.Lock(), time.monotonic() + seconds

    def run(client: int) -> None:
        n = 0
        while time.monotonic() < deadline:
            elapsed, _size = fetch(client, n)
            n += 1
            with lock:
                timings.append(elapsed)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "rate": len(timings) / seconds,
        "median": statistics.median(timings),
        "p95": p95(timings),
        "count": len(timings),
    }


def load() -> str:
    """The machine's load averages, to read the figures with."""
    one, five, fifteen = os.getloadavg()
    return f"charge de la machine {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cœurs)"
