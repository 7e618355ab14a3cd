import pytest

from ptsm.territories.services import load_referential


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real referential (all of France) once; tests run in rolled-back transactions."""
    with django_db_blocker.unblock():
        load_referential()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Background jobs run inside the request that starts them, so that a test sees their
    result; tests/jobs runs them on the real queues (database table, Redis) with real workers."""
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    """Tests write through services and the ORM between two pages, where the application only
    writes through requests, jobs and commands (which outdate the cached pages): the pages'
    cache is tested on its own in tests/projects/test_freshness.py."""
    settings.PTSM_PAGE_CACHE = False


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _flushes_the_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # Everything under tests/browser drives Chromium: marked so, even when a file forgets it,
    # so that `-m "not browser"` (make test-fast) never runs it.
    for item in items:
        if "browser" in item.path.parent.parts[-1:]:
            item.add_marker(pytest.mark.browser)
    # Browser tests and transactional tests (real concurrent writers) need committed data and
    # flush the database afterwards: run them last so that the referential loaded once for the
    # session stays available to all other tests.
    items.sort(
        key=lambda item: (
            item.get_closest_marker("browser") is not None,
            _flushes_the_database(item),
        )
    )


@pytest.fixture
def committed_referential(transactional_db):
    """For transactional tests: the départements they use, reloaded if a flush removed them."""
    from ptsm.territories.models import Commune

    if not Commune.objects.filter(departement_id__in=("29", "79")).exists():
        load_referential(force=True, only_departements={"29", "79"})


@pytest.fixture
def smtp_server(settings):
    """Route Django's SMTP backend to a real SMTP server listening on 127.0.0.1."""
    import socket

    from aiosmtpd.controller import Controller

    from tests.smtp import Mailbox

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield mailbox
    controller.stop()


@pytest.fixture(autouse=True)
def empty_cache():
    """Throttling counters (password reset) live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
