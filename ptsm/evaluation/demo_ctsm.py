"""A demo project: a PTSM followed by its five-year contract (CTSM), in its annual-review stage.

Built through the method's own services, in the order things happened (framing letter signed,
diagnostic and roadmap validated by the COPIL, every operator's annex signed, the 6-month review
and the first annual review validated, indicators measured each year, the second annual review
being written), so that its phase, milestones, signatures and documents tell one story. The
demo loader (`ptsm/demo/`) calls `build_ctsm_demo`; it never marks a milestone done by hand.
"""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from ptsm.projects.models import Project, ProjectKind, add_months
from ptsm.projects.services import create_project
from ptsm.territories.models import Departement
from ptsm.territories.naming import of_name

CTSM_SLUG = "demo-ctsm-deux-sevres"
CONTRACT_MONTHS = 60
# The contract was signed this many months before `today`: in its third year, the second annual
# review fell due a month ago and is being written.
SIGNED_MONTHS_AGO = 25

# (orientation, objective, fiche-action, operators' names, indicator, values year 1 / year 2)
CTSM_ACTIONS = [
    (
        "Repérage précoce et accès au diagnostic",
        "Raccourcir le délai d'accès à un premier avis spécialisé",
        "Plateforme territoriale d'orientation en santé mentale",
        ["Centre hospitalier de Niort", "Association Aidaphi"],
        "Personnes orientées par la plateforme",
        ("180", "340"),
    ),
    (
        "Repérage précoce et accès au diagnostic",
        "Raccourcir le délai d'accès à un premier avis spécialisé",
        "Consultations avancées de psychiatrie en maisons de santé",
        ["Centre hospitalier de Niort"],
        "Maisons de santé pluriprofessionnelles desservies",
        ("4", "7"),
    ),
    (
        "Parcours de rétablissement et inclusion",
        "Développer l'accompagnement vers et dans le logement",
        "Logement d'abord : appartements de coordination thérapeutique",
        ["Association Aidaphi", "UDAF des Deux-Sèvres"],
        "Personnes logées et accompagnées",
        ("12", "21"),
    ),
    (
        "Parcours de rétablissement et inclusion",
        "Soutenir la pair-aidance",
        "Groupe d'entraide mutuelle en sud Deux-Sèvres",
        ["UDAF des Deux-Sèvres"],
        "Adhérents actifs du GEM",
        ("25", "38"),
    ),
]
THEMES = {
    "Repérage précoce et accès au diagnostic": "Accès aux soins psychiatriques",
    "Parcours de rétablissement et inclusion": "Logement, entraide et vie sociale",
}
OPERATORS = {
    "Centre hospitalier de Niort": ("sanitaire_public", "Directeur", "Thomas", "Giraud"),
    "Association Aidaphi": ("medico_social", "Directrice générale", "Sophie", "Bonnin"),
    "UDAF des Deux-Sèvres": ("medico_social", "Directeur", "Olivier", "Pineau"),
}


@transaction.atomic
def build_ctsm_demo(*, today: dt.date, slug: str = CTSM_SLUG, lead=None) -> Project:
    """Create (once) the CTSM demo project and return it. `lead`: the user who records the
    steps (the demo's chef de projet), optional."""
    existing = Project.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    signed_on = add_months(today, -SIGNED_MONTHS_AGO)
    start = add_months(signed_on, -18)
    departement = Departement.objects.select_related("region").get(code="79")
    project = create_project(
        slug=slug,
        name="PTSM et CTSM des Deux-Sèvres",
        region=departement.region,
        start_date=start,
        planned_duration_months=18,
        kind=ProjectKind.CTSM,
        contract_duration_months=CONTRACT_MONTHS,
        territory_name=departement.name,
        departements=[departement],
        description=(
            "Projet territorial de santé mentale du département "
            f"{of_name(departement.name, departement.name_type)}, suivi de son contrat "
            "territorial de santé mentale (CTSM) pour cinq ans."
        ),
    )
    organisations = _directory(project)
    _framing_letter(project, lead, signed_on=start + dt.timedelta(days=20))
    _diagnostic(project, lead, validated_on=add_months(start, 7))
    indicators = _roadmap(project, organisations, lead, validated_on=add_months(start, 13))
    _commitments(project, organisations, lead, signed_on=signed_on)
    _reviews(project, indicators, lead, signed_on=signed_on, today=today)
    return project


def _directory(project) -> dict:
    from ptsm.organisations.models import Contact, Organisation

    found = {}
    for name, category, sub_type, function, first, last in [
        (
            "ARS Nouvelle-Aquitaine — délégation des Deux-Sèvres",
            "institutions_financeurs",
            "ars",
            "Directeur général de l'ARS Nouvelle-Aquitaine",
            "Benoît",
            "Elleboode",
        ),
        (
            "Conseil départemental des Deux-Sèvres",
            "collectivites",
            "conseil_departemental",
            "Président du conseil départemental",
            "Coralie",
            "Dénoues",
        ),
        *(
            (name, category, "", function, first, last)
            for name, (category, function, first, last) in OPERATORS.items()
        ),
    ]:
        organisation = Organisation.objects.create(
            project=project, name=name, category=category, sub_type=sub_type
        )
        Contact.objects.create(
            project=project,
            organisation=organisation,
            first_name=first,
            last_name=last,
            function=function,
            email=f"{first.lower()}.{last.lower()}@demo.ptsm.fr",
        )
        found[name] = organisation
    return found


