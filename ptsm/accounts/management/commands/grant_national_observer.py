from ptsm.accounts.services import grant_national_observer
from ptsm.core.management.base import DataCommand


class Command(DataCommand):
    help = (
        "Nomme une personne observateur national : elle consulte le pilotage de toutes les "
        "régions, sans donnée personnelle (crée son compte au besoin)."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--prenom", default="")
        parser.add_argument("--nom", default="")

    def handle(self, *args, email, prenom, nom, **options):
        user, created = grant_national_observer(email=email, first_name=prenom, last_name=nom)
        self.stdout.write(
            f"{user.email} est observateur national."
            + (
                " Compte créé : mot de passe à choisir via « Mot de passe oublié »."
                if created
                else ""
            )
        )
