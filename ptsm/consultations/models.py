"""Consultations of people with lived experience, their families and the project's partners:
questions asked at one step of the method, answered without an account, anonymous by design
(a category, never a name)."""

import secrets

from django.db import models

from ptsm.core.concurrency import Versioned

# Answers are short: the limit is said next to each free-text field.
TEXT_ANSWER_MAX = 1500
INTRODUCTION_MAX = 2000
HIDDEN_REASON_MAX = 500
SUMMARY_MAX = 10_000

# Agreement scale, from 1 to 5.
AGREEMENT_SCALE = [
    "Pas du tout d'accord",
    "Plutôt pas d'accord",
    "Ni d'accord ni pas d'accord",
    "Plutôt d'accord",
    "Tout à fait d'accord",
]


def new_token() -> str:
    # 32 random bytes: the answer link cannot be guessed from another one.
    return secrets.token_urlsafe(32)


class ConsultationStatus(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    OPEN = "ouverte", "Ouverte"
    CLOSED = "close", "Close"
    ARCHIVED = "archivee", "Archivée"


class TargetKind(models.TextChoices):
    """The step of the method a consultation is about (see `targets.py`)."""

    DIAGNOSTIC = "diagnostic", "Constats du diagnostic d'une porte d'entrée"
    ROADMAP = "feuille-de-route", "Projet de feuille de route"
    ACTION = "fiche-action", "Fiche-action"
    REVIEW = "bilan", "Bilan"


class ParticipantCategory(models.TextChoices):
    PERSON = "personne_concernee", "Personne concernée"
    RELATIVE = "proche", "Proche"
    PROFESSIONAL = "professionnel", "Professionnel"
    ELECTED = "elu", "Élu"
    OTHER = "autre", "Autre"


# Plural labels, for the results' tables and the participation figures.
CATEGORY_PLURALS = {
    ParticipantCategory.PERSON: "Personnes concernées",
    ParticipantCategory.RELATIVE: "Proches",
    ParticipantCategory.PROFESSIONAL: "Professionnels",
    ParticipantCategory.ELECTED: "Élus",
    ParticipantCategory.OTHER: "Autres",
}


class Consultation(Versioned):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="consultations"
    )
    number = models.PositiveIntegerField("numéro")  # 1, 2… within the project
    title = models.CharField("titre", max_length=200)
    introduction = models.TextField("introduction", max_length=INTRODUCTION_MAX)
    target_kind = models.CharField("étape concernée", max_length=20, choices=TargetKind.choices)
    # Which door, fiche-action or review (empty for the roadmap), validated by `targets.py`.
    target_ref = models.CharField(max_length=40, blank=True)
    # The step's name when the consultation was set up, e.g. « Fiche-action 1.1.2 : … ».
    target_label = models.CharField("objet", max_length=300)
    opens_on = models.DateField("ouverture des réponses")
    closes_on = models.DateField("clôture des réponses")
    status = models.CharField(
        "statut",
        max_length=10,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.DRAFT,
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    meeting = models.ForeignKey(
        "governance.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name="séance où les résultats sont présentés",
    )
    summary = models.TextField("synthèse", blank=True, max_length=SUMMARY_MAX)
    opened_at = models.DateTimeField("ouverte le", null=True, blank=True)
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    summarised_at = models.DateTimeField("synthèse rédigée le", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "consultation"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"], name="one_consultation_number_per_project"
            )
        ]

    def __str__(self) -> str:
        return f"Consultation n° {self.number} : {self.title}"

    @property
    def file_stem(self) -> str:
        return f"consultation-{self.number}"

    def rekey_for_project(self) -> None:
        """Restored from an archive: the answer link is kept (a backup restored elsewhere keeps
        its links working), unless it is taken here — a copy of a project that still exists
        gets links of its own, the original's keep leading to the original."""
        if Consultation.objects.filter(token=self.token).exists():
            self.token = new_token()


class QuestionKind(models.TextChoices):
    TEXT = "texte", "Texte libre"
    SINGLE = "choix_unique", "Choix unique"
    MULTIPLE = "choix_multiple", "Choix multiple"
    SCALE = "echelle", "Accord sur une échelle"


class Question(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField("type de question", max_length=20, choices=QuestionKind.choices)
    text = models.CharField("question", max_length=300)
    help_text = models.CharField("précision", max_length=300, blank=True)
    # The options of a choice question, in order (the scale's are AGREEMENT_SCALE).
    choices = models.JSONField("réponses proposées", default=list, blank=True)
    required = models.BooleanField("réponse obligatoire", default=False)

    class Meta:
        verbose_name = "question"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def options(self) -> list[str]:
        return AGREEMENT_SCALE if self.kind == QuestionKind.SCALE else list(self.choices)


class Response(models.Model):
    """One participant's answers. Nothing but the category says who answered: no name, no
    e-mail, no address, no time of day (the date only), no link to an invitation."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="responses"
    )
    category = models.CharField(
        "vous répondez en tant que", max_length=20, choices=ParticipantCategory.choices
    )
    submitted_on = models.DateField("reçue le")
    hidden = models.BooleanField("masquée", default=False)
    hidden_reason = models.CharField("motif du masquage", max_length=HIDDEN_REASON_MAX, blank=True)
    hidden_on = models.DateField("masquée le", null=True, blank=True)

    class Meta:
        verbose_name = "réponse à une consultation"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Réponse n° {self.pk} ({self.get_category_display()})"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField("réponse", blank=True, max_length=TEXT_ANSWER_MAX)
    # Positions (0-based) of the options chosen: one for a single choice or the scale.
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = "réponse à une question"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"Réponse à « {self.question} »"


class InvitationSending(models.Model):
    """That the answer link was e-mailed to a body's members: when, to how many. Which
    addresses is not kept, and no answer is ever linked to it."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="invitation_sendings"
    )
    body_name = models.CharField("instance", max_length=200)
    # The body whose members are read when sending (its name above stays if it is deleted).
    body = models.ForeignKey(
        "governance.Body", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recipients = models.PositiveIntegerField("destinataires")
    # How many e-mails left: work resumed after an interruption sends only the others.
    sent = models.PositiveIntegerField("courriels envoyés", default=0)
    sent_at = models.DateTimeField("envoyée le", auto_now_add=True)

    class Meta:
        verbose_name = "envoi du lien de consultation"
        ordering = ["sent_at"]

    def __str__(self) -> str:
        return f"Lien envoyé aux membres de « {self.body_name} »"
