"""`make screenshots`: every page each demo role reaches, at 1280 and 390 px, into one folder.

A reviewer opens `<folder>/index.html` and looks at every page without clicking through the
application. The script builds its own SQLite database with the referential and the demo, serves
it on a free port, logs in as each role of the demo (the ARS administrator with their TOTP code)
and follows the links of the main menu and of each page it reaches, GET only, up to a bound.

    .venv/bin/python scripts/screenshots.py [dossier]      (default: screenshots/)
"""

import html
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "demo-ptsm-2026"
ROLES = [
    ("chef-de-projet", "chef.projet@demo.ptsm.fr"),
    ("administrateur-ars", "ars@demo.ptsm.fr"),
    ("membre-copil", "copil@demo.ptsm.fr"),
    ("pilote", "pilote@demo.ptsm.fr"),
    ("signataire", "signataire@demo.ptsm.fr"),
    ("lecteur", "lecteur@demo.ptsm.fr"),
]
WIDTHS = (1280, 390)
MAX_PAGES_PER_ROLE = 80
# Pages of one kind (an organisation, a fiche-action…) photographed per role: two are enough.
SAME_KIND = 2
# Links that download a file, change something or leave the application.
SKIPPED = re.compile(
    r"(telecharger|/export|\.(pdf|docx|xlsx|pptx|csv|zip|ics|json)$|deconnexion|/admin/|^mailto:)"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_until_up(url: str, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/sante/vivant", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"Le serveur {url} ne répond pas.")


def totp_code(env: dict, email: str) -> str:
    code = (
        "import django, time; django.setup();"
        "from django_otp.oath import TOTP;"
        "from django_otp.plugins.otp_totp.models import TOTPDevice;"
        f"d = TOTPDevice.objects.get(user__email={email!r}, confirmed=True);"
        "t = TOTP(d.bin_key, d.step, d.t0, d.digits, d.drift); t.time = time.time();"
        "print(f'{t.token():0{d.digits}d}')"
    )
    return subprocess.run(
        [str(PYTHON), "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def log_in(page, base: str, env: dict, email: str) -> None:
    page.goto(f"{base}/comptes/connexion/")
    page.get_by_role("textbox", name="Adresse électronique").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    if "double-authentification" in page.url:
        page.get_by_role("textbox", name="Code à 6 chiffres").fill(totp_code(env, email))
        page.get_by_role("button", name="Valider").click()
        page.wait_for_load_state()


def file_name(path: str) -> str:
    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")
    return name or "accueil"


def reachable_links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "main a[href], nav a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    paths = []
    for href in hrefs:
        if not href or href.startswith("#") or SKIPPED.search(href):
            continue
        parts = urlsplit(href)
        if parts.netloc and f"{parts.scheme}://{parts.netloc}" != base:
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def crawl(browser, base: str, env: dict, role: str, email: str, out: Path) -> list[str]:
    contexts = {
        width: browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
        for width in WIDTHS
    }
    pages = {width: context.new_page() for width, context in contexts.items()}
    for page in pages.values():
        log_in(page, base, env, email)
    seen: list[str] = []
    kinds: dict[str, int] = {}
    queue = ["/"]
    while queue and len(seen) < MAX_PAGES_PER_ROLE:
        path = queue.pop(0)
        kind = re.sub(r"/\d+/", "/<n>/", path)
        if path in seen or kinds.get(kind, 0) >= SAME_KIND:
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        seen.append(path)
        for width, page in pages.items():
            try:
                response = page.goto(f"{base}{path}")
            except Exception as exc:  # a download or a navigation the browser refuses
                print(f"  {role} {path}: {exc.__class__.__name__}", file=sys.stderr)
                break
            if response is None or response.status >= 400:
                print(f"  {role} {path}: {response.status if response else '—'}", file=sys.stderr)
            page.screenshot(path=str(out / role / f"{file_name(path)}-{width}.png"), full_page=True)
            if width == WIDTHS[0]:
                queue.extend(p for p in reachable_links(page, base) if p not in seen)
    for context in contexts.values():
        context.close()
    return seen


def write_index(out: Path, visited: dict[str, list[str]]) -> None:
    rows = []
    for role, paths in visited.items():
        rows.append(f"<h2>{html.escape(role)}</h2><table>")
        for path in paths:
            name = file_name(path)
            cells = "".join(
                f'<td><a href="{role}/{name}-{w}.png"><img src="{role}/{name}-{w}.png" '
                f'alt="{html.escape(path)} à {w} px" width="{w // 4}"></a></td>'
                for w in WIDTHS
            )
            rows.append(f"<tr><th>{html.escape(path)}</th>{cells}</tr>")
        rows.append("</table>")
    (out / "index.html").write_text(
        '<!doctype html><html lang="fr"><meta charset="utf-8"><title>Captures ptsm</title>'
        "<style>img{border:1px solid #ccc;vertical-align:top}th{text-align:left}</style>"
        f"<h1>Captures d'écran de ptsm (1280 et 390 px)</h1>{''.join(rows)}</html>",
        encoding="utf-8",
    )


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "screenshots").resolve()
    shutil.rmtree(out, ignore_errors=True)
    for role, _ in ROLES:
        (out / role).mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="ptsm-captures-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        "DEBUG": "1",
        "EMAIL_URL": "console://",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    print("Base de démonstration…")
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "load_territories")
    manage(env, "load_demo")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(PYTHON), "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(base)
        from playwright.sync_api import sync_playwright

        visited = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            for role, email in ROLES:
                print(f"{role}…")
                visited[role] = crawl(browser, base, env, role, email, out)
            browser.close()
        write_index(out, visited)
        total = sum(len(paths) for paths in visited.values()) * len(WIDTHS)
        print(f"{total} captures dans {out} (ouvrir index.html)")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
