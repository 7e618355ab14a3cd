"""What each role may do in a project. Views ask `has_capability`, never compare roles."""

from enum import StrEnum

from .models import ArsAdministration, Membership, Role


class Capability(StrEnum):
    VIEW_PROJECT = "view_project"
    EDIT_PROJECT = "edit_project"
    MANAGE_MEMBERS = "manage_members"
    GENERATE_DOCUMENTS = "generate_documents"
    EDIT_DIRECTORY = "edit_directory"
    MANAGE_GOVERNANCE = "manage_governance"
    EDIT_FRAMING = "edit_framing"
    EDIT_DIAGNOSTIC = "edit_diagnostic"
    EDIT_ROADMAP = "edit_roadmap"
    EDIT_ACTIONS = "edit_actions"
    MANAGE_COMMITMENTS = "manage_commitments"
    EDIT_EVALUATION = "edit_evaluation"
    DELETE_PROJECT = "delete_project"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_PERSONAL_DATA = "manage_personal_data"


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
}


def project_role(user, project) -> Role | None:
    """The user's role in the project, None when they have no access to it at all.

    An administrateur ARS of the project's région outranks any membership they also hold.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    if (
        user.is_superuser
        or ArsAdministration.objects.filter(user=user, region_id=project.region_id).exists()
    ):
        return Role.ARS_ADMIN
    role = (
        Membership.objects.filter(user=user, project=project).values_list("role", flat=True).first()
    )
    return Role(role) if role else None


def role_allows(role: Role | None, capability: Capability) -> bool:
    return role is not None and role in ROLE_CAPABILITIES[capability]


def has_capability(user, project, capability: Capability) -> bool:
    return role_allows(project_role(user, project), capability)


def administered_region_ids(user) -> list[str]:
    if not user.is_authenticated:
        return []
    return list(ArsAdministration.objects.filter(user=user).values_list("region_id", flat=True))
