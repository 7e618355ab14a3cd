"""Benchmark: the main pages of a Nord-scale project served by `make serve`'s stack (gunicorn,
3 workers, DEBUG=0) — median and p95 per page, then 16 concurrent clients (requests/s, p95).

Nord scale: 648 communes, 2,000 organisations, 5,000 contacts, 300 fiches-actions. A throw-away
SQLite database (or DATABASE_URL). Figures, not assertions (see README, « Mise en production »).
"""

import datetime as dt
import http.cookiejar
import re
import time
import urllib.parse
import urllib.request

import serving  # bench/serving.py sets Django up: before any model is imported
from django.core.management import call_command
from serving import BASE, PASSWORD, concurrently, one_after_another, serve, stop

from ptsm.accounts.models import Membership, Role, User
from ptsm.organisations.models import Contact, Organisation
from ptsm.projects.services import create_project
from ptsm.roadmap.models import Action, ActionStatus, Objective, Orientation, Theme
from ptsm.roadmap.services import renumber
from ptsm.territories.models import Departement
from ptsm.territories.services import load_referential


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
            alone = one_after_another(lambda path=path: fetch(opener, path))
            print(
                f"{label:<18} {alone['median'] * 1000:7.1f} ms {alone['p95'] * 1000:7.1f} ms "
                f"{alone['size'] / 1024:9.1f} Ko"
            )
        paths = list(pages.values())
        openers = {}

        def client(number: int, n: int) -> tuple[float, int]:
            own = openers.setdefault(
                number, urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            )
            return fetch(own, paths[(number + n) % len(paths)])

        together = concurrently(client)
        print(
            f"{serving.CLIENTS} clients pendant {serving.SECONDS} s : "
            f"{together['rate']:.0f} requêtes/s, médiane {together['median'] * 1000:.0f} ms, "
            f"p95 {together['p95'] * 1000:.0f} ms ; {serving.load()}"
        )
    finally:
        stop(server)


if __name__ == "__main__":
    main()
