"""Benchmark: the main pages of a Nord-scale project served by `make serve`'s stack (gunicorn,
3 workers, DEBUG=0) — median and p95 per page, then 16 concurrent clients (requests/s, p95).

Nord scale: 648 communes, 2,000 organisations, 5,000 contacts, 300 fiches-actions. A throw-away
SQLite database (or DATABASE_URL). Figures, not assertions (see README, « Mise en production »).
"""

import http.cookiejar
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='ptsm-bench-')}/pages.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="ptsm-bench-media-"))

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

from django.core.management import call_command  # noqa: E402

from ptsm.accounts.models import Membership, Role, User  # noqa: E402
from ptsm.organisations.models import Contact, Organisation  # noqa: E402
from ptsm.projects.services import create_project  # noqa: E402
from ptsm.roadmap.models import Action, ActionStatus, Objective, Orientation, Theme  # noqa: E402
from ptsm.roadmap.services import renumber  # noqa: E402
from ptsm.territories.models import Departement  # noqa: E402
from ptsm.territories.services import load_referential  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "banc-essai-pages-2026"  # noqa: S105 — a throw-away database
CLIENTS, SECONDS, SEQUENTIAL = 16, 15, 25


def build() -> str:
    call_command("migrate", verbosity=0)
    load_referential(only_departements={"59"})
    nord = Departement.objects.get(code="59")
    project = create_project(
        name="PTSM du Nord",
        region=nord.region,
        start_date=dt.date(2026, 1, 5),
        territory_name="Nord",
        departements=[nord],
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(project=project, name=f"Organisation {i:04d}", category="medico_social")
        for i in range(2000)
    )
    Contact.objects.bulk_create(
        Contact(
            project=project,
            organisation=organisations[i % 2000],
            first_name="Prénom",
            last_name=f"Nom {i:04d}",
            email=f"contact{i}@exemple.fr",
        )
        for i in range(5000)
    )
    for o in range(10):
        orientation = Orientation.objects.create(project=project, title=f"Orientation {o + 1}")
        objective = Objective.objects.create(
            theme=Theme.objects.create(orientation=orientation, title="Thématique"),
            title="Objectif",
        )
        actions = Action.objects.bulk_create(
            Action(
                objective=objective,
                title=f"Fiche-action {o}-{a}",
                position=a,
                status=ActionStatus.VALIDATED,
                pilot_organisation=organisations[a],
            )
            for a in range(30)
        )
        for index, action in enumerate(actions):
            action.operators.add(organisations[index * 5])
    renumber(project=project)
    user = User.objects.create_user(
        email="chef@banc.fr", password=PASSWORD, first_name="Chef", last_name="Projet"
    )
    Membership.objects.create(user=user, project=project, role=Role.PROJECT_LEAD)
    return project.slug


def serve() -> subprocess.Popen:
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
    call_command("collectstatic", "--noinput", verbosity=0)
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


def logged_in_opener():
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    for _ in range(100):
        try:
            page = opener.open(BASE + "/comptes/connexion/", timeout=10).read().decode()
            break
        except OSError:
            time.sleep(0.3)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "chef@banc.fr", "password": PASSWORD}
    ).encode()
    opener.open(
        urllib.request.Request(
            BASE + "/comptes/connexion/", data=form, headers={"Referer": BASE + "/"}
        ),
        timeout=30,
    )
    return opener, jar


def fetch(opener, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    with opener.open(
        urllib.request.Request(BASE + path, headers={"Accept-Encoding": "gzip"}), timeout=60
    ) as response:
        size = len(response.read())
    return time.perf_counter() - started, size


def main() -> None:
    slug = build()
    pages = {
        "tableau de bord": f"/projets/{slug}/",
        "annuaire": f"/projets/{slug}/annuaire/",
        "gouvernance": f"/projets/{slug}/gouvernance/",
        "diagnostic": f"/projets/{slug}/diagnostic/",
        "feuille de route": f"/projets/{slug}/feuille-de-route/",
        "engagements": f"/projets/{slug}/engagements/",
        "documents": f"/projets/{slug}/documents/",
        "évaluation": f"/projets/{slug}/evaluation/",
    }
    server = serve()
    try:
        opener, jar = logged_in_opener()
        for path in pages.values():  # warm every worker's caches
            for _ in range(3):
                fetch(opener, path)
        print(f"{'page':<18} {'médiane':>9} {'p95':>9} {'taille gzip':>12}")
        for label, path in pages.items():
            timings, size = [], 0
            for _ in range(SEQUENTIAL):
                elapsed, size = fetch(opener, path)
                timings.append(elapsed)
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(
                f"{label:<18} {statistics.median(timings) * 1000:7.1f} ms {p95 * 1000:7.1f} ms "
                f"{size / 1024:9.1f} Ko"
            )
        paths = list(pages.values())
        timings: list[float] = []
        lock, deadline = threading.Lock(), time.monotonic() + SECONDS

        def client(offset: int) -> None:
            own = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            index = offset
            while time.monotonic() < deadline:
                elapsed, _size = fetch(own, paths[index % len(paths)])
                index += 1
                with lock:
                    timings.append(elapsed)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        timings.sort()
        print(
            f"{CLIENTS} clients pendant {SECONDS} s : {len(timings) / SECONDS:.0f} requêtes/s, "
            f"médiane {statistics.median(timings) * 1000:.0f} ms, "
            f"p95 {timings[int(len(timings) * 0.95) - 1] * 1000:.0f} ms"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


if __name__ == "__main__":
    main()
