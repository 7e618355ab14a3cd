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

BASE = sys.argv[1].rstrip("/")
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def get(path: str):
    return opener.open(BASE + path, timeout=30)


def wait_until_up(seconds: int = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if get("/sante/vivant").status == 200:
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(2)
    sys.exit("make serve ne répond pas sur /sante/vivant")


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
    print("make serve : santé OK, page du projet servie à un utilisateur connecté (DEBUG=0).")


if __name__ == "__main__":
    main()
