from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demonstration data (`load_demo`): it uses every domain app's services, so it lives
    outside them, at the top of the dependencies (ARCHITECTURE.md)."""

    name = "ptsm.demo"
    label = "demo"
    verbose_name = "Démonstration"
