"""What each role may do in a project. Views ask `has_capability`, never compare roles."""

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Exists, Subquery

from .models import ArsAdministration, Membership, NationalObserver, Role, User


class Capability(StrEnum):
    VIEW_PROJECT = "view_project"
    EDIT_PROJECT = "edit_project"
    MANAGE_MEMBERS = "manage_members"
    GENERATE_DOCUMENTS = "generate_documents"
    EDIT_DIRECTORY = "edit_directory"
    MANAGE_GOVERNANCE = "manage_governance"
    EDIT_FRAMING = "edit_framing"
    EDIT_DIAGNOSTIC = "edit_diagnostic"
    MANAGE_INDICATORS = "manage_indicators"
    EDIT_ROADMAP = "edit_roadmap"
    EDIT_ACTIONS = "edit_actions"
    MANAGE_COMMITMENTS = "manage_commitments"
    EDIT_EVALUATION = "edit_evaluation"
    DELETE_PROJECT = "delete_project"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_PERSONAL_DATA = "manage_personal_data"
    SIGN_COMMITMENT = "sign_commitment"
    VIEW_CONTACT_DETAILS = "view_contact_details"
    EXPORT_CONTACTS = "export_contacts"
    VIEW_DRAFTS = "view_drafts"
    MANAGE_CONSULTATIONS = "manage_consultations"


ALL_ROLES = set(Role)
ROLE_CAPABILITIES: dict[Capability, set[Role]] = {
    Capability.VIEW_PROJECT: ALL_ROLES,
    Capability.EDIT_PROJECT: {Role.ARS_ADMIN, Role.PROJECT_LEAD},
    Capability.MANAGE_MEMBERS: {Role.ARS_ADMIN, Role.PROJECT_LEAD},
    Capability.GENERATE_DOCUMENTS: {Role.ARS_ADMIN, Role.PROJECT_LEAD},
    Capability.EDIT_DIRECTORY: {Role.ARS_ADMIN, Role.PROJECT_LEAD},
    Capability.MANAGE_GOVERNANCE: {Role.ARS_ADMIN, Role.PROJECT_LEAD},
    Capability.EDIT_FRAMING: {Role.ARS_ADMIN, Role.PROJECT_LEAD},
    # Findings come from the working groups: COPIL members and action pilots contribute too.
    Capability.EDIT_DIAGNOSTIC: {
        Role.ARS_ADMIN,
        Role.PROJECT_LEAD,
        Role.COPIL_MEMBER,
        Role.ACTION_PILOT,
    },
    # The project's own indicators extend the catalogue everyone reads: the coordinator's call.
    Capability.MANAGE_INDICATORS: {Role.ARS_ADMIN, Role.PROJECT_LEAD},
    Capability.EDIT_ROADMAP: {Role.ARS_ADMIN, Role.PROJECT_LEAD},
    # Pilots edit the fiches-actions they pilot (checked on each action), leads edit them all.
    Capability.EDIT_ACTIONS: {Role.ARS_ADMIN, Role.PROJECT_LEAD, Role.ACTION_PILOT},
    Capability.MANAGE_COMMITMENTS: {Role.ARS_ADMIN, Role.PROJECT_LEAD},
    # The reviews are the COPIL's: its members write them with the project lead and the ARS.
    Capability.EDIT_EVALUATION: {Role.ARS_ADMIN, Role.PROJECT_LEAD, Role.COPIL_MEMBER},
    # Deleting a whole project is the ARS's act, never the project lead's.
    Capability.DELETE_PROJECT: {Role.ARS_ADMIN},
    # RGPD: the journal (who did what) and a contact's export and erasure.
    Capability.VIEW_AUDIT_LOG: {Role.ARS_ADMIN, Role.PROJECT_LEAD},
    Capability.MANAGE_PERSONAL_DATA: {Role.ARS_ADMIN, Role.PROJECT_LEAD},
    # A signataire d'opérateur deposits the signed annex of their own organisation only.
    Capability.SIGN_COMMITMENT: {Role.ARS_ADMIN, Role.PROJECT_LEAD, Role.OPERATOR_SIGNATORY},
    # The lecteur sees institutions, never the contacts' e-mail addresses and phone numbers.
    Capability.VIEW_CONTACT_DETAILS: ALL_ROLES - {Role.READER},
    Capability.EXPORT_CONTACTS: {Role.ARS_ADMIN, Role.PROJECT_LEAD},
    # Documents not validated yet (framing letter, diagnostic, roadmap, reviews) are drafts: the
    # lecteur and the signataire d'opérateur get the validated ones only.
    Capability.VIEW_DRAFTS: ALL_ROLES - {Role.READER, Role.OPERATOR_SIGNATORY},
    # Consulting people with lived experience and their families is the COPIL's business: its
    # members open, moderate and summarise consultations with the project lead.
    Capability.MANAGE_CONSULTATIONS: {Role.ARS_ADMIN, Role.PROJECT_LEAD, Role.COPIL_MEMBER},
}
# Roles that see only the part of the commitments of the organisation their membership names.
OPERATOR_SCOPED_ROLES = {Role.OPERATOR_SIGNATORY}


