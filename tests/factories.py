import datetime as dt

import factory

from ptsm.accounts.models import ArsAdministration, Membership, Role, User
from ptsm.projects.services import create_project
from ptsm.territories.models import Departement

PASSWORD = "mot-de-passe-de-test-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


def make_project(
    *,
    departement: str = "29",
    name: str | None = None,
    start: dt.date | None = None,
    commune_codes=(),
    epcis=(),
    with_departement: bool = True,
    **kwargs,
):
    dep = Departement.objects.select_related("region").get(code=departement)
    return create_project(
        name=name or f"PTSM {dep.name}",
        region=dep.region,
        start_date=start or dt.date(2026, 1, 15),
        territory_name=dep.name,
        departements=[dep] if with_departement else [],
        commune_codes=commune_codes,
        epcis=epcis,
        **kwargs,
    )


def member(project, role: Role, **user_fields) -> User:
    user = UserFactory(**user_fields)
    if role == Role.ARS_ADMIN:
        ArsAdministration.objects.create(user=user, region=project.region)
    else:
        Membership.objects.create(user=user, project=project, role=role)
    return user


def ready_framing_letter(letter):
    """Give the framing letter what its readiness check asks for (two signatories with a name
    and a function), keeping the signatories already chosen."""
    from ptsm.organisations.models import Contact, Organisation

    project = letter.project
    for field, sub_type, category, name, person in (
        ("ars_signatory", "ars", "institutions_financeurs", "ARS", ("Anne", "Directrice")),
        (
            "cd_signatory",
            "conseil_departemental",
            "collectivites",
            "Conseil départemental",
            ("Paul", "Président"),
        ),
    ):
        contact = getattr(letter, field)
        if contact is None:
            organisation = Organisation.objects.filter(
                project=project, sub_type=sub_type
            ).first() or Organisation.objects.create(
                project=project, name=name, category=category, sub_type=sub_type
            )
            contact = Contact.objects.create(
                project=project,
                organisation=organisation,
                first_name=person[0],
                last_name="Signataire",
                function=person[1],
            )
            setattr(letter, field, contact)
        elif not contact.function:
            contact.function = person[1]
            contact.save()
    letter.save()
    return letter
