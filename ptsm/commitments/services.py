"""Writes of the commitments app: the letter, annex versions and amendments, the signature
campaign (sending, reminders, signed PDFs, refusals, collective session)."""

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ptsm.core.concurrency import AlreadyDone, save_sections
from ptsm.core.files import atomic_with_files, store_file
from ptsm.core.mail import header_text
from ptsm.documents.letters import not_ready_message
from ptsm.documents.registry import get_kind
from ptsm.documents.rendering import ConcurrentRenderer, RenderingError
from ptsm.documents.services import document_meta, freeze_documents, store_document
from ptsm.documents.uploads import check_signed_upload, upload_sha256
from ptsm.governance.models import Attendance
from ptsm.organisations.models import Contact, Organisation
from ptsm.projects.services import record_method_event

from .content import Snapshot, annex_context, annex_lines, annex_signature_context, operators
from .documents import ANNEX_KIND, COLLECTIVE_KIND, annex_variant, collective_freeze
from .events import COMMITMENTS_SIGNED
from .models import (
    AnnexVersion,
    CommitmentLetter,
    Signatory,
    SignatoryStatus,
    SignatureMode,
    SignatureRecord,
)
from .sections import SECTION_BY_KEY
from .selectors import engagement_period


def ensure_letter(*, project) -> CommitmentLetter:
    letter = CommitmentLetter.objects.filter(project=project).first()
    if letter is None:
        regulator = (
            Organisation.objects.filter(project=project, sub_type="ars").order_by("pk").first()
        )
        cd = (
            Organisation.objects.filter(project=project, sub_type="conseil_departemental")
            .order_by("pk")
            .first()
        )
        letter = CommitmentLetter.objects.create(
            project=project,
            cd_signatory=Contact.objects.filter(organisation=cd).order_by("pk").first()
            if cd
            else None,
            regulator=regulator,
            regulator_signatory=Contact.objects.filter(organisation=regulator)
            .order_by("pk")
            .first()
            if regulator
            else None,
        )
    sync_signatories(letter=letter)
    return letter


def sync_signatories(*, letter: CommitmentLetter) -> int:
    """One signatory per operator carrying a validated action (existing ones are kept)."""
    existing = set(letter.signatories.values_list("organisation_id", flat=True))
    new = [
        Signatory(letter=letter, organisation=o, contact=o.contacts.order_by("pk").first())
        for o in operators(letter.project)
        if o.pk not in existing
    ]
    Signatory.objects.bulk_create(new)
    return len(new)


SIGNED_TEXT_IS_FROZEN = (
    "Au moins un opérateur a signé : le texte de la lettre d'engagement est figé. Pour le faire "
    "évoluer, établissez un avenant (article 6) avec chaque opérateur concerné."
)


def _any_signed(letter: CommitmentLetter) -> bool:
    return letter.signatories.filter(status=SignatoryStatus.SIGNED).exists()


@transaction.atomic
def update_text(
    *,
    letter: CommitmentLetter,
    key: str,
    text: str,
    base: str | None = None,
    default: str = "",
    label: str = "",
) -> None:
    """Save one section under a row lock (see `ptsm.core.concurrency.save_sections`)."""
    if key not in SECTION_BY_KEY and key not in {"article4", "article5", "article6"}:
        raise ValidationError("Section inconnue.")
    if _any_signed(letter):
        raise ValidationError(SIGNED_TEXT_IS_FROZEN)
    saved = save_sections(
        CommitmentLetter,
        letter.pk,
        field="texts",
        texts={key: text},
        bases=None if base is None else {key: base},
        defaults={key: default},
        labels={key: label or key},
    )
    letter.texts = saved.texts


