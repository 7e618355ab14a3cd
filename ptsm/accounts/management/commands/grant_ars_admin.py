from django.core.management.base import CommandError

from ptsm.accounts.services import grant_ars_administration
from ptsm.core.management.base import DataCommand
from ptsm.territories.models import Region


class Command(DataCommand):
    help = "Nomme une personne administrateur ARS d'une région (crée son compte au besoin)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("region", help="code INSEE de la région, par ex. 53 pour la Bretagne")
        parser.add_argument("--prenom", default="")
        parser.add_argument("--nom", default="")

    def handle(self, *args, email, region, prenom, nom, **options):
        try:
            region_obj = Region.objects.get(code=region)
        except Region.DoesNotExist as exc:
            raise CommandError(
                f"Région inconnue : {region}. Chargez le référentiel (load_territories)."
            ) from exc
        user, created = grant_ars_administration(
            email=email, region=region_obj, first_name=prenom, last_name=nom
        )
        self.stdout.write(
            f"{user.email} est administrateur ARS de la région {region_obj.name}."
            + (
                " Compte créé : mot de passe à choisir via « Mot de passe oublié »."
                if created
                else ""
            )
        )
