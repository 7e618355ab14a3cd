"""The domain models whose changes the audit log records, and how each reaches its project.

Each entry is the model's label and the attribute path from an instance to its project's id;
the journal of a project lists the entries recorded with that project.
"""

from django.core.exceptions import ObjectDoesNotExist

ACTION = "objective.theme.orientation.project_id"

# (model label, path to the project id, fields not recorded: frozen contents already kept whole
# by the model itself). Automatic timestamps are never recorded.
TRACKED_MODELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "projects.Project": ("pk", ()),
    "projects.Milestone": ("project_id", ()),
    "projects.PhaseChange": ("project_id", ()),
    "accounts.Membership": ("project_id", ()),
    "organisations.Organisation": ("project_id", ()),
    "organisations.Contact": ("project_id", ()),
    "governance.Body": ("project_id", ()),
    "governance.BodyMember": ("body.project_id", ()),
    "governance.Meeting": ("body.project_id", ()),
    "governance.Invitation": ("meeting.body.project_id", ()),
    "governance.Decision": ("meeting.body.project_id", ()),
    "governance.FollowUpTask": ("meeting.body.project_id", ()),
    "governance.LocalInitiative": ("project_id", ()),
    "governance.CommunicationAction": ("project_id", ()),
    "framing.FramingLetter": ("project_id", ()),
    "framing.LetterVersion": ("letter.project_id", ("lines",)),
    "diagnostic.Finding": ("project_id", ()),
    "diagnostic.DiagnosticVersion": ("project_id", ("content",)),
    "roadmap.Orientation": ("project_id", ()),
    "roadmap.Theme": ("orientation.project_id", ()),
    "roadmap.Objective": ("theme.orientation.project_id", ()),
    "roadmap.Action": (ACTION, ()),
    "roadmap.ActionMilestone": (f"action.{ACTION}", ()),
    "roadmap.FundingLine": (f"action.{ACTION}", ()),
    "roadmap.ActionIndicator": (f"action.{ACTION}", ()),
    "roadmap.RoadmapVersion": ("project_id", ("lines",)),
    "roadmap.RoadmapLevels": ("project_id", ()),
    "commitments.CommitmentLetter": ("project_id", ()),
    "commitments.Signatory": ("letter.project_id", ()),
    "commitments.AnnexVersion": ("letter.project_id", ("lines",)),
    "commitments.SignatureRecord": ("signatory.letter.project_id", ()),
    "evaluation.Review": ("project_id", ()),
    "evaluation.ActionAssessment": ("review.project_id", ()),
    "evaluation.ReviewValidation": ("project_id", ("lines",)),
    "evaluation.ActionIndicatorValue": (f"indicator.action.{ACTION}", ()),
    "pilotage.PublicPage": ("project_id", ()),
    # A consultation's answers: the category and the moderation (hidden, with its reason) —
    # never the free texts (`Answer` is not tracked: a hidden text must not live on in the
    # journal), nor the answer link's token.
    "consultations.Consultation": ("project_id", ("token",)),
    "consultations.Question": ("consultation.project_id", ()),
    "consultations.Response": ("consultation.project_id", ()),
    "consultations.InvitationSending": ("consultation.project_id", ()),
}

_PATHS: dict[type, str] = {}


def register_tracked_models() -> None:
    """Register the tracked models with django-auditlog (called once, from AppConfig.ready)."""
    from auditlog.registry import auditlog
    from django.apps import apps

    for label, (path, excluded) in TRACKED_MODELS.items():
        model = apps.get_model(label)
        _PATHS[model] = path
        # Only the model's own columns: reverse relations would be recorded as noise, and
        # automatic timestamps repeat the entry's own date.
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if not f.primary_key
            and f.name not in excluded
            and f.name != "version"  # the optimistic-locking counter: every save bumps it
            and not getattr(f, "auto_now", False)
            and not getattr(f, "auto_now_add", False)
        ]
        m2m = {f.name for f in model._meta.many_to_many}
        auditlog.register(model, include_fields=fields, m2m_fields=m2m)


def project_id_of(instance) -> int | None:
    """The id of the project an instance belongs to, None for untracked models or when a parent
    is gone already (a cascade deletes children after their parents' rows may be read)."""
    path = _PATHS.get(type(instance))
    if path is None:
        return None
    value = instance
    try:
        for attribute in path.split("."):
            value = getattr(value, attribute)
            if value is None:
                return None
    except ObjectDoesNotExist:
        return None
    return value
