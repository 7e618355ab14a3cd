"""Governance of a project (ANAP fiches 2, 3, 4, 7, 10): bodies, members, meetings, minutes,
local initiatives and the communication plan."""

from django.db import models

from ptsm.core.anap import EntryDoor
from ptsm.core.concurrency import Versioned
from ptsm.projects.models import Phase


class BodyKind(models.TextChoices):
    COPIL = "copil", "Comité de pilotage (COPIL)"
    PROJECT_LEAD = "project_lead", "Chef de projet"
    PROJECT_TEAM = "project_team", "Équipe-projet"
    CO_PILOTING_GROUP = (
        "co_piloting_group",
        "Groupe-projet (copilotage ARS – conseil départemental)",
    )
    WORKING_GROUP = "working_group", "Groupe de travail"
    PLENARY = "plenary", "Plénière"


class Body(Versioned):
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="bodies")
    kind = models.CharField("type d'instance", max_length=30, choices=BodyKind.choices)
    name = models.CharField("nom", max_length=200)
    missions = models.TextField("missions", blank=True)
    composition_notes = models.TextField("composition (précisions)", blank=True)
    co_piloted = models.BooleanField(
        "copiloté par l'ARS et le conseil départemental",
        default=False,
        help_text="Pour le COPIL : copilotage ARS – conseil départemental.",
    )
    entry_door = models.PositiveSmallIntegerField(
        "porte d'entrée de la Rosace", choices=EntryDoor.choices, null=True, blank=True
    )
    order = models.PositiveSmallIntegerField("ordre", default=0)
    # Also touched when its members change (`?modifie_depuis=` of the API).
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "instance"
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    PRESIDENT = "president", "Président(e)"
    CO_PRESIDENT = "co_president", "Co-président(e)"
    MEMBER = "member", "Membre"
    GUEST = "guest", "Invité(e)"
    FACILITATOR = "facilitator", "Animateur / animatrice"


# A member's part in a body as documents write it after their name: a function, never a
# « (e) » or « / » label (« Thierry Gourmelen (EPSM Finistère Sud, animation) »).
ROLE_IN_DOCUMENTS = {
    MemberRole.PRESIDENT: "présidence",
    MemberRole.CO_PRESIDENT: "coprésidence",
    MemberRole.MEMBER: "membre",
    MemberRole.GUEST: "invitation",
    MemberRole.FACILITATOR: "animation",
}


class MemberRepresents(models.TextChoices):
    """Whom a member speaks for, when it is not what their organisation says (a pair-aidant
    employed by a hospital, a family member sitting for a CLSM). "" follows the organisation."""

    LIVED_EXPERIENCE = "personnes_concernees", "Personnes concernées"
    FAMILIES = "proches", "Proches et familles"
    BOTH = "personnes_concernees_proches", "Personnes concernées et proches"
    NONE = "aucune", "Ni les personnes concernées ni les proches"


