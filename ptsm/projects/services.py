"""Writes of the projects app: create and update projects, milestones and members."""

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from ptsm.accounts.models import Membership, Role, User
from ptsm.core.mail import header_text
from ptsm.territories.models import Departement, Epci, Region, Territory
from ptsm.territories.services import define_territory

from . import durations, events
from .models import (
    COMMITMENT_YEAR_MONTHS,
    REFERENCE_DURATION_MONTHS,
    REFERENCE_SIGNATURE_MONTHS,
    SIX_MONTH_REVIEW_DELAY,
    Milestone,
    MilestoneKey,
    Phase,
    PhaseChange,
    Project,
    ProjectKind,
    add_months,
    annual_review_count,
    planned_signature_months,
    scaled_months,
)

if TYPE_CHECKING:
    from ptsm.organisations.models import Organisation

# Default key milestones of the ANAP method, as months after the start of an 18-month démarche:
# a project of another duration gets them in proportion (a 36-month PTSM validates its
# diagnostic at 12 months, not 6).
DEFAULT_MILESTONES = [
    (0, Phase.CADRAGE, MilestoneKey.FRAMING_SIGNED),
    (1, Phase.CADRAGE, MilestoneKey.LAUNCH_PLENARY),
    (6, Phase.DIAGNOSTIC, MilestoneKey.DIAGNOSTIC_VALIDATED),
    (12, Phase.ROADMAP, MilestoneKey.ROADMAP_VALIDATED),
    (REFERENCE_SIGNATURE_MONTHS, Phase.COMMITMENT, MilestoneKey.COMMITMENTS_SIGNED),
    (REFERENCE_DURATION_MONTHS, Phase.EVALUATION, MilestoneKey.FINAL_REVIEW),
]
# A contract's annual reviews come every twelve months after the signature, its final review
# at its end (`models.SIX_MONTH_REVIEW_DELAY` for the 6-month review and a PTSM alone's end).


def default_milestone_schedule(
    *,
    start_date: dt.date,
    duration_months: int,
    contract_months: int | None = None,
    signed_on: dt.date | None = None,
) -> list[tuple[MilestoneKey, Phase, dt.date]]:
    """The default milestones of a project, with due dates in proportion to its duration.
    A CTSM (`contract_months`) adds its annual reviews and ends with its contract. Once the
    commitments are signed (`signed_on`), the reviews follow the real signature date."""
    signature = planned_signature_months(duration_months)
    signature_date = signed_on or add_months(start_date, signature)
    schedule = []
    for months, phase, key in DEFAULT_MILESTONES:
        if key == MilestoneKey.FINAL_REVIEW:
            break
        schedule.append(
            (key, phase, add_months(start_date, scaled_months(months, duration_months)))
        )
    if contract_months:
        schedule.append(
            (
                MilestoneKey.SIX_MONTH_REVIEW,
                Phase.IMPLEMENTATION,
                add_months(signature_date, SIX_MONTH_REVIEW_DELAY),
            )
        )
        for number in range(1, annual_review_count(contract_months) + 1):
            schedule.append(
                (
                    MilestoneKey.annual_review(number),
                    Phase.IMPLEMENTATION,
                    add_months(signature_date, 12 * number),
                )
            )
        end = add_months(signature_date, contract_months)
    else:
        # A PTSM alone: its review at 6 months ends the implementation, and the final review
        # (the démarche's assessment) comes at the end of the commitments' year, or later.
        six_months = add_months(signature_date, SIX_MONTH_REVIEW_DELAY)
        schedule.append((MilestoneKey.SIX_MONTH_REVIEW, Phase.IMPLEMENTATION, six_months))
        end = max(
            add_months(start_date, duration_months),
            add_months(signature_date, COMMITMENT_YEAR_MONTHS),
        )
    schedule.append((MilestoneKey.FINAL_REVIEW, Phase.EVALUATION, max(end, signature_date)))
    return schedule


def project_schedule(project: Project) -> list[tuple[MilestoneKey, Phase, dt.date]]:
    """The project's default milestones from its own dates, its contract and, once known, the
    real signature date of its commitments."""
    signed_on = (
        project.milestones.filter(key=MilestoneKey.COMMITMENTS_SIGNED)
        .values_list("done_on", flat=True)
        .first()
    )
    return default_milestone_schedule(
        start_date=project.start_date,
        duration_months=project.planned_duration_months,
        contract_months=project.contract_months,
        signed_on=signed_on,
    )


def unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "projet"
    slug, n = base, 2
    while Project.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_project(
    *,
    name: str,
    region: Region,
    start_date: dt.date,
    territory_name: str,
    departements: Iterable[Departement] = (),
    epcis: Iterable[Epci] = (),
    commune_codes: Iterable[str] = (),
    planned_duration_months: int = 18,
    kind: str = ProjectKind.PTSM,
    contract_duration_months: int | None = None,
    description: str = "",
    slug: str | None = None,
    with_default_milestones: bool = True,
) -> Project:
    territory = define_territory(
        territory=Territory(),
        name=territory_name,
        departements=departements,
        epcis=epcis,
        commune_codes=commune_codes,
        region=region,
    )
    project = Project(
        slug=slug or unique_slug(name),
        name=name,
        description=description,
        territory=territory,
        region=region,
        start_date=start_date,
        planned_duration_months=planned_duration_months,
        kind=kind,
        contract_duration_months=contract_duration_months,
    )
    project.full_clean()
    project.save()
    if with_default_milestones:
        Milestone.objects.bulk_create(
            Milestone(project=project, key=key, title=key.label, phase=phase, due_date=due_date)
            for key, phase, due_date in project_schedule(project)
        )
    return project


# What domain apps set up on a project created from the « Nouveau projet » page (the
# governance's default bodies…): registered from their `AppConfig.ready()`, so that `projects`
# imports none of them.
_SETUP_STEPS: dict[str, Callable[[Project], object]] = {}


def register_setup_step(key: str, step: Callable[[Project], object]) -> None:
    _SETUP_STEPS[key] = step


@transaction.atomic
def set_up_new_project(*, project: Project) -> None:
    for step in _SETUP_STEPS.values():
        step(project)


@transaction.atomic
def update_project(*, project: Project, **fields) -> Project:
    if {"region", "region_id", "territory", "territory_id"} & set(fields):
        raise ValidationError(
            "La région et le territoire d'un projet ne se modifient pas ici : le territoire se "
            "redéfinit dans sa région."
        )
    if "phase" in fields and fields["phase"] != project.phase:
        raise ValidationError(
            "La phase se change avec un motif (set_phase), gardé dans l'historique des phases."
        )
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    project.save()
    return project


@transaction.atomic
def edit_project(
    *,
    project: Project,
    user,
    phase: str,
    phase_reason: str = "",
    reschedule_milestones: bool = False,
    linked_durations: dict[str, int] | None = None,
    **fields,
) -> int:
    """The project's form: its fields, its phase by hand (with a reason, see `set_phase`), the
    durations that belong with the project's (`durations.py`: framing letter, commitments) and,
    if asked, the method's milestones moved to its new dates. Returns how many moved."""
    if phase != Project.objects.values_list("phase", flat=True).get(pk=project.pk):
        set_phase(project=project, phase=phase, user=user, reason=phase_reason)
    project.phase = phase
    update_project(project=project, **fields)
    save_linked_durations(project=project, months=linked_durations or {}, user=user)
    return reschedule_default_milestones(project=project) if reschedule_milestones else 0


@transaction.atomic
def save_linked_durations(*, project: Project, months: dict[str, int], user) -> int:
    """Write each registered duration that changed, through its app's service; a frozen one
    (a signed letter's) is refused. Returns how many changed."""
    changed = 0
    for duration in durations.linked_durations():
        if duration.key not in months:
            continue
        current = duration.current(project)
        if current is None or months[duration.key] == current:
            continue
        if reason := duration.frozen(project):
            raise ValidationError({duration.key: reason})
        if not durations.MIN_MONTHS <= months[duration.key] <= durations.MAX_MONTHS:
            raise ValidationError({duration.key: "La durée doit être comprise entre 1 et 60 mois."})
        duration.save(project=project, months=months[duration.key], user=user)
        changed += 1
    return changed


