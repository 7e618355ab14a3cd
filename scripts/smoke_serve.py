"""CI smoke test of `make serve`: the production server answers its health endpoints and serves
a project page to a logged-in user. Usage: smoke_serve.py http://127.0.0.1:8765"""

import http.cookiejar
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = sys.argv[1].rstrip("/")
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def get(path: str):
    return opener.open(BASE + path, timeout=30)


def wait_until_up(seconds: int = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if get("/sante/vivant").status == 200:
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(2)
    sys.exit("make serve ne répond pas sur /sante/vivant")


def csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def import_finess_through_the_worker() -> None:
    """Upload a FINESS file: the page answers at once and the worker beside the server imports."""
    url = BASE + "/projets/demo/annuaire/importer/finess/"
    token = csrf_token(get("/projets/demo/annuaire/importer/finess/").read().decode())
    sample = ROOT / "tests" / "organisations" / "data" / "finess-sample-latin1.csv"
    boundary = "ptsm-smoke-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="etalab.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        + sample.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        url,
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": url},
    )
    job_page = opener.open(request, timeout=30)
    assert "/travaux/" in job_page.url, "l'analyse n'a pas ouvert la page du travail"
    page = wait_for_job(job_page.url, "Analyse terminée")
    # The analysis offers the groups of categories found; the smoke test keeps those ticked
    # by default, as a user who only clicks « Importer » does.
    choose_path = re.search(r'href="(/projets/demo/annuaire/importer/finess/[^"]+)"', page).group(1)
    choose_page = get(choose_path).read().decode()
    fields = [("csrfmiddlewaretoken", csrf_token(choose_page))] + [
        ("groups", value)
        for value in re.findall(r'name="groups" value="([^"]+)"[^>]*checked', choose_page)
    ]
    request = urllib.request.Request(
        BASE + choose_path,
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Referer": BASE + choose_path},
    )
    import_page = opener.open(request, timeout=30)
    assert "/travaux/" in import_page.url, "l'import n'a pas ouvert la page du travail"
    wait_for_job(import_page.url, "Import FINESS terminé")


def wait_for_job(url: str, done: str) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        page = opener.open(url, timeout=30).read().decode()
        if done in page:
            return page
        assert "Échec" not in page, f"le travail a échoué : {url}"
        time.sleep(1)
    sys.exit(f"le serveur de travaux n'a pas fini « {done} » en 2 minutes")


def main() -> None:
    wait_until_up()
    ready = json.load(get("/sante/pret"))
    assert ready["etat"] == "ok", ready
    login_page = get("/comptes/connexion/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "username": "chef.projet@demo.ptsm.fr",
            "password": "demo-ptsm-2026",
        }
    ).encode()
    request = urllib.request.Request(
        BASE + "/comptes/connexion/", data=form, headers={"Referer": BASE + "/comptes/connexion/"}
    )
    opener.open(request, timeout=30)
    page = get("/projets/demo/")
    body = page.read().decode()
    assert page.status == 200 and "Finistère" in body, "tableau de bord du projet de démo absent"
    assert page.headers.get("X-Request-ID"), "pas d'identifiant de requête"
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', body).group(1)
    css = opener.open(
        urllib.request.Request(BASE + stylesheet, headers={"Accept-Encoding": "gzip"}), timeout=30
    )
    assert css.status == 200 and css.headers.get("Content-Encoding") == "gzip", (
        "feuille de style non servie compressée par WhiteNoise"
    )
    import_finess_through_the_worker()
    print("make serve : santé OK, page du projet servie à un utilisateur connecté (DEBUG=0).")


if __name__ == "__main__":
    main()
