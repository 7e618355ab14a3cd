import datetime as dt
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from ptsm.accounts.models import Role
from ptsm.core.formatting import NARROW_NBSP, NBSP
from ptsm.documents.models import GeneratedDocument
from ptsm.documents.registry import all_kinds, get_kind
from ptsm.documents.services import generate_document, render, sha256_hex
from ptsm.projects.docx_templates import BUILDERS
from ptsm.territories.models import Commune
from tests.factories import make_project, member
from tests.helpers import login

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 24)
KIND = "carte-identite-territoire"


@pytest.fixture
def project():
    return make_project(departement="29", name="PTSM du Finistère", start=dt.date(2026, 1, 15))


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.header.paragraphs + section.footer.paragraphs)
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def finistere_population() -> str:
    total = sum(Commune.objects.filter(departement_id="29").values_list("population", flat=True))
    return f"{total:,}".replace(",", NARROW_NBSP)


def test_territory_card_docx_carries_the_project_data(project):
    data = render(project, get_kind(KIND), "", "docx", DAY)
    text = docx_text(data)
    assert "Carte d'identité du territoire" in text
    assert "PTSM du Finistère" in text
    assert f"{finistere_population()} habitants" in text
    assert str(Commune.objects.filter(departement_id="29").count()) in text
    assert "Brest Métropole" in text
    assert "Signature de la lettre de cadrage" in text
    assert "18 mois" in text
    assert f"Source{NBSP}: INSEE/IGN" in text  # French typography
    assert "24 novembre 2026" in text
    assert "{{" not in text and "{%" not in text
    assert len(Document(io.BytesIO(data)).inline_shapes) == 1  # the map, as a picture


def test_territory_card_pdf_is_pdfa_with_the_same_content(project):
    data = render(project, get_kind(KIND), "", "pdf", DAY)
    reader = PdfReader(io.BytesIO(data))
    text = pdf_text(data)
    assert "Carte d'identité du territoire" in text
    assert f"{finistere_population()} habitants" in text
    assert "Brest Métropole" in text
    assert "Signature de la lettre de cadrage" in text
    assert f"Page 1 sur {len(reader.pages)}" in text
    assert "24 novembre 2026" in text
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert (
        "<pdfaid:part>2</pdfaid:part>" in raw
        and "<pdfaid:conformance>B</pdfaid:conformance>" in raw
    )


def test_user_text_is_data_never_template_code(project):
    project.name = "Projet « test » : #set text(red) ]{{ 7*7 }} <b>&</b> $x$ @ref"
    project.save()
    kind = get_kind(KIND)
    expected = (
        "Projet «"
        + NBSP
        + "test"
        + NBSP
        + "»"
        + NBSP
        + ": #set text(red) ]{{ 7*7 }} <b>&</b> $x$ @ref"
    )
    assert expected in docx_text(render(project, kind, "", "docx", DAY))
    pdf = pdf_text(render(project, kind, "", "pdf", DAY))
    assert "#set text(red) ]{{ 7*7 }}" in pdf
    assert "$x$ @ref" in pdf


def test_same_inputs_give_the_same_bytes(project):
    kind = get_kind(KIND)
    for fmt in ("docx", "pdf"):
        assert render(project, kind, "", fmt, DAY) == render(project, kind, "", fmt, DAY)


def test_a_generation_is_a_new_version_only_when_the_content_changes(project):
    first = generate_document(project=project, kind_slug=KIND, fmt="pdf", today=DAY)
    again = generate_document(project=project, kind_slug=KIND, fmt="pdf", today=DAY)
    assert again.pk == first.pk and first.version == 1
    project.name = "PTSM du Finistère (révisé)"
    project.save()
    second = generate_document(project=project, kind_slug=KIND, fmt="pdf", today=DAY)
    assert second.version == 2
    assert second.sha256 != first.sha256
    with second.content.open("rb") as handle:
        assert sha256_hex(handle.read()) == second.sha256
    assert second.file_name == "carte-identite-territoire.pdf"


