"""The demo's part of issue 19: the directory's usagers and families organisations say whom
they represent, and a pair-aidante employed by the EPSM sits in the COPIL and a working group
for people with lived experience — before the demo's meetings are held, so that her attendance
and that of the UNAFAM and the GEM are counted (`ptsm.demo.loader` calls this once)."""

from ptsm.organisations.models import Contact, LegalBasis, Organisation
from ptsm.organisations.services import prefill_represents, save_contact

from .models import Body, BodyKind, MemberRepresents, MemberRole
from .services import add_body_member, create_default_bodies


def build_participation_demo(project) -> None:
    prefill_represents(project=project)
    hospital = Organisation.objects.filter(project=project, sub_type="etab_psy_public").first()
    if hospital is None:
        return
    pair_aidant = save_contact(
        contact=Contact(
            project=project,
            organisation=hospital,
            civility="Mme",
            first_name="Katell",
            last_name="Le Duff",
            function="Médiatrice de santé pair",
            email="katell.leduff@demo-partenaire.fr",
            legal_basis=LegalBasis.PUBLIC_INTEREST,
            notice_date=project.start_date,
        )
    )
    create_default_bodies(project=project)  # the bodies the demo's governance then fills
    bodies = Body.objects.filter(project=project)
    for body in (
        bodies.get(kind=BodyKind.COPIL),
        bodies.filter(kind=BodyKind.WORKING_GROUP, entry_door=3).first(),
    ):
        if body is not None:
            add_body_member(
                body=body,
                contact=pair_aidant,
                role=MemberRole.MEMBER,
                represents=MemberRepresents.LIVED_EXPERIENCE,
            )
