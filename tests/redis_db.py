"""Redis databases for tests that use the real server (127.0.0.1:6379)."""

import os


def redis_test_url(database: int) -> str:
    """`database` for the first pytest-xdist worker, two lower for each next one: parallel
    workers never flush each other's queue or cache (gw0: 15 and 14, gw1: 13 and 12…)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker.removeprefix("gw") or 0)
    return f"redis://127.0.0.1:6379/{database - 2 * index}"
