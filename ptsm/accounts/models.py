"""Users (login by e-mail) and their roles in projects."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person using ptsm. Only professional contact details are kept."""

    email = models.EmailField("adresse électronique professionnelle", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    job_title = models.CharField("fonction", max_length=200, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration technique", default=False)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)
    # Opt-in: the weekly e-mail of their « À faire » (`manage.py send_todo_digest`, from cron).
    todo_digest = models.BooleanField(
        "recevoir chaque semaine mon « À faire » par courriel", default=False
    )
    todo_digest_sent_at = models.DateTimeField(
        "dernier récapitulatif envoyé le", null=True, blank=True
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class Role(models.TextChoices):
    """Roles of a person in one project (administrateur ARS is granted per région)."""

    ARS_ADMIN = "ars_admin", "Administrateur ARS"
    PROJECT_LEAD = "project_lead", "Chef de projet"
    COPIL_MEMBER = "copil_member", "Membre du COPIL"
    ACTION_PILOT = "action_pilot", "Pilote d'action"
    OPERATOR_SIGNATORY = "operator_signatory", "Signataire d'opérateur"
    READER = "reader", "Lecteur"


PROJECT_ROLES = [r for r in Role if r != Role.ARS_ADMIN]


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        "rôle", max_length=30, choices=[(r.value, r.label) for r in PROJECT_ROLES]
    )
    # The organisation the person acts for: a signataire d'opérateur sees and signs only its annex.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="organisation représentée",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "rôle dans un projet"
        verbose_name_plural = "rôles dans les projets"
        constraints = [
            models.UniqueConstraint(fields=["user", "project"], name="one_role_per_project")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.project}"

    def clean(self) -> None:
        if self.organisation_id and self.organisation.project_id != self.project_id:
            raise ValidationError(
                {"organisation": "Cette organisation n'appartient pas à l'annuaire du projet."}
            )


class ArsAdministration(models.Model):
    """Administrateur ARS: administers every project of a région."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="ars_administrations")
    region = models.ForeignKey(
        "territories.Region", on_delete=models.CASCADE, related_name="ars_administrators"
    )

    class Meta:
        verbose_name = "administrateur ARS"
        verbose_name_plural = "administrateurs ARS"
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="one_ars_admin_per_region")
        ]

    def __str__(self) -> str:
        return f"{self.user} — ARS {self.region}"


class NationalObserver(models.Model):
    """Observateur national (délégation ministérielle, ANAP): reads the cockpit of every région —
    institutions, figures and validated documents, never a contact's personal data. Holds no role
    in any project."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="national_observer")
    granted_at = models.DateTimeField("nommé le", auto_now_add=True)

    class Meta:
        verbose_name = "observateur national"
        verbose_name_plural = "observateurs nationaux"

    def __str__(self) -> str:
        return f"{self.user} — observateur national"
