"""The framing letter's duration against the project's phases (see projects.consistency)."""

from ptsm.core.formatting import french_date, plural
from ptsm.projects.durations import LinkedDuration
from ptsm.projects.models import MilestoneKey, add_months


def framing_warnings(project) -> list[str]:
    from .models import FramingLetter

    letter = FramingLetter.objects.filter(project=project).only("duration_months").first()
    if letter is None:
        return []
    ends = add_months(project.start_date, letter.duration_months)
    months = plural(letter.duration_months, "mois", "mois")
    warnings = []
    planned = dict(
        project.milestones.filter(
            key__in=[MilestoneKey.DIAGNOSTIC_VALIDATED, MilestoneKey.COMMITMENTS_SIGNED]
        ).values_list("key", "due_date")
    )
    diagnostic = planned.get(MilestoneKey.DIAGNOSTIC_VALIDATED)
    signature = planned.get(MilestoneKey.COMMITMENTS_SIGNED)
    if diagnostic and ends < diagnostic:
        warnings.append(
            f"La lettre de cadrage engage pour {months} (jusqu'au {french_date(ends)}) : moins "
            f"que la phase de diagnostic, dont la validation est prévue le "
            f"{french_date(diagnostic)}."
        )
    elif signature and ends < signature:
        warnings.append(
            f"La lettre de cadrage engage pour {months} (jusqu'au {french_date(ends)}) : elle "
            f"prend fin avant la signature prévue des engagements ({french_date(signature)})."
        )
    return warnings


def _current_duration(project) -> int:
    from .models import FramingLetter

    months = (
        FramingLetter.objects.filter(project=project)
        .values_list("duration_months", flat=True)
        .first()
    )
    return months or project.planned_duration_months  # what the letter starts with


def _frozen(project) -> str:
    from .models import FramingLetter, LetterStatus, LetterVersion

    if not FramingLetter.objects.filter(project=project, status=LetterStatus.SIGNED).exists():
        return ""
    signed_on = (
        LetterVersion.objects.filter(letter__project=project, signed=True)
        .order_by("-signed_on")
        .values_list("signed_on", flat=True)
        .first()
    )
    when = f" le {french_date(signed_on)}" if signed_on else ""
    return f"Lettre de cadrage signée{when} : sa durée ne change que par un avenant."


def _save_duration(*, project, months: int, user) -> None:
    from .services import ensure_letter, update_settings

    letter = ensure_letter(project=project)
    update_settings(
        letter=letter,
        duration_months=months,
        ars_signatory=letter.ars_signatory,
        cd_signatory=letter.cd_signatory,
        user=user,
    )


FRAMING_DURATION = LinkedDuration(
    key="framing_duration_months",
    label="Durée d'engagement de la lettre de cadrage (mois)",
    help_text="La lettre de cadrage engage ses signataires pour cette durée, à compter du début "
    "du projet : au moins jusqu'à la signature des engagements.",
    current=_current_duration,
    frozen=_frozen,
    save=_save_duration,
    order=10,
)