@dataclass(frozen=True)
class ProjectAccess:
    """A user's role in one project and the organisation their membership names, if any."""

    role: Role | None
    organisation_id: int | None = None


def project_access(user, project) -> ProjectAccess:
    """The user's role in the project (None when they have no access to it at all) and the
    organisation they act for.

    An administrateur ARS of the project's région outranks any membership they also hold.
    """
    if not user.is_authenticated or not user.is_active:
        return ProjectAccess(None)
    if user.is_superuser:
        return ProjectAccess(Role.ARS_ADMIN)
    # One query on every project page: the administration of the région and the membership.
    membership = Membership.objects.filter(user=user, project=project)
    ars_admin, role, organisation_id = (
        User.objects.filter(pk=user.pk)
        .values_list(
            Exists(ArsAdministration.objects.filter(user=user, region_id=project.region_id)),
            Subquery(membership.values("role")[:1]),
            Subquery(membership.values("organisation_id")[:1]),
        )
        .get()
    )
    if ars_admin:
        return ProjectAccess(Role.ARS_ADMIN)
    return ProjectAccess(Role(role), organisation_id) if role else ProjectAccess(None)


def project_role(user, project) -> Role | None:
    return project_access(user, project).role


def role_allows(role: Role | None, capability: Capability) -> bool:
    return role is not None and role in ROLE_CAPABILITIES[capability]


def may_see_contact_details(role: Role | None) -> bool:
    """Whether contacts' e-mail addresses and phone numbers may be shown to this role."""
    return role_allows(role, Capability.VIEW_CONTACT_DETAILS)


def visible_operator(role: Role | None, organisation_id: int | None, operator_id: int) -> bool:
    """Whether this role sees the commitment part (annex, signed PDF) of one operator: every
    operator for the other roles, only their own organisation for a signataire d'opérateur (and
    none when their membership names no organisation)."""
    if role is None:
        return False
    if role in OPERATOR_SCOPED_ROLES:
        return organisation_id is not None and organisation_id == operator_id
    return True


def sees_every_operator(role: Role | None) -> bool:
    return role is not None and role not in OPERATOR_SCOPED_ROLES


def has_capability(user, project, capability: Capability) -> bool:
    return role_allows(project_role(user, project), capability)


def administered_region_ids(user) -> list[str]:
    if not user.is_authenticated:
        return []
    return list(ArsAdministration.objects.filter(user=user).values_list("region_id", flat=True))


@dataclass(frozen=True)
class CockpitScope:
    """What a user reads in the regional cockpit: the régions they administer, or every région
    for an observateur national (and a superuser)."""

    region_ids: list[str]
    national: bool  # every région, as an observer: no drill-down into projects

    @property
    def allowed(self) -> bool:
        return self.national or bool(self.region_ids)


def cockpit_scope(user) -> CockpitScope:
    if not user.is_authenticated or not user.is_active:
        return CockpitScope([], False)
    if user.is_superuser or NationalObserver.objects.filter(user=user).exists():
        return CockpitScope(sorted(administered_region_ids(user)), True)
    return CockpitScope(sorted(administered_region_ids(user)), False)