def _framing_letter(project, lead, *, signed_on: dt.date) -> None:
    from ptsm.framing import services as framing
    from ptsm.framing.models import LetterStatus, SignatureMode

    letter = framing.ensure_letter(project=project)
    framing.change_status(letter=letter, to_status=LetterStatus.REVIEW, user=lead)
    framing.change_status(letter=letter, to_status=LetterStatus.VALIDATED, user=lead)
    version = framing.generate_version(letter=letter, user=lead, today=signed_on)
    framing.sign_version(
        version=version, user=lead, mode=SignatureMode.SESSION, signed_on=signed_on
    )


def _diagnostic(project, lead, *, validated_on: dt.date) -> None:
    from ptsm.diagnostic.selectors import report_content
    from ptsm.diagnostic.services import validate_diagnostic

    validate_diagnostic(
        project=project,
        meeting=None,
        decision="Le COPIL valide le diagnostic partagé.",
        validated_on=validated_on,
        user=lead,
        content=report_content(project),
    )


def _roadmap(project, organisations, lead, *, validated_on: dt.date) -> dict:
    from ptsm.roadmap.models import (
        Action,
        ActionIndicator,
        ActionStatus,
        Objective,
        Orientation,
        Theme,
    )
    from ptsm.roadmap.services import renumber, validate_roadmap

    orientations, objectives, indicators = {}, {}, {}
    for index, (o_title, ob_title, title, operators, indicator, values) in enumerate(CTSM_ACTIONS):
        if o_title not in orientations:
            orientation = Orientation.objects.create(
                project=project, title=o_title, position=len(orientations) + 1
            )
            orientations[o_title] = Theme.objects.create(
                orientation=orientation, title=THEMES[o_title], position=1
            )
        if ob_title not in objectives:
            objectives[ob_title] = Objective.objects.create(
                theme=orientations[o_title], title=ob_title, position=len(objectives) + 1
            )
        begins = add_months(validated_on, 4)
        action = Action.objects.create(
            objective=objectives[ob_title],
            title=title,
            position=index + 1,
            status=ActionStatus.VALIDATED,
            pilot_organisation=organisations[operators[0]],
            start_date=begins,
            end_date=add_months(begins, 54),
            conditions=["convention"],
            territory_concerned=project.territory.name,
        )
        action.operators.set([organisations[name] for name in operators])
        indicators[title] = (
            ActionIndicator.objects.create(
                action=action,
                name=indicator,
                baseline="0",
                target=str(int(values[1]) * 2),
                source="Rapport d'activité",
                frequency="Annuelle",
            ),
            values,
        )
    renumber(project=project)
    validate_roadmap(
        project=project,
        meeting=None,
        decision="Le COPIL valide la feuille de route et ses fiches-actions.",
        validated_on=validated_on,
        user=lead,
        lines=[title for _o, _ob, title, *_rest in CTSM_ACTIONS],
    )
    return indicators


def _commitments(project, organisations, lead, *, signed_on: dt.date) -> None:
    from ptsm.commitments.services import ensure_letter, generate_annex, record_signed_pdf

    letter = ensure_letter(project=project)
    for days_before, name in zip((20, 9, 0), OPERATORS, strict=True):
        version = generate_annex(
            letter=letter, organisation=organisations[name], user=lead, today=signed_on
        )
        with version.pdf.content.open("rb") as handle:
            scan = SimpleUploadedFile("annexe-signee.pdf", handle.read() + b"\n% signee\n")
        record_signed_pdf(
            signatory=letter.signatories.get(organisation=organisations[name]),
            upload=scan,
            signed_on=signed_on - dt.timedelta(days=days_before),
            user=lead,
            signed_outside=True,
        )


def _reviews(project, indicators, lead, *, signed_on: dt.date, today: dt.date) -> None:
    from . import services
    from .models import ReviewKind

    for year in (0, 1):
        measured_on = add_months(signed_on, 12 * year + 10)
        for indicator, values in indicators.values():
            services.record_indicator_value(
                indicator=indicator,
                measured_on=min(measured_on, today),
                value=values[year],
                comment="Rapport d'activité",
                user=lead,
            )
    steps = [
        (
            ReviewKind.SIX_MONTHS,
            0,
            add_months(signed_on, 6) + dt.timedelta(days=12),
            "Les quatre fiches-actions ont démarré ; la plateforme d'orientation est ouverte.",
        ),
        (
            ReviewKind.ANNUAL,
            1,
            add_months(signed_on, 12) + dt.timedelta(days=15),
            "Première année du contrat : la plateforme a orienté 180 personnes, les "
            "consultations avancées couvrent quatre maisons de santé.",
        ),
    ]
    for kind, number, validated_on, summary in steps:
        review = services.ensure_review(project=project, kind=kind, number=number)
        services.save_review_texts(review=review, texts={"summary": summary}, user=lead)
        services.validate_review(
            review=review,
            meeting=None,
            decision="Le COPIL adopte le bilan.",
            validated_on=validated_on,
            user=lead,
        )
    # The second annual review fell due a month ago: the chef de projet is writing it.
    draft = services.ensure_review(project=project, kind=ReviewKind.ANNUAL, number=2)
    services.save_review_texts(
        review=draft,
        texts={
            "summary": "Deuxième année : 340 personnes orientées, 21 personnes logées et "
            "accompagnées ; le GEM du sud du département compte 38 adhérents actifs."
        },
        user=lead,
    )