@transaction.atomic
def reschedule_default_milestones(*, project: Project) -> int:
    """Move the method's milestones not done yet to the project's dates (after its start,
    duration or contract changed, or once its commitments are signed). Milestones done, and
    those added by hand, keep their dates. A CTSM gets the annual reviews of its contract (those
    its contract no longer has are removed while not done); a PTSM alone loses them."""
    schedule = {key: (phase, due_date) for key, phase, due_date in project_schedule(project)}
    moved = 0
    existing = set()
    for milestone in project.milestones.exclude(key=""):
        existing.add(milestone.key)
        if milestone.done_on is not None:
            continue
        planned = schedule.get(milestone.key)
        if planned is None:
            milestone.delete()  # an annual review the contract no longer has
            moved += 1
        elif planned[1] != milestone.due_date:
            milestone.due_date = planned[1]
            milestone.save(update_fields=["due_date"])
            moved += 1
    missing = [
        Milestone(project=project, key=key, title=key.label, phase=phase, due_date=due_date)
        for key, (phase, due_date) in schedule.items()
        if key not in existing and key.startswith("bilan-annuel-")
    ]
    Milestone.objects.bulk_create(missing)
    return moved + len(missing)


def update_territory(
    *,
    project: Project,
    name: str,
    departements: Iterable[Departement] = (),
    epcis: Iterable[Epci] = (),
    commune_codes: Iterable[str] = (),
) -> Territory:
    """Redefine the project's territory, which stays in the project's région (whoever edits it:
    the chef de projet cannot move it elsewhere, nor can an administrator of another région)."""
    return define_territory(
        territory=project.territory,
        name=name,
        departements=departements,
        epcis=epcis,
        commune_codes=commune_codes,
        region=project.region,
    )


def _phase_index(phase: str) -> int:
    return Phase.values.index(phase)


