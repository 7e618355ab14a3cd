"""Benchmark: the bundle (liasse) of commitment letters for 150 operators, the validated roadmap
included (targets: one annex ≤ 40 ms, the bundle composed on the fly ≤ 2 s, from stored annexes ≤ 1 s)."""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='ptsm-bench-')}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="ptsm-bench-media-"))

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.core.management import call_command  # noqa: E402

from ptsm.commitments.services import ensure_letter  # noqa: E402
from ptsm.documents.registry import get_kind  # noqa: E402
from ptsm.documents.services import render  # noqa: E402
from ptsm.organisations.models import Contact, Organisation  # noqa: E402
from ptsm.projects.services import create_project  # noqa: E402
from ptsm.roadmap.models import Action, ActionStatus, FundingLine, Objective, Orientation, Theme  # noqa: E402
from ptsm.roadmap.services import renumber  # noqa: E402
from ptsm.territories.models import Departement  # noqa: E402
from ptsm.territories.services import load_referential  # noqa: E402

OPERATORS = int(os.environ.get("OPERATORS", "150"))


def main() -> None:
    call_command("migrate", verbosity=0)
    load_referential(only_departements={"29"})
    departement = Departement.objects.get(code="29")
    project = create_project(
        name="Banc d'essai liasse",
        region=departement.region,
        start_date=dt.date(2026, 1, 1),
        territory_name="Finistère",
        departements=[departement],
    )
    orientation = Orientation.objects.create(project=project, title="Orientation")
    objective = Objective.objects.create(
        theme=Theme.objects.create(orientation=orientation, title="T"), title="O"
    )
    for index in range(OPERATORS):
        organisation = Organisation.objects.create(
            project=project, name=f"Opérateur {index:03d}", category="medico_social"
        )
        Contact.objects.create(
            project=project, organisation=organisation, first_name="A", last_name=f"B{index}"
        )
        action = Action.objects.create(
            objective=objective,
            title=f"Action {index}",
            status=ActionStatus.VALIDATED,
            position=index,
            start_date=dt.date(2027, 1, 1),
            end_date=dt.date(2027, 12, 31),
        )
        action.operators.set([organisation])
        FundingLine.objects.create(
            action=action, funder="fir", operator=organisation, amount=Decimal(10000), year=2027
        )
        FundingLine.objects.create(
            action=action, funder="autofinancement", operator=organisation, amount=5000, year=2027
        )
    renumber(project=project)
    # The COPIL validates the roadmap: its PDF is frozen then, and annexed in the bundle.
    from ptsm.roadmap.selectors import roadmap_lines
    from ptsm.roadmap.services import validate_roadmap

    started = time.perf_counter()
    validate_roadmap(
        project=project,
        meeting=None,
        decision="Feuille de route validée",
        validated_on=dt.date(2026, 11, 20),
        user=None,
        lines=roadmap_lines(project),
    )
    print(
        f"Validation de la feuille de route (documents figés)  "
        f"{(time.perf_counter() - started) * 1000:8.1f} ms"
    )
    ensure_letter(project=project)
    kind = get_kind("liasse-engagements")
    today = dt.date(2026, 11, 24)
    annex = get_kind("annexe")
    variants = annex.variants_for(project)
    render(project, annex, variants[0].key, "pdf", today)  # warm-up: imports, fonts
    started = time.perf_counter()
    for variant in variants[:20]:
        render(project, annex, variant.key, "pdf", today)
    per_annex = (time.perf_counter() - started) / len(variants[:20])
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        data = render(project, kind, "", "pdf", today)
        timings.append(time.perf_counter() - started)
    print(f"Annexe d'un opérateur seule (PDF, moyenne de 20)  {per_annex * 1000:8.1f} ms")
    print(
        f"Liasse, {OPERATORS} annexes produites à la volée ({len(data) // 1024} Ko)   {min(timings) * 1000:8.1f} ms"
    )
    print(
        f"  soit par annexe dans la liasse                   {min(timings) / OPERATORS * 1000:8.1f} ms"
    )
    # The bundle of signed letters: every operator has returned its signed PDF.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ptsm.commitments.jobs import BUNDLE_JOB
    from ptsm.commitments.models import CommitmentLetter
    from ptsm.commitments.selectors import annexes_to_generate
    from ptsm.commitments.services import record_signed_pdf
    from ptsm.jobs.models import Job, JobState
    from ptsm.jobs.services import start_job

    letter = CommitmentLetter.objects.get(project=project)
    # What the "Constituer la liasse" button does: a job on the embedded queue (database), run
    # by a worker (here `db_worker --batch` in this process) that stores every annex as a
    # version (PDF and DOCX) in steps, then merges the bundle.
    assert annexes_to_generate(project, letter)
    started = time.perf_counter()
    job = start_job(project=project, kind=BUNDLE_JOB)
    call_command("db_worker", "--batch", "--no-reload", "--interval", "0", verbosity=0)
    through_queue = time.perf_counter() - started
    job = Job.objects.get(pk=job.pk)
    assert job.state == JobState.DONE, job.message
    started = time.perf_counter()
    data = render(project, kind, "", "pdf", today)
    assembled = time.perf_counter() - started
    print(
        f"Liasse par la file de travaux (annexes enregistrées PDF + DOCX, puis assemblage) : "
        f"{through_queue * 1000:8.1f} ms"
    )
    print(
        f"Liasse à partir des annexes enregistrées (feuille de route comprise) : {assembled * 1000:8.1f} ms"
    )
    versions = {v.organisation_id: v for v in letter.annex_versions.select_related("pdf")}
    for signatory in letter.signatories.select_related("organisation"):
        version = versions[signatory.organisation_id]
        with version.pdf.content.open("rb") as handle:
            upload = SimpleUploadedFile("signee.pdf", handle.read() + b"% signee\n")
        record_signed_pdf(signatory=signatory, upload=upload, signed_on=today, signed_outside=True)
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        data = render(project, kind, "", "pdf", today)
        timings.append(time.perf_counter() - started)
    print(
        f"Liasse, {OPERATORS} annexes signées déposées ({len(data) // 1024} Ko)   {min(timings) * 1000:8.1f} ms"
    )


if __name__ == "__main__":
    main()
