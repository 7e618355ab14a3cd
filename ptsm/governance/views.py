from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from ptsm.accounts.permissions import Capability, role_allows
from ptsm.core.concurrency import AlreadyDone
from ptsm.core.formatting import plural
from ptsm.core.tables import Column, SortableTable
from ptsm.core.views import form_view
from ptsm.documents.recalls import recalls_for
from ptsm.projects.access import project_view
from ptsm.projects.freshness import cached_page

from . import selectors, services
from .forms import (
    AttendanceForm,
    BodyForm,
    BodyMemberEditForm,
    BodyMemberForm,
    CommunicationActionForm,
    DecisionForm,
    InvitationForm,
    LocalInitiativeForm,
    MeetingForm,
    MinutesForm,
    TaskForm,
)
from .jobs import start_invitations
from .models import (
    Attendance,
    Body,
    BodyMember,
    CommunicationAction,
    Decision,
    FollowUpTask,
    Invitation,
    LocalInitiative,
    Meeting,
    TaskStatus,
)


def _can_manage(request) -> bool:
    return role_allows(request.project_role, Capability.MANAGE_GOVERNANCE)


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _ics_response(data: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def _flash_errors(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


# Bodies ---------------------------------------------------------------------------------------


@project_view(Capability.VIEW_PROJECT)
@cached_page
@require_safe
def body_list(request, project):
    return render(
        request,
        "governance/body_list.html",
        {
            "page_title": "Gouvernance",
            "bodies": selectors.project_bodies(project),
            "can_manage": _can_manage(request),
        },
    )


@project_view(Capability.MANAGE_GOVERNANCE)
@require_POST
def bodies_default(request, project):
    created = services.create_default_bodies(project=project)
    messages.success(request, plural(len(created), "instance créée", "instances créées") + ".")
    return redirect("governance:bodies", slug=project.slug)


@project_view(Capability.VIEW_PROJECT)
def body_detail(request, project, pk):
    body = get_object_or_404(selectors.project_bodies(project), pk=pk)
    can_manage = _can_manage(request)
    form = BodyMemberForm(request.POST or None, project=project) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Votre rôle ne permet pas de modifier la composition.")
        if form.is_valid():
            try:
                services.add_body_member(
                    body=body,
                    contact=form.cleaned_data["contact"],
                    role=form.cleaned_data["role"],
                    represents=form.cleaned_data["represents"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Le membre a été ajouté.")
                return redirect("governance:body", slug=project.slug, pk=body.pk)
    return render(
        request,
        "governance/body_detail.html",
        {
            "page_title": body.name,
            "body": body,
            "form": form,
            "can_manage": can_manage,
            "meetings": body.meetings.all(),
        },
    )


def _body_form(request, project, body: Body, title: str):
    form = BodyForm(request.POST or None, instance=body)
    return form_view(
        request,
        form=form,
        save=lambda f: services.save_body(body=f.save(commit=False)),
        success_message="L'instance a été enregistrée.",
        success_url=lambda: reverse("governance:body", args=[project.slug, form.instance.pk]),
        context={"page_title": title},
    )


@project_view(Capability.MANAGE_GOVERNANCE)
def body_create(request, project):
    return _body_form(request, project, Body(project=project), "Nouvelle instance")


@project_view(Capability.MANAGE_GOVERNANCE)
def body_edit(request, project, pk):
    body = get_object_or_404(Body, project=project, pk=pk)
    return _body_form(request, project, body, f"Modifier — {body.name}")


@project_view(Capability.MANAGE_GOVERNANCE)
def body_member_edit(request, project, pk):
    member = get_object_or_404(
        BodyMember.objects.select_related("body", "contact__organisation"),
        body__project=project,
        pk=pk,
    )
    form = BodyMemberEditForm(
        request.POST or None, initial={"role": member.role, "represents": member.represents}
    )
    return form_view(
        request,
        form=form,
        save=lambda f: services.update_body_member(
            member=member, role=f.cleaned_data["role"], represents=f.cleaned_data["represents"]
        ),
        success_message="Le membre a été enregistré.",
        success_url=lambda: reverse("governance:body", args=[project.slug, member.body_id]),
        template="governance/member_form.html",
        context={
            "member": member,
            "page_title": f"{member.contact} — {member.body.name}",
            "intro": f"{member.contact.organisation.name}"
            + (
                f" représente : {member.contact.organisation.get_represents_display().lower()}."
                if member.contact.organisation.represents
                else " ne représente ni les personnes concernées ni les proches."
            ),
        },
    )


@project_view(Capability.MANAGE_GOVERNANCE)
@require_POST
def body_member_remove(request, project, pk):
    member = get_object_or_404(
        BodyMember.objects.select_related("body"), body__project=project, pk=pk
    )
    services.remove_body_member(member=member)
    messages.success(request, "Le membre a été retiré de l'instance.")
    return redirect("governance:body", slug=project.slug, pk=member.body_id)


# Meetings -------------------------------------------------------------------------------------

MEETING_COLUMNS = [
    Column("seance", "Séance", ("title", "starts_at")),
    Column("instance", "Instance", ("body__name", "starts_at")),
    Column("date", "Date", ("starts_at",)),
    Column("invites", "Invités", ("invited", "starts_at")),
    Column("statut", "Statut", ("status", "starts_at")),
]


@project_view(Capability.VIEW_PROJECT)
@require_safe
def meeting_list(request, project):
    # Both tables follow the column the user picks; until then, the next meeting comes first
    # among those to come and the latest first among those held.
    upcoming_table = SortableTable(request.GET, MEETING_COLUMNS, default="date")
    past_table = SortableTable(
        request.GET, MEETING_COLUMNS, default="date", default_descending=True
    )
    meetings = selectors.project_meetings(project)
    now = timezone.now()
    return render(
        request,
        "governance/meeting_list.html",
        {
            "page_title": "Séances",
            "upcoming": upcoming_table.order(meetings.filter(ends_at__gte=now)),
            "upcoming_columns": upcoming_table.headers,
            "past": past_table.order(meetings.filter(ends_at__lt=now)),
            "past_columns": past_table.headers,
            "bodies": Body.objects.filter(project=project),
            "can_manage": _can_manage(request),
        },
    )


def _meeting_form(request, project, meeting: Meeting, title: str):
    form = MeetingForm(request.POST or None, instance=meeting)
    return form_view(
        request,
        form=form,
        save=lambda f: services.save_meeting(meeting=f.save(commit=False)),
        success_message="La séance a été enregistrée.",
        success_url=lambda: reverse("governance:meeting", args=[project.slug, form.instance.pk]),
        context={"page_title": title},
    )


@project_view(Capability.MANAGE_GOVERNANCE)
def meeting_create(request, project, body_pk):
    body = get_object_or_404(Body, project=project, pk=body_pk)
    return _meeting_form(request, project, Meeting(body=body), f"Nouvelle séance — {body.name}")


@project_view(Capability.MANAGE_GOVERNANCE)
def meeting_edit(request, project, pk):
    meeting = get_object_or_404(Meeting, body__project=project, pk=pk)
    return _meeting_form(request, project, meeting, f"Modifier — {meeting.title}")


@project_view(Capability.VIEW_PROJECT)
@require_safe
def meeting_detail(request, project, pk):
    try:
        meeting = selectors.meeting_detail(project, pk)
    except Meeting.DoesNotExist as exc:
        raise Http404("Séance introuvable.") from exc
    can_manage = _can_manage(request)
    return render(
        request,
        "governance/meeting_detail.html",
        {
            "page_title": meeting.title,
            "meeting": meeting,
            "can_manage": can_manage,
            "invitation_form": InvitationForm(project=project) if can_manage else None,
            "minutes_form": MinutesForm(initial={"minutes": meeting.minutes})
            if can_manage
            else None,
            "decision_form": DecisionForm() if can_manage else None,
            "task_form": TaskForm(project=project) if can_manage else None,
            "attendance_choices": Attendance.choices,
            "task_status_choices": TaskStatus.choices,
            # What other apps recall at this meeting (the consultations presented there).
            "recalls": recalls_for(project, "seance", str(meeting.pk)),
        },
    )


def _meeting(project, pk) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("body__project"), body__project=project, pk=pk
    )


def _back(project, meeting):
    return redirect("governance:meeting", slug=project.slug, pk=meeting.pk)


@project_view(Capability.MANAGE_GOVERNANCE)
@require_POST
def meeting_invite_members(request, project, pk):
    meeting = _meeting(project, pk)
    count = services.invite_body_members(meeting=meeting)
    messages.success(
        request,
        plural(count, "membre de l'instance ajouté", "membres de l'instance ajoutés")
        + " aux invités.",
    )
    return _back(project, meeting)


@project_view(Capability.MANAGE_GOVERNANCE)
@require_POST
def meeting_invite(request, project, pk):
    meeting = _meeting(project, pk)
    form = InvitationForm(request.POST, project=project)
    if form.is_valid():
        try:
            services.add_invitation(meeting=meeting, contact=form.cleaned_data["contact"])
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, "Invitation ajoutée.")
    else:
        messages.error(request, "Choisissez une personne de l'annuaire.")
    return _back(project, meeting)


@project_view(Capability.MANAGE_GOVERNANCE)
@require_POST
def meeting_send_invitations(request, project, pk):
    """One e-mail per invited contact, sent in the background: the job page follows it."""
    meeting = _meeting(project, pk)
    try:
        job = start_invitations(meeting=meeting, base_url=_base_url(request), user=request.user)
    except AlreadyDone as done:
        messages.info(request, done.messages[0])
        return _back(project, meeting)
    return redirect("jobs:detail", slug=project.slug, pk=job.pk)


@project_view(Capability.MANAGE_GOVERNANCE)
@require_POST
def meeting_attendance(request, project, pk, invitation_pk):
    meeting = _meeting(project, pk)
    invitation = get_object_or_404(Invitation, meeting=meeting, pk=invitation_pk)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        try:
            services.record_attendance(
                invitation=invitation,
                attendance=form.cleaned_data["attendance"],
                represented_by=form.cleaned_data["represented_by"],
            )
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, f"Présence de {invitation.contact} enregistrée.")
    else:
        messages.error(request, "Statut de présence inconnu.")
    return _back(project, meeting)


@project_view(Capability.MANAGE_GOVERNANCE)
@require_POST
def meeting_minutes(request, project, pk):
    meeting = _meeting(project, pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        services.save_minutes(meeting=meeting, minutes=form.cleaned_data["minutes"])
        messages.success(request, "Le compte rendu a été enregistré.")
    return _back(project, meeting)


@project_view(Capability.MANAGE_GOVERNANCE)
@require_POST
def meeting_decision(request, project, pk):
    meeting = _meeting(project, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        services.add_decision(meeting=meeting, text=form.cleaned_data["text"])
        messages.success(request, "Décision ajoutée au relevé de décisions.")
    else:
        messages.error(request, "La décision ne peut pas être vide.")
    return _back(project, meeting)


@project_view(Capability.MANAGE_GOVERNANCE)
@require_POST
def decision_delete(request, project, pk):
    decision = get_object_or_404(
        Decision.objects.select_related("meeting"), meeting__body__project=project, pk=pk
    )
    services.delete_decision(decision=decision)
    messages.success(request, "Décision supprimée.")
    return _back(project, decision.meeting)


@project_view(Capability.MANAGE_GOVERNANCE)
@require_POST
def meeting_task(request, project, pk):
    meeting = _meeting(project, pk)
    form = TaskForm(request.POST, project=project, instance=FollowUpTask(meeting=meeting))
    if form.is_valid():
        try:
            services.save_task(task=form.save(commit=False))
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, "Action de suivi ajoutée.")
    else:
        messages.error(
            request,
            "Action de suivi invalide : "
            + " ".join(str(e) for errors in form.errors.values() for e in errors),
        )
    return _back(project, meeting)


@project_view(Capability.MANAGE_GOVERNANCE)
@require_POST
def task_status(request, project, pk):
    task = get_object_or_404(
        FollowUpTask.objects.select_related("meeting"), meeting__body__project=project, pk=pk
    )
    status = request.POST.get("status", "")
    task.status = status
    try:
        services.save_task(task=task)
    except ValidationError:
        messages.error(request, "Statut inconnu.")
    else:
        messages.success(request, "Statut de l'action mis à jour.")
    return _back(project, task.meeting)


@project_view(Capability.VIEW_PROJECT)
@require_safe
def meeting_ics(request, project, pk):
    meeting = _meeting(project, pk)
    return _ics_response(
        services.meeting_ics(meeting, base_url=_base_url(request)), f"seance-{meeting.pk}.ics"
    )


@project_view(Capability.VIEW_PROJECT)
@require_safe
def calendar_ics(request, project):
    data = services.project_calendar_ics(
        project,
        base_url=_base_url(request),
        meetings=selectors.project_meetings(project),
        milestones=project.milestones.all(),
    )
    return _ics_response(data, f"calendrier-{project.slug}.ics")


# Local initiatives and communication plan ------------------------------------------------------


@project_view(Capability.VIEW_PROJECT)
@require_safe
def initiative_list(request, project):
    return render(
        request,
        "governance/initiative_list.html",
        {
            "page_title": "Démarches locales",
            "initiatives": selectors.local_initiatives(project),
            "can_manage": _can_manage(request),
        },
    )


def _initiative_form(request, project, initiative, title):
    form = LocalInitiativeForm(request.POST or None, instance=initiative, project=project)
    return form_view(
        request,
        form=form,
        save=lambda f: services.save_local_initiative(initiative=f.save(commit=False)),
        success_message="La démarche locale a été enregistrée.",
        success_url=lambda: reverse("governance:initiatives", args=[project.slug]),
        context={"page_title": title},
    )


@project_view(Capability.MANAGE_GOVERNANCE)
def initiative_create(request, project):
    return _initiative_form(
        request, project, LocalInitiative(project=project), "Nouvelle démarche locale"
    )


@project_view(Capability.MANAGE_GOVERNANCE)
def initiative_edit(request, project, pk):
    initiative = get_object_or_404(LocalInitiative, project=project, pk=pk)
    return _initiative_form(request, project, initiative, f"Modifier — {initiative.name}")


@project_view(Capability.MANAGE_GOVERNANCE)
@require_POST
def initiative_delete(request, project, pk):
    initiative = get_object_or_404(LocalInitiative, project=project, pk=pk)
    services.delete_local_initiative(initiative=initiative)
    messages.success(request, "La démarche locale a été supprimée.")
    return redirect("governance:initiatives", slug=project.slug)


@project_view(Capability.VIEW_PROJECT)
@require_safe
def communication_list(request, project):
    return render(
        request,
        "governance/communication_list.html",
        {
            "page_title": "Plan de communication",
            "timeline": selectors.communication_timeline(project),
            "can_manage": _can_manage(request),
        },
    )


def _communication_form(request, project, action, title):
    form = CommunicationActionForm(request.POST or None, instance=action)
    return form_view(
        request,
        form=form,
        save=lambda f: services.save_communication_action(action=f.save(commit=False)),
        success_message="L'action de communication a été enregistrée.",
        success_url=lambda: reverse("governance:communication", args=[project.slug]),
        context={"page_title": title},
    )


@project_view(Capability.MANAGE_GOVERNANCE)
def communication_create(request, project):
    return _communication_form(
        request, project, CommunicationAction(project=project), "Nouvelle action de communication"
    )


@project_view(Capability.MANAGE_GOVERNANCE)
def communication_edit(request, project, pk):
    action = get_object_or_404(CommunicationAction, project=project, pk=pk)
    return _communication_form(request, project, action, f"Modifier — {action.objective}")


@project_view(Capability.MANAGE_GOVERNANCE)
@require_POST
def communication_delete(request, project, pk):
    action = get_object_or_404(CommunicationAction, project=project, pk=pk)
    services.delete_communication_action(action=action)
    messages.success(request, "L'action de communication a été supprimée.")
    return redirect("governance:communication", slug=project.slug)