def _locked_project(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


@transaction.atomic
def record_method_event(
    *, project: Project, key: str, happened_on: dt.date, user=None
) -> PhaseChange | None:
    """A method event happened (letter signed, document validated…): its milestone is done on
    the event's date, and the project moves forward to the event's phase. An event out of the
    method's order (a phase skipped) is recorded as such, never refused; the phase never goes
    back by itself. Returns the phase change, if the phase moved."""
    event = events.get_event(key)
    locked = _locked_project(project)
    if event.milestone:
        for milestone in locked.milestones.filter(key=event.milestone, done_on__isnull=True):
            milestone.done_on = happened_on
            milestone.save(update_fields=["done_on"])
            if milestone.key == MilestoneKey.COMMITMENTS_SIGNED:
                # The reviews (and a CTSM's contract) run from the real signature date.
                reschedule_default_milestones(project=locked)
    if event.reaches is None or _phase_index(event.reaches) <= _phase_index(locked.phase):
        return None
    change = PhaseChange.objects.create(
        project=locked,
        changed_on=happened_on,
        user=user if user is not None and user.is_authenticated else None,
        from_phase=locked.phase,
        to_phase=event.reaches,
        event=event.key,
        reason=event.label,
        out_of_order=_phase_index(event.reaches) > _phase_index(locked.phase) + 1,
    )
    locked.phase = event.reaches
    locked.save(update_fields=["phase", "updated_at"])
    project.phase = locked.phase
    return change


@transaction.atomic
def set_phase(
    *, project: Project, phase: str, user, reason: str, changed_on: dt.date | None = None
) -> PhaseChange:
    """The chef de projet sets the phase by hand (forward or back), with a reason kept in the
    phase history."""
    reason = (reason or "").strip()
    if phase not in Phase.values:
        raise ValidationError({"phase": "Phase inconnue."})
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif du changement de phase."})
    locked = _locked_project(project)
    if locked.phase == phase:
        raise ValidationError({"phase": "Le projet est déjà dans cette phase."})
    change = PhaseChange(
        project=locked,
        changed_on=changed_on or timezone.localdate(),
        user=user if user is not None and user.is_authenticated else None,
        from_phase=locked.phase,
        to_phase=phase,
        reason=reason,
    )
    change.full_clean()
    change.save()
    locked.phase = phase
    locked.save(update_fields=["phase", "updated_at"])
    project.phase = phase
    return change


@transaction.atomic
def save_milestone(*, milestone: Milestone) -> Milestone:
    if milestone.done_on and milestone.done_on > dt.date.today():
        raise ValidationError({"done_on": "La date de réalisation ne peut pas être dans le futur."})
    milestone.full_clean()
    milestone.save()
    return milestone


def delete_milestone(*, milestone: Milestone) -> None:
    milestone.delete()


def _send_invitation(*, user: User, project: Project, role: Role, base_url: str) -> None:
    set_password_url = base_url + reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "project": project,
        "role": role.label,
        "set_password_url": set_password_url if not user.has_usable_password() else "",
        "project_url": base_url + reverse("projects:dashboard", kwargs={"slug": project.slug}),
    }
    send_mail(
        subject=header_text(f"[ptsm] Vous êtes invité(e) au projet « {project.name} »"),
        message=render_to_string("projects/emails/invitation.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def add_member(
    *,
    project: Project,
    email: str,
    role: Role,
    organisation: "Organisation | None" = None,
    first_name: str = "",
    last_name: str = "",
    base_url: str = "",
) -> Membership:
    """Give a person a role in the project (acting for one of its organisations, if given),
    creating their account if needed, and tell them."""
    if role == Role.ARS_ADMIN:
        raise ValidationError({"role": "Le rôle d'administrateur ARS se donne par région."})
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, None, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if Membership.objects.filter(project=project, user=user).exists():
        raise ValidationError({"email": "Cette personne a déjà un rôle dans ce projet."})
    membership = Membership(project=project, user=user, role=role, organisation=organisation)
    membership.full_clean()
    membership.save()
    transaction.on_commit(
        lambda: _send_invitation(user=user, project=project, role=role, base_url=base_url)
    )
    return membership


LAST_LEAD_MESSAGE = (
    "Le projet doit garder au moins un chef de projet. Désignez-en un autre avant de changer "
    "le rôle de cette personne ou de la retirer."
)


def _check_not_last_lead(membership: Membership) -> None:
    """The project's leads are locked while one of them loses the role, so that two leads
    demoting each other at the same moment cannot leave the project without any."""
    leads = list(
        Membership.objects.select_for_update()
        .filter(project_id=membership.project_id, role=Role.PROJECT_LEAD)
        .values_list("pk", flat=True)
    )
    if membership.pk in leads and len(leads) == 1:
        raise ValidationError(LAST_LEAD_MESSAGE)


@transaction.atomic
def change_member_role(
    *,
    membership: Membership,
    role: Role,
    organisation: "Organisation | None" = None,
) -> Membership:
    """Change a member's role and the organisation they act for (none when not given)."""
    if role == Role.ARS_ADMIN:
        raise ValidationError({"role": "Le rôle d'administrateur ARS se donne par région."})
    if role != Role.PROJECT_LEAD:
        _check_not_last_lead(membership)
    membership.role = role
    membership.organisation = organisation
    membership.full_clean()
    membership.save(update_fields=["role", "organisation"])
    return membership


@transaction.atomic
def remove_member(*, membership: Membership) -> None:
    _check_not_last_lead(membership)
    membership.delete()


def _delete_protected(objects, depth: int = 0) -> None:
    """Delete draft records that PROTECT their parents (unsigned letter versions, annexes not
    yet signed…), children first. Only called once no signed or validated record remains."""
    from django.db.models import ProtectedError

    if depth > 10:
        raise ValidationError("Suppression impossible : dépendances trop imbriquées.")
    by_model: dict = {}
    for obj in objects:
        by_model.setdefault(type(obj), set()).add(obj.pk)
    for model, pks in by_model.items():
        while True:
            try:
                with transaction.atomic():
                    model._base_manager.filter(pk__in=pks).delete()
                break
            except ProtectedError as exc:
                _delete_protected(exc.protected_objects, depth + 1)


@transaction.atomic
def delete_project(*, project: Project, confirmation: str) -> None:
    """Delete a project with everything in it — refused while it holds signed or validated
    records (they are evidence: the project is kept, and archived by the ARS if need be)."""
    from django.db.models import ProtectedError

    from ptsm.core.guards import deletion_obstacles

    if confirmation.strip() != project.name:
        raise ValidationError("Recopiez exactement le nom du projet pour confirmer sa suppression.")
    obstacles = deletion_obstacles(project)
    if obstacles:
        raise ValidationError(
            f"Le projet « {project.name} » ne peut pas être supprimé : il contient "
            + ", ".join(obstacles)
            + ". Ces documents sont conservés au titre de l'archivage."
        )
    stored = list(project.generated_documents.exclude(content="").values_list("content", flat=True))
    territory = project.territory
    while True:
        try:
            with transaction.atomic():
                project.delete()
            break
        except ProtectedError as exc:
            _delete_protected(exc.protected_objects)
    if not Project.objects.filter(territory=territory).exists():
        territory.delete()

    def remove_files():
        from django.core.files.storage import default_storage

        for name in stored:
            default_storage.delete(name)

    transaction.on_commit(remove_files)