class BodyMember(models.Model):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members")
    contact = models.ForeignKey(
        "organisations.Contact", on_delete=models.CASCADE, related_name="body_memberships"
    )
    role = models.CharField(
        "rôle", max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    represents = models.CharField(
        "représente",
        max_length=30,
        choices=MemberRepresents.choices,
        blank=True,
        help_text="À renseigner seulement quand la personne ne représente pas les mêmes "
        "personnes que son organisation : par exemple une pair-aidante salariée d'un hôpital "
        "représente les personnes concernées. Laissé vide, c'est ce que l'organisation "
        "représente qui compte.",
    )

    class Meta:
        verbose_name = "membre d'instance"
        ordering = ["role", "contact__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "contact"],
                name="one_membership_per_body",
                violation_error_message="Cette personne est déjà membre de l'instance.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} — {self.get_role_display()}"

    @property
    def represented(self) -> str:
        """Whom the member represents: their own choice, else their organisation's ("" for
        nobody). Read with `contact__organisation`."""
        if self.represents == MemberRepresents.NONE:
            return ""
        return self.represents or self.contact.organisation.represents

    @property
    def represented_label(self) -> str:
        represented = self.represented
        return MemberRepresents(represented).label if represented else ""


class MeetingStatus(models.TextChoices):
    PLANNED = "prevue", "Prévue"
    HELD = "tenue", "Tenue"
    CANCELLED = "annulee", "Annulée"


class Meeting(Versioned):
    """A meeting of a body (séance): agenda, invitations, attendance, minutes."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField("intitulé", max_length=200)
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    place = models.CharField("lieu", max_length=255, blank=True)
    video_link = models.URLField("lien de visioconférence", blank=True)
    agenda = models.TextField("ordre du jour", blank=True)
    status = models.CharField(
        "statut", max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    minutes = models.TextField("compte rendu", blank=True)
    invitations_sent_at = models.DateTimeField("invitations envoyées le", null=True, blank=True)
    sequence = models.PositiveIntegerField(default=0)  # ICS revision number
    # Also touched when its decisions change (`?modifie_depuis=` of the API).
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "séance"
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return self.title


class Attendance(models.TextChoices):
    INVITED = "invite", "Invité(e)"
    PRESENT = "present", "Présent(e)"
    EXCUSED = "excuse", "Excusé(e)"
    ABSENT = "absent", "Absent(e)"
    REPRESENTED = "represente", "Représenté(e)"


class Invitation(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(
        "organisations.Contact", on_delete=models.CASCADE, related_name="invitations"
    )
    attendance = models.CharField(
        "présence", max_length=12, choices=Attendance.choices, default=Attendance.INVITED
    )
    represented_by = models.CharField("représenté(e) par", max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "invitation"
        ordering = ["contact__last_name", "contact__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "contact"], name="one_invitation_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} — {self.get_attendance_display()}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField("décision")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "décision"
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class TaskStatus(models.TextChoices):
    TODO = "a_faire", "À faire"
    IN_PROGRESS = "en_cours", "En cours"
    DONE = "fait", "Fait"


class FollowUpTask(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="tasks")
    description = models.TextField("action de suivi")
    owner = models.ForeignKey(
        "organisations.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_tasks",
        verbose_name="responsable",
    )
    due_date = models.DateField("échéance", null=True, blank=True)
    status = models.CharField(
        "statut", max_length=10, choices=TaskStatus.choices, default=TaskStatus.TODO
    )

    class Meta:
        verbose_name = "action de suivi"
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.description[:80]


class InitiativeKind(models.TextChoices):
    CLSM = "clsm", "Conseil local de santé mentale (CLSM)"
    CLS = "cls", "Contrat local de santé (CLS)"
    CPTS = "cpts", "Communauté professionnelle territoriale de santé (CPTS)"
    DAC = "dac", "Dispositif d'appui à la coordination (DAC)"
    PMP = "pmp", "Projet médical partagé du GHT"
    CPT = "cpt", "Communauté psychiatrique de territoire"
    CITY_CONTRACT = "contrat_ville", "Contrat de ville"
    LOCAL_COUNCIL = "conseil_local", "Conseil local (autre)"
    REGIONAL_SCHEME = "schema_regional", "Schéma ou dispositif régional spécialisé"
    OTHER = "autre", "Autre démarche"


class InitiativeStatus(models.TextChoices):
    PLANNED = "en_projet", "En projet"
    ACTIVE = "active", "Active"
    ENDED = "terminee", "Terminée"


class LocalInitiative(models.Model):
    """An existing local démarche on the territory (ANAP fiche 6)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="local_initiatives"
    )
    kind = models.CharField("type de démarche", max_length=20, choices=InitiativeKind.choices)
    name = models.CharField("intitulé", max_length=200)
    carrier = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="local_initiatives",
        verbose_name="structure porteuse",
    )
    area = models.CharField("territoire couvert", max_length=200, blank=True)
    status = models.CharField(
        "statut", max_length=12, choices=InitiativeStatus.choices, default=InitiativeStatus.ACTIVE
    )
    link_to_project = models.TextField(
        "articulation avec le PTSM",
        blank=True,
        help_text="Comment cette démarche contribue au projet ou s'articule avec lui.",
    )
    website = models.URLField("site internet", blank=True)

    class Meta:
        verbose_name = "démarche locale"
        verbose_name_plural = "démarches locales"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class CommunicationStatus(models.TextChoices):
    PLANNED = "prevue", "Prévue"
    DONE = "realisee", "Réalisée"
    CANCELLED = "annulee", "Annulée"


class CommunicationAction(models.Model):
    """A line of the communication plan (ANAP fiche 7)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="communication_actions"
    )
    phase = models.CharField("phase", max_length=20, choices=Phase.choices, blank=True)
    objective = models.CharField("objectif", max_length=255)
    audience = models.CharField("public visé", max_length=255)
    message = models.TextField("message", blank=True)
    channel = models.CharField("canal / support", max_length=200)
    date = models.DateField("date")
    owner = models.CharField("responsable", max_length=200, blank=True)
    status = models.CharField(
        "statut",
        max_length=10,
        choices=CommunicationStatus.choices,
        default=CommunicationStatus.PLANNED,
    )

    class Meta:
        verbose_name = "action de communication"
        verbose_name_plural = "plan de communication"
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return self.objective
