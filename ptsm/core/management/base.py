from django.core.management.base import BaseCommand

from ptsm.core.signals import data_changed


class DataCommand(BaseCommand):
    """A command that writes data the pages show: once it has run (even when it failed half-way),
    the pages cached until then are no longer served."""

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        finally:
            data_changed.send(sender=type(self))