@transaction.atomic
def update_settings(
    *,
    letter: CommitmentLetter,
    signature_mode: str,
    duration_months: int,
    session=None,
    regulator_signatory=None,
    cd_signatory=None,
    place: str | None = None,
) -> None:
    if signature_mode not in SignatureMode.values:
        raise ValidationError("Mode de signature inconnu.")
    if signature_mode == SignatureMode.COLLECTIVE and session is None:
        raise ValidationError("Choisissez la séance de signature collective.")
    if session is not None and session.body.project_id != letter.project_id:
        raise ValidationError("Cette séance n'appartient pas au projet.")
    for contact in (regulator_signatory, cd_signatory):
        if contact is not None and contact.project_id != letter.project_id:
            raise ValidationError("Le signataire doit figurer dans l'annuaire du projet.")
    letter.signature_mode, letter.duration_months, letter.session = (
        signature_mode,
        duration_months,
        session,
    )
    fields = ["signature_mode", "duration_months", "session"]
    if regulator_signatory is not None:
        letter.regulator_signatory = regulator_signatory
        if letter.regulator is None or regulator_signatory.organisation_id != letter.regulator_id:
            letter.regulator = regulator_signatory.organisation
        fields += ["regulator_signatory", "regulator"]
    if cd_signatory is not None:
        letter.cd_signatory = cd_signatory
        fields.append("cd_signatory")
    if place is not None:
        letter.place = place.strip()
        fields.append("place")
    letter.full_clean()
    # Only these fields: a text saved meanwhile by someone else must not be overwritten.
    letter.save(update_fields=fields)