def test_export_documents_writes_every_file_under_its_stable_name(project, tmp_path, capsys):
    call_command("export_documents", project.slug, str(tmp_path / "export"))
    export = tmp_path / "export"
    files = {p.name for p in export.iterdir()}
    expected = {
        f"{variant.file_stem}.{fmt}"
        for kind in all_kinds()
        if kind.unavailable_reason is None or kind.unavailable_reason(project) is None
        for variant in kind.variants_for(project)
        for fmt in kind.formats
    }
    assert files == expected
    # The reviews have no content yet: not produced, and the command says why.
    assert "bilan-final.pdf" not in files
    out = capsys.readouterr().out
    assert "Bilan final : non produit (le bilan final n'a encore ni texte" in out
    assert {"carte-identite-territoire.docx", "carte-identite-territoire.pdf"} <= files
    assert "PTSM du Finistère" in docx_text(
        (export / "carte-identite-territoire.docx").read_bytes()
    )
    assert "PTSM du Finistère" in pdf_text((export / "carte-identite-territoire.pdf").read_bytes())
    assert f"{len(expected)} documents écrits" in out
    assert GeneratedDocument.objects.filter(project=project).count() == len(expected)
    with pytest.raises(CommandError, match="Projet introuvable : inconnu"):
        call_command("export_documents", "inconnu", str(tmp_path))


