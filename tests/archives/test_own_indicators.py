"""A project's own indicators travel with its archive: restored beside the original (another
slug on the same instance) or on an instance that never had them, its values and findings point
to the restored project's own indicators, never to another project's."""

import io

import pytest

from ptsm.archives.services import export_project, import_project
from ptsm.diagnostic.models import (
    EntryDoor,
    Finding,
    FindingKind,
    Grid,
    Indicator,
    IndicatorValue,
    Level,
)
from ptsm.diagnostic.services import create_indicator, save_finding, set_value
from ptsm.pilotage.services import choose_indicators
from tests.factories import make_project

pytestmark = pytest.mark.django_db


def _project_with_its_own_indicator():
    project = make_project(slug="finistere")
    own = create_indicator(
        project=project,
        indicator=Indicator(
            label="Passages aux urgences pour crise suicidaire",
            definition="Passages recensés par le SAU de Quimper",
            unit="passages",
            source="CH de Quimper",
            geographic_level="territoire",
            grid=Grid.PATHWAY,
            is_count=True,
        ),
    )
    anap = Indicator.objects.filter(project=None).first()
    set_value(project=project, indicator=own, level=Level.TERRITORY, year=2025, value=412)
    set_value(project=project, indicator=anap, level=Level.TERRITORY, year=2025, value=37)
    finding = Finding(
        project=project, entry_door=EntryDoor.values[0], kind=FindingKind.RUPTURE, text="Constat"
    )
    save_finding(finding=finding, indicators=[own, anap])
    choose_indicators(project=project, codes=[own.code, anap.code])  # shown on the public page
    return project, own, anap


def _archive(project) -> io.BytesIO:
    buffer = io.BytesIO()
    export_project(project=project, target=buffer)
    buffer.seek(0)
    return buffer


def test_a_copy_restored_beside_the_original_has_its_own_indicator_and_values():
    project, own, anap = _project_with_its_own_indicator()
    restored = import_project(source=_archive(project), slug="finistere-copie").project

    copy = Indicator.objects.get(project=restored)
    assert copy.pk != own.pk
    assert copy.code == f"P{restored.pk}-1" and copy.label == own.label and copy.is_count
    values = {v.indicator_id: v.value for v in IndicatorValue.objects.filter(project=restored)}
    assert values == {copy.pk: 412, anap.pk: 37}
    finding = Finding.objects.get(project=restored)
    assert set(finding.indicators.all()) == {copy, anap}
    assert set(restored.public_page.indicator_codes) == {copy.code, anap.code}
    # The original is untouched: still one own indicator, with its code and values.
    own.refresh_from_db()
    assert own.project == project and own.code == f"P{project.pk}-1"
    assert IndicatorValue.objects.get(project=project, indicator=own).value == 412


def test_an_instance_that_never_had_the_project_restores_its_indicators():
    project, own, anap = _project_with_its_own_indicator()
    archive = _archive(project)
    project.delete()  # what a fresh instance holds of it: nothing, its own indicator gone too
    assert not Indicator.objects.filter(label=own.label).exists()

    restored = import_project(source=archive, slug="finistere").project

    copy = Indicator.objects.get(project=restored)
    assert copy.label == "Passages aux urgences pour crise suicidaire"
    assert IndicatorValue.objects.get(project=restored, indicator=copy).value == 412
    assert IndicatorValue.objects.get(project=restored, indicator=anap).value == 37
