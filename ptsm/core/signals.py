"""Signals shared by the apps (the core app depends on none of them)."""

from django.dispatch import Signal

# Data changed outside any request and any job (a management command): the projects app marks
# every project's cached pages outdated (`projects/freshness.py`).
data_changed = Signal()