def test_generate_then_download_from_the_documents_page(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    url = reverse("documents:list", kwargs={"slug": project.slug})
    assert "Jamais généré" in client.get(url).content.decode()
    response = client.post(
        reverse("documents:generate", kwargs={"slug": project.slug}),
        {"kind": KIND, "format": "docx", "variant": ""},
        follow=True,
    )
    page = response.content.decode()
    assert "carte-identite-territoire.docx généré (version 1" in page
    document = GeneratedDocument.objects.get(project=project, format="docx")
    download = client.get(
        reverse("documents:download", kwargs={"slug": project.slug, "pk": document.pk})
    )
    assert (
        download["Content-Disposition"] == 'attachment; filename="carte-identite-territoire.docx"'
    )
    content = b"".join(download.streaming_content)
    assert sha256_hex(content) == document.sha256
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None


def test_unknown_document_kind_or_format_is_refused_in_french(client, project):
    login(client, member(project, Role.PROJECT_LEAD))
    response = client.post(
        reverse("documents:generate", kwargs={"slug": project.slug}),
        {"kind": KIND, "format": "exe"},
        follow=True,
    )
    assert "Document ou format inconnu." in response.content.decode()
    assert not GeneratedDocument.objects.filter(project=project).exists()


def test_generate_all_from_the_page(client, project):
    login(client, member(project, Role.ARS_ADMIN))
    response = client.post(
        reverse("documents:generate_all", kwargs={"slug": project.slug}), follow=True
    )
    expected = sum(
        len(kind.formats) * len(kind.variants_for(project))
        for kind in all_kinds()
        if kind.unavailable_reason is None or kind.unavailable_reason(project) is None
    )
    page = response.content.decode()
    assert "Génération de tous les documents" in page  # the job page, once the job is done
    assert f"{expected} fichiers générés" in page


def test_committed_docx_templates_match_their_python_description(tmp_path):
    for committed, build in BUILDERS.items():
        rebuilt = build(tmp_path / committed.name)
        assert rebuilt.read_bytes() == committed.read_bytes(), (
            f"{committed.name} is stale: run `python manage.py build_docx_templates`"
        )


def test_regenerating_every_document_of_an_unchanged_project_makes_no_new_version():
    # The demo project has every kind of document: DOCX, PDF, PPTX, XLSX, annexes and bundle.
    from ptsm.demo.loader import DEMO_SLUG, load_demo
    from ptsm.documents.services import generate_all
    from ptsm.projects.models import Project

    load_demo(today=DAY)
    project = Project.objects.get(slug=DEMO_SLUG)
    first = generate_all(project=project, today=DAY)
    formats = {document.format for document, _ in first}
    assert formats == {"docx", "pdf", "pptx", "xlsx"}
    stored = GeneratedDocument.objects.filter(project=project).count()
    again = generate_all(project=project, today=DAY)
    # The same files as the first time (the demo's workflow already stored some: the framing
    # letter's versions, the frozen roadmap, the annexes sent), nothing new stored.
    changed = [d.file_name for (d, _), (f, _) in zip(again, first, strict=True) if d.pk != f.pk]
    assert changed == []
    assert GeneratedDocument.objects.filter(project=project).count() == stored


def test_contexts_read_in_bulk_are_those_read_one_by_one(project):
    """Kinds that build every variant's context at once (for "Tout générer") must give exactly
    what one variant gives on its own."""
    from tests.commitments.test_commitments import setup_roadmap

    setup_roadmap(project, operator_names=("A Opérateur", "B Opérateur", "C Opérateur"))
    bulk_kinds = [k for k in all_kinds() if k.build_all_contexts]
    assert {k.slug for k in bulk_kinds} >= {"fiche-action", "annexe"}
    for kind in bulk_kinds:
        bulk = kind.build_all_contexts(project)
        variants = kind.variants_for(project)
        assert set(bulk) == {v.key for v in variants}, kind.slug
        for variant in variants:
            assert bulk[variant.key] == kind.build_context(project, variant.key), kind.slug


def test_tout_generer_reads_the_roadmap_actions_once(project):
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ptsm.documents.services import generate_all
    from tests.commitments.test_commitments import setup_roadmap

    setup_roadmap(project, operator_names=("A Opérateur", "B Opérateur", "C Opérateur"))
    with CaptureQueriesContext(connection) as queries:
        generate_all(project=project, today=DAY)
    plan_reads = [
        q["sql"]
        for q in queries.captured_queries
        if re.match(r'SELECT "roadmap_action"\."id".* FROM "roadmap_action" INNER JOIN', q["sql"])
        and '"roadmap_orientation"."position" ASC' in q["sql"]
    ]
    assert len(plan_reads) == 1


def test_every_docx_is_written_in_french_for_word_and_libreoffice(project):
    """Word and LibreOffice check spelling in the text's language: the default template's
    en-US would mark every French word as an error."""
    for kind in all_kinds():
        if "docx" not in kind.renderers:
            continue
        for variant in kind.variants_for(project):
            data = render(project, kind, variant.key, "docx", dt.date(2027, 1, 1))
            styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
            assert '<w:lang w:val="fr-FR"' in styles, kind.slug
            assert "en-US" not in styles, kind.slug


def test_no_docx_table_cuts_a_word_or_leaves_a_row_alone(project):
    """In every DOCX of a project, each column of a data table is at least as wide as its
    longest unbreakable word (measured with Arial's widths, padding included), in a type
    reduced to 8 pt at most; the header row is repeated and kept with the first rows, and the
    last two rows are kept together."""
    from docx.oxml.ns import qn

    from ptsm.documents.docx_tables import longest_word_twips
    from tests.roadmap.test_roadmap import build

    build(project, orientations=2, actions_per_objective=2)
    checked = 0
    for kind in all_kinds():
        if "docx" not in kind.renderers:
            continue
        for variant in kind.variants_for(project):
            data = render(project, kind, variant.key, "docx", DAY)
            for table in Document(io.BytesIO(data)).tables:
                rows = table.rows
                if rows[0]._tr.trPr is None or rows[0]._tr.trPr.find(qn("w:tblHeader")) is None:
                    continue  # the letterhead, the signature blocks
                grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
                for row in rows:
                    for cell, width in zip(row.cells, grid, strict=True):
                        assert longest_word_twips(cell) <= width, (kind.slug, cell.text)
                        for paragraph in cell.paragraphs:
                            for run in paragraph.runs:
                                assert run.font.size is None or run.font.size.pt >= 8

                def kept(row):
                    return all(
                        p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs
                    )

                if len(rows) >= 2:
                    assert kept(rows[0]) and kept(rows[-2]), kind.slug
                    assert not kept(rows[-1])
                checked += 1
    assert checked >= 10