@transaction.atomic
def generate_annex(
    *,
    letter: CommitmentLetter,
    organisation,
    user=None,
    amendment: bool = False,
    reason: str = "",
    today=None,
    snapshot: Snapshot | None = None,
) -> AnnexVersion:
    """Generate an operator's annex as a version. After a signature, a change is an amendment
    (avenant): a new version that needs a new signature; the signed one stays frozen.
    A snapshot of the roadmap can be shared by several annexes generated in a row."""
    project = letter.project
    kind = get_kind(ANNEX_KIND)
    snapshot = snapshot or Snapshot(project)
    if not snapshot.actions_of(organisation):
        raise ValidationError(
            f"{organisation.name} ne porte aucune fiche-action validée : il n'a pas d'annexe."
        )
    variant = annex_variant(organisation)
    context = annex_signature_context(annex_context(project, organisation, snapshot))
    context["meta"] = document_meta(project, today or timezone.localdate())
    with ConcurrentRenderer() as renderer:
        pdf_bytes = renderer.submit(kind.renderers["pdf"], context)  # composed while the DOCX is
        docx_bytes = kind.renderers["docx"](context)
        pdf_bytes = pdf_bytes.result()
    pdf = store_document(
        project=project, kind=kind, variant=variant, fmt="pdf", data=pdf_bytes, user=user
    )
    docx = store_document(
        project=project, kind=kind, variant=variant, fmt="docx", data=docx_bytes, user=user
    )
    lines = annex_lines(context)
    # Locked: two "Générer l'annexe" at once make one version, not a clash on its number.
    list(CommitmentLetter.objects.select_for_update().filter(pk=letter.pk).values_list("pk"))
    latest = letter.annex_versions.filter(organisation=organisation).order_by("-number").first()
    if latest is not None and latest.lines == lines:
        return latest
    if latest is not None and latest.signed and not amendment:
        raise ValidationError(
            "L'annexe signée a changé : établissez un avenant (article 6) pour la modifier."
        )
    if latest is None and not amendment and engagement_period(project).start is not None:
        # An operator joining once the commitments run (a fiche-action added during the
        # contract) commits itself through an amendment, never a first letter of its own.
        amendment = True
        reason = reason.strip() or "Adhésion aux engagements en cours : " + ", ".join(
            f"fiche-action {action.code} « {action.title} »"
            for action in snapshot.actions_of(organisation)
        )
    if amendment and not reason.strip():
        raise ValidationError("Indiquez le motif de l'avenant.")
    version = AnnexVersion.objects.create(
        letter=letter,
        organisation=organisation,
        number=(latest.number + 1) if latest else 1,
        is_amendment=amendment,
        reason=reason.strip(),
        lines=lines,
        pdf=pdf,
        docx=docx,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    signatory = letter.signatories.filter(organisation=organisation).first()
    if signatory is not None and signatory.status == SignatoryStatus.REFUSED:
        signatory.status = SignatoryStatus.TO_PREPARE  # a new version may be accepted
        signatory.save(update_fields=["status"])
    # A signed commitment stays signed: the amendment is a new version awaiting its own
    # signature (`amendment_pending`), the signed version and its file are kept.
    return version


@dataclass(frozen=True)
class BundlePreparation:
    generated: int  # annexes stored by this step
    done: int  # operators whose annex is ready for the bundle
    total: int


def prepare_bundle_annexes(*, letter: CommitmentLetter, limit: int, user=None) -> BundlePreparation:
    """One step of the bundle's build: store up to `limit` annexes that are missing or outdated,
    and say how far the preparation has gone."""
    from .selectors import annex_states, annexes_to_generate

    states = annex_states(letter.project, letter)
    missing = annexes_to_generate(letter.project, letter, states)
    batch = missing[:limit]
    generate_annexes(letter=letter, organisations=batch, user=user)
    return BundlePreparation(
        generated=len(batch), done=len(states) - len(missing) + len(batch), total=len(states)
    )


def generate_annexes(*, letter: CommitmentLetter, organisations, user=None) -> list[AnnexVersion]:
    """Generate several operators' annexes, reading the roadmap once for all of them."""
    snapshot = Snapshot(letter.project)
    return [
        generate_annex(letter=letter, organisation=o, user=user, snapshot=snapshot)
        for o in organisations
    ]


def _latest_annex(signatory: Signatory) -> AnnexVersion:
    version = (
        signatory.letter.annex_versions.filter(organisation=signatory.organisation)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise ValidationError("Générez d'abord l'annexe de cet opérateur.")
    return version


def _mail(
    signatory: Signatory, *, subject: str, template: str, base_url: str, version: AnnexVersion
) -> None:
    if signatory.contact is None or not signatory.contact.email:
        raise ValidationError(
            f"{signatory.organisation.name} n'a pas de signataire avec une adresse électronique."
        )
    project = signatory.letter.project
    message = EmailMessage(
        subject=header_text(subject),
        body=render_to_string(
            template,
            {
                "signatory": signatory,
                "project": project,
                "version": version,
                "url": base_url + reverse("commitments:letter", kwargs={"slug": project.slug}),
            },
        ),
        to=[signatory.contact.email],
    )
    with version.pdf.content.open("rb") as handle:
        message.attach(version.pdf.file_name, handle.read(), "application/pdf")
    message.send()


def _current_annex(signatory: Signatory, doing: str) -> AnnexVersion:
    """The latest annex, provided it still says what the roadmap says: an operator is never asked
    to sign amounts or actions that have changed since."""
    version = _latest_annex(signatory)
    expected = annex_lines(
        annex_context(signatory.letter.project, signatory.organisation, document=False)
    )
    if version.lines != expected:
        raise ValidationError(
            f"La feuille de route a changé depuis la version {version.number} de l'annexe de "
            f"{signatory.organisation.name} : générez-la de nouveau et vérifiez-la avant de {doing}."
        )
    return version


def _annex_to_send(signatory: Signatory) -> AnnexVersion:
    """One action: an annex never generated is generated and stored as it is sent. A version
    the roadmap has outdated since it was generated is refused: the chef de projet generates
    the new one and reads it before sending it."""
    if not signatory.letter.annex_versions.filter(organisation=signatory.organisation).exists():
        return generate_annex(letter=signatory.letter, organisation=signatory.organisation)
    return _current_annex(signatory, "l'envoyer")


def _freeze_collective_letter(letter: CommitmentLetter, user=None) -> None:
    """At the first signature the collective letter's files are stored as frozen."""
    freeze = collective_freeze(letter.project)
    if freeze is not None:
        freeze_documents(
            project=letter.project,
            kind_slugs=[COLLECTIVE_KIND],
            freeze=freeze,
            user=user,
            today=freeze.on,
        )


def _locked(signatory: Signatory) -> Signatory:
    """Lock the signatory's row until the transaction ends and reload it as stored now: a second
    request (double click) waits for the first and then sees its result."""
    list(Signatory.objects.select_for_update().filter(pk=signatory.pk).values_list("pk"))
    signatory.refresh_from_db()
    return signatory


def amendment_pending(signatory: Signatory) -> bool:
    """Signed, and a newer version (an amendment) of the annex awaits signature."""
    from .selectors import is_amendment_pending

    if signatory.status != SignatoryStatus.SIGNED:
        return False
    return is_amendment_pending(signatory, _latest_annex(signatory))


def _refuse_unless_ready(letter: CommitmentLetter, organisation=None) -> None:
    from .selectors import readiness

    missing = readiness(letter, organisation)
    if missing:
        raise ValidationError(not_ready_message(missing))


@transaction.atomic
def send_for_signature(*, signatory: Signatory, base_url: str) -> Signatory:
    signatory = _locked(signatory)
    _refuse_unless_ready(signatory.letter, signatory.organisation)
    if signatory.status == SignatoryStatus.SIGNED and not amendment_pending(signatory):
        raise AlreadyDone(f"L'engagement de {signatory.organisation.name} est déjà signé.")
    version = _annex_to_send(signatory)
    if signatory.sent_version_id == version.pk and signatory.sent_at is not None:
        raise AlreadyDone(
            f"L'annexe de {signatory.organisation.name} a déjà été envoyée le "
            f"{timezone.localtime(signatory.sent_at):%d/%m/%Y à %H:%M} : utilisez « Relancer » "
            "pour la renvoyer."
        )
    _mail(
        signatory,
        subject=f"[ptsm] Lettre d'engagement à signer — {signatory.organisation.name}",
        template="commitments/emails/send.txt",
        base_url=base_url,
        version=version,
    )
    if signatory.status != SignatoryStatus.SIGNED:  # an amendment sent: still signed meanwhile
        signatory.status = SignatoryStatus.SENT
    signatory.sent_at, signatory.sent_version = timezone.now(), version
    signatory.save(update_fields=["status", "sent_at", "sent_version"])
    return signatory


@transaction.atomic
def remind(*, signatory: Signatory, base_url: str) -> Signatory:
    signatory = _locked(signatory)
    if signatory.status != SignatoryStatus.SENT and not amendment_pending(signatory):
        raise ValidationError("Seul un engagement envoyé et non signé peut être relancé.")
    last = signatory.last_reminder_at
    if last is not None and timezone.now() - last < REMINDER_INTERVAL:
        raise AlreadyDone(
            f"{signatory.organisation.name} a été relancé à "
            f"{timezone.localtime(last):%H:%M} : aucune nouvelle relance n'est envoyée."
        )
    _mail(
        signatory,
        subject=f"[ptsm] Relance : lettre d'engagement à signer — {signatory.organisation.name}",
        template="commitments/emails/reminder.txt",
        base_url=base_url,
        version=_current_annex(signatory, "relancer"),
    )
    signatory.reminders += 1
    signatory.last_reminder_at = timezone.now()
    signatory.save(update_fields=["reminders", "last_reminder_at"])
    return signatory


# Two reminders within this interval are one double click, not two reminders.
REMINDER_INTERVAL = dt.timedelta(minutes=5)


@dataclass
class CampaignReport:
    """What a campaign did: how many operators it mailed, and those it left aside, grouped by
    reason (the reason as the single-operator action words it)."""

    candidates: int = 0
    sent: int = 0
    skipped: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, organisation_name: str, reason: str) -> None:
        self.skipped.setdefault(reason, []).append(organisation_name)

    @property
    def skipped_count(self) -> int:
        return sum(len(names) for names in self.skipped.values())

    def skipped_lines(self) -> list[str]:
        """One line per reason; the operators are named unless the reason already names it."""
        lines = []
        for reason, names in self.skipped.items():
            if len(names) == 1 and names[0] in reason:
                lines.append(reason)
            else:
                lines.append(f"{', '.join(names)} — {reason}")
        return lines


def _campaign(
    *, signatories, action, base_url: str, label: str, already_sent, on_sent, progress
) -> CampaignReport:
    """Run `action` (send or remind) for each signatory, one transaction and one e-mail each. A
    refusal (not ready, outdated annex, no address, already done) leaves that operator aside and
    the campaign goes on. `already_sent` (signatory ids a resumed campaign reads back) are
    counted, never written to again; each e-mail is reported to `on_sent` once it left."""
    report = CampaignReport(candidates=len(signatories))
    for index, signatory in enumerate(signatories):
        if progress is not None:
            progress(index, len(signatories), label)
        if signatory.pk in already_sent:
            report.sent += 1
            continue
        try:
            action(signatory=signatory, base_url=base_url)
        except ValidationError as refused:  # AlreadyDone included
            report.skip(signatory.organisation.name, " ".join(refused.messages))
            continue
        except RenderingError as failed:  # an annex composed as it is sent
            report.skip(
                signatory.organisation.name,
                f"L'annexe de {signatory.organisation.name} n'a pas pu être composée : {failed}",
            )
            continue
        report.sent += 1
        if on_sent is not None:
            on_sent(signatory.pk)
    if progress is not None:
        progress(len(signatories), len(signatories), label)
    return report


def send_all_for_signature(
    *, letter: CommitmentLetter, base_url: str, already_sent=(), on_sent=None, progress=None
) -> CampaignReport:
    """Send every annex not sent yet (operators neither sent, signed nor refused), each through
    `send_for_signature` and its rules."""
    from .selectors import signatories

    already_sent = set(already_sent)
    candidates = [
        s
        for s in signatories(letter)
        if s.status == SignatoryStatus.TO_PREPARE or s.pk in already_sent
    ]
    return _campaign(
        signatories=candidates,
        action=send_for_signature,
        base_url=base_url,
        label="Envoi des annexes pour signature",
        already_sent=already_sent,
        on_sent=on_sent,
        progress=progress,
    )


def remind_all(
    *, letter: CommitmentLetter, base_url: str, already_sent=(), on_sent=None, progress=None
) -> CampaignReport:
    """Remind every operator whose annex was sent and is not signed yet, or whose amendment was
    sent and awaits its signature, each through `remind` and its rules."""
    from .selectors import is_amendment_pending, latest_annex_versions, signatories

    already_sent = set(already_sent)
    latest = latest_annex_versions(letter)

    def waiting(signatory: Signatory) -> bool:
        if signatory.status == SignatoryStatus.SENT:
            return True
        version = latest.get(signatory.organisation_id)
        return (
            is_amendment_pending(signatory, version)
            and signatory.sent_version_id == version.pk  # the amendment itself was sent
        )

    candidates = [s for s in signatories(letter) if waiting(s) or s.pk in already_sent]
    return _campaign(
        signatories=candidates,
        action=remind,
        base_url=base_url,
        label="Relance des opérateurs",
        already_sent=already_sent,
        on_sent=on_sent,
        progress=progress,
    )


@atomic_with_files
def record_signed_pdf(
    *, signatory: Signatory, upload, signed_on, user=None, signed_outside: bool = False
) -> Signatory:
    """Record the signed annex. The upload must be the annex version that was sent, signed
    (PAdES) and not modified after its signature; a document signed outside the platform
    (printed, signed, scanned) is accepted only when the user states it (`signed_outside`).
    The signatory's row is locked: the same file uploaded twice is recorded once."""
    signatory = _locked(signatory)
    if signatory.status == SignatoryStatus.SIGNED and not amendment_pending(signatory):
        if signatory.signed_sha256 == upload_sha256(upload):
            raise AlreadyDone("Ce PDF signé est déjà enregistré : rien n'a changé.")
        raise ValidationError(
            "Cet engagement est déjà signé : un avenant est nécessaire pour le modifier."
        )
    version = _latest_annex(signatory)
    with version.pdf.content.open("rb") as handle:
        sent_pdf = handle.read()
    checked = check_signed_upload(
        upload,
        sent_pdf=sent_pdf,
        signed_outside=signed_outside,
        what=f"l'annexe envoyée (version {version.number})",
        other_documents=_other_documents(signatory, version),
    )
    data, digital = checked.data, checked.digital
    digest = hashlib.sha256(data).hexdigest()
    store_file(
        signatory.signed_file,
        f"annexe-signee-{signatory.organisation_id}-v{version.number}-{digest[:12]}.pdf",
        data,
    )
    signatory.signed_sha256 = digest
    signatory.signed_outside = checked.signed_outside
    signatory.digital_signer = digital.signer[:255]
    signatory.digital_signature_valid, signatory.digital_signature_trusted = (
        digital.intact,
        digital.trusted,
    )
    signatory.status, signatory.signed_on, signatory.annex_version = (
        SignatoryStatus.SIGNED,
        signed_on,
        version,
    )
    signatory.save()
    version.signed = True
    version.save(update_fields=["signed"])
    _keep_signature(signatory, user=user)
    _freeze_collective_letter(signatory.letter, user=user)
    _report_if_all_signed(signatory.letter, user=user)
    return signatory


def _other_documents(signatory: Signatory, version: AnnexVersion) -> dict[str, str]:
    """SHA-256 -> what it is, for every other annex file of the campaign: another operator's
    annex or signed PDF, another version of this one. Uploading one of them is a mistake."""
    others = {}
    for other in signatory.letter.annex_versions.select_related("organisation", "pdf").exclude(
        pk=version.pk
    ):
        if other.organisation_id == signatory.organisation_id:
            others[other.pdf.sha256] = f"la version {other.number} de cette annexe"
        else:
            others[other.pdf.sha256] = (
                f"l'annexe d'un autre opérateur ({other.organisation.name}, version {other.number})"
            )
    for record in SignatureRecord.objects.filter(signatory__letter=signatory.letter).select_related(
        "signatory__organisation"
    ):
        if record.signatory_id != signatory.pk and record.sha256:
            others[record.sha256] = (
                f"le PDF signé d'un autre opérateur ({record.signatory.organisation.name})"
            )
    return others


def _keep_signature(signatory: Signatory, *, user=None, in_session: bool = False) -> None:
    SignatureRecord.objects.create(
        signatory=signatory,
        annex_version=signatory.annex_version,
        signed_on=signatory.signed_on,
        in_session=in_session,
        signed_outside=signatory.signed_outside,
        signed_file=signatory.signed_file.name if signatory.signed_file else "",
        sha256=signatory.signed_sha256,
        digital_signer=signatory.digital_signer,
        digital_signature_valid=signatory.digital_signature_valid,
        digital_signature_trusted=signatory.digital_signature_trusted,
        recorded_by=user if user is not None and user.is_authenticated else None,
    )


@transaction.atomic
def record_refusal(*, signatory: Signatory, refused_on, comment: str) -> Signatory:
    signatory = _locked(signatory)
    if signatory.status == SignatoryStatus.SIGNED:
        raise ValidationError("Cet engagement est déjà signé.")
    if signatory.status == SignatoryStatus.REFUSED and signatory.refused_on == refused_on:
        raise AlreadyDone(f"Le refus de {signatory.organisation.name} est déjà enregistré.")
    signatory.status, signatory.refused_on, signatory.comment = (
        SignatoryStatus.REFUSED,
        refused_on,
        comment.strip(),
    )
    signatory.save(update_fields=["status", "refused_on", "comment"])
    return signatory


@transaction.atomic
def record_session_signatures(*, letter: CommitmentLetter) -> int:
    """Collective session: each operator whose signatory attended the session has signed."""
    if letter.signature_mode != SignatureMode.COLLECTIVE or letter.session is None:
        raise ValidationError("Choisissez d'abord une séance de signature collective.")
    _refuse_unless_ready(letter)
    present = set(
        letter.session.invitations.filter(
            attendance__in=[Attendance.PRESENT, Attendance.REPRESENTED]
        ).values_list("contact__organisation_id", flat=True)
    )
    list(CommitmentLetter.objects.select_for_update().filter(pk=letter.pk).values_list("pk"))
    signed = 0
    for signatory in letter.signatories.select_related("organisation"):
        if signatory.organisation_id in present and signatory.status != SignatoryStatus.SIGNED:
            version = _current_annex(signatory, "la faire signer en séance")
            signatory.status, signatory.annex_version = SignatoryStatus.SIGNED, version
            signatory.signed_on = timezone.localtime(letter.session.starts_at).date()
            signatory.signed_sha256 = version.pdf.sha256
            signatory.save()
            version.signed = True
            version.save(update_fields=["signed"])
            _keep_signature(signatory, in_session=True)
            signed += 1
    if signed:
        _freeze_collective_letter(letter)
        _report_if_all_signed(letter)
    return signed


def _report_if_all_signed(letter: CommitmentLetter, user=None) -> None:
    """Once every operator has signed, the commitments start (on the last signature's date):
    the project moves on to its implementation."""
    start = engagement_period(letter.project).start
    if start is not None:
        record_method_event(
            project=letter.project, key=COMMITMENTS_SIGNED.key, happened_on=start, user=user
        )


def verify_signed_file(signatory: Signatory) -> bool:
    """True when the stored signed PDF still has the SHA-256 recorded when it was received."""
    if not signatory.signed_file:
        return signatory.signed_sha256 == (
            signatory.annex_version.pdf.sha256 if signatory.annex_version else ""
        )
    with signatory.signed_file.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest() == signatory.signed_sha256
