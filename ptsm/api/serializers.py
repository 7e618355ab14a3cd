"""What the API shows of each record. Field names are the interface's French vocabulary."""

import functools

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ptsm.accounts.permissions import may_see_contact_details
from ptsm.commitments.models import Signatory
from ptsm.diagnostic.models import Indicator, IndicatorValue
from ptsm.documents.models import GeneratedDocument
from ptsm.evaluation.models import ActionIndicatorValue, Review
from ptsm.framing.models import FramingLetter
from ptsm.governance.models import Body, Meeting
from ptsm.organisations.models import Contact, Organisation
from ptsm.projects.models import Project
from ptsm.roadmap.models import Action, ActionIndicator, ActionMilestone, FundingLine, Orientation

from .access import request_accesses


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know instead of ignoring them silently."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - {n for n, f in self.fields.items() if not f.read_only})
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Champ inconnu : il n'est pas accepté ici."] for name in unknown}
                )
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer):
    pass


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {"code": {"type": "string"}, "libelle": {"type": "string"}},
        "required": ["code", "libelle"],
    }
)
class ChoiceLabelField(serializers.Field):
    """A choice as {code, libelle}."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, instance):
        code = getattr(instance, self.source)
        if code in (None, ""):
            return None
        labels = _choice_labels(type(instance), self.source)
        return {"code": code, "libelle": labels.get(code, str(code))}


@functools.cache
def _choice_labels(model, name: str) -> dict:
    """A choice field's labels, read once (Django's get_FOO_display rebuilds them per call)."""
    return {code: str(label) for code, label in model._meta.get_field(name).flatchoices}


def _project_slug(instance_project) -> str:
    return instance_project.slug


class ProjectSerializer(serializers.ModelSerializer):
    phase = ChoiceLabelField()
    territoire = serializers.SerializerMethodField()
    region = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()
    fin_prevue = serializers.DateField(source="planned_end_date", read_only=True)

    class Meta:
        model = Project
        fields = [
            "slug",
            "name",
            "description",
            "phase",
            "start_date",
            "planned_duration_months",
            "fin_prevue",
            "territoire",
            "region",
            "role",
            "updated_at",
        ]

    def get_territoire(self, project) -> dict:
        territory = project.territory
        return {
            "nom": territory.name,
            "departements": [d.code for d in territory.departements.all()],
        }

    def get_region(self, project) -> dict:
        return {"code": project.region.code, "nom": project.region.name}

    def get_role(self, project) -> str | None:
        access = request_accesses(self.context["request"]).get(project.pk)
        return access.role.value if access else None


class ProjectLinkMixin(serializers.Serializer):
    projet = serializers.SlugRelatedField(slug_field="slug", read_only=True, source="project")


class OrganisationSerializer(ProjectLinkMixin, serializers.ModelSerializer):
    """What the API shows of an organisation; writes go through `writes.OrganisationInput`."""

    commune = serializers.CharField(source="commune_id", read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "projet",
            "name",
            "category",
            "sub_type",
            "legal_status",
            "finess_et",
            "finess_ej",
            "siret",
            "address",
            "postcode",
            "commune",
            "website",
            "phone",
            "email",
            "mental_health",
            "represents",
            "archived",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class ContactSerializer(ProjectLinkMixin, serializers.ModelSerializer):
    """E-mail and phone only for the roles that see them in the interface (not the lecteur)."""

    email = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = [
            "id",
            "projet",
            "organisation",
            "civility",
            "first_name",
            "last_name",
            "function",
            "email",
            "phone",
            "archived",
            "updated_at",
        ]

    def _details_visible(self, contact) -> bool:
        access = request_accesses(self.context["request"]).get(contact.project_id)
        return access is not None and may_see_contact_details(access.role)

    def get_email(self, contact) -> str | None:
        return contact.email if self._details_visible(contact) else None

    def get_phone(self, contact) -> str | None:
        return contact.phone if self._details_visible(contact) else None


class BodySerializer(ProjectLinkMixin, serializers.ModelSerializer):
    kind = ChoiceLabelField()
    membres = serializers.SerializerMethodField()

    class Meta:
        model = Body
        fields = [
            "id",
            "projet",
            "kind",
            "name",
            "missions",
            "co_piloted",
            "entry_door",
            "updated_at",
            "membres",
        ]

    def get_membres(self, body) -> list[dict]:
        return [
            {"contact": m.contact_id, "role": m.role, "libelle_role": m.get_role_display()}
            for m in body.members.all()
        ]


class MeetingSerializer(serializers.ModelSerializer):
    projet = serializers.SlugRelatedField(slug_field="slug", read_only=True, source="body.project")
    instance = serializers.PrimaryKeyRelatedField(source="body", read_only=True)
    status = ChoiceLabelField()
    decisions = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "projet",
            "instance",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "status",
            "agenda",
            "minutes",
            "invitations_sent_at",
            "updated_at",
            "decisions",
        ]

    def get_decisions(self, meeting) -> list[str]:
        return [d.text for d in meeting.decisions.all()]


class FramingLetterSerializer(ProjectLinkMixin, serializers.ModelSerializer):
    status = ChoiceLabelField()
    versions = serializers.SerializerMethodField()

    class Meta:
        model = FramingLetter
        fields = ["id", "projet", "status", "duration_months", "place", "updated_at", "versions"]

    def get_versions(self, letter) -> list[dict]:
        return [
            {
                "numero": v.number,
                "statut": v.status,
                "creee_le": v.created_at,
                "signee": v.signed,
                "signee_le": v.signed_on,
                "empreinte_signee_sha256": v.signed_sha256 or None,
            }
            for v in letter.versions.all()
        ]


class IndicatorSerializer(serializers.ModelSerializer):
    """An indicator of the diagnostic's catalogue: the ANAP one (`projet` null) or a project's
    own. `effectif`: a count, masked below 11 (statistical secrecy); `calcule`: its values are
    computed by ptsm from the referential or the directory, not pushed."""

    projet = serializers.SlugRelatedField(slug_field="slug", read_only=True, source="project")
    libelle = serializers.CharField(source="label", read_only=True)
    version_definition = serializers.CharField(source="definition_version", read_only=True)
    unite = serializers.CharField(source="unit", read_only=True)
    niveau_geographique = serializers.CharField(source="geographic_level", read_only=True)
    grille = ChoiceLabelField(source="grid")
    porte_entree = serializers.SerializerMethodField()
    effectif = serializers.BooleanField(source="is_count", read_only=True)
    calcule = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "projet",
            "libelle",
            "definition",
            "version_definition",
            "unite",
            "source",
            "niveau_geographique",
            "grille",
            "porte_entree",
            "effectif",
            "calcule",
            "updated_at",
        ]

    def get_calcule(self, indicator) -> bool:
        return bool(indicator.computed)

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"numero": {"type": "integer"}, "libelle": {"type": "string"}},
        }
    )
    def get_porte_entree(self, indicator):
        """The Rosace's entry door (1 to 6) the indicator informs, if any."""
        door = indicator.entry_door
        if door is None:
            return None
        return {"numero": door, "libelle": _choice_labels(Indicator, "entry_door").get(door)}


class IndicatorValueSerializer(ProjectLinkMixin, serializers.ModelSerializer):
    """A small count is stored masked: `valeur` is null and `masque` true, as « < 11 » on pages."""

    indicateur = serializers.CharField(source="indicator.code", read_only=True)
    libelle = serializers.CharField(source="indicator.label", read_only=True)
    unite = serializers.CharField(source="indicator.unit", read_only=True)
    valeur = serializers.FloatField(source="value", read_only=True, allow_null=True)
    masque = serializers.BooleanField(source="masked", read_only=True)

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "projet",
            "indicateur",
            "libelle",
            "unite",
            "level",
            "year",
            "valeur",
            "masque",
            "source",
            "computed",
            "updated_at",
        ]


class DiagnosticValueInput(StrictSerializer):
    indicateur = serializers.CharField(max_length=40)
    niveau = serializers.CharField(max_length=20)
    annee = serializers.IntegerField(min_value=1990, max_value=2100)
    valeur = serializers.FloatField(allow_null=True)
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    commune = serializers.CharField(max_length=5, required=False, allow_blank=True, default="")


MAX_BATCH = 5000


class DiagnosticBatchInput(StrictSerializer):
    projet = serializers.SlugField()
    valeurs = DiagnosticValueInput(many=True, allow_empty=False, max_length=MAX_BATCH)


class MilestoneSerializer(serializers.ModelSerializer):
    status = ChoiceLabelField()

    class Meta:
        model = ActionMilestone
        fields = ["id", "title", "due_date", "status"]


class FundingLineSerializer(serializers.ModelSerializer):
    funder = ChoiceLabelField()
    status = ChoiceLabelField()

    class Meta:
        model = FundingLine
        fields = [
            "id",
            "funder",
            "funder_details",
            "operator",
            "amount",
            "year",
            "recurring",
            "status",
        ]


class ActionIndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionIndicator
        fields = ["id", "name", "baseline", "target", "source", "frequency"]


class ActionSerializer(serializers.ModelSerializer):
    projet = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, source="objective.theme.orientation.project"
    )
    code = serializers.CharField(read_only=True)
    orientation = serializers.IntegerField(source="objective.theme.orientation_id", read_only=True)
    objectif = serializers.IntegerField(source="objective_id", read_only=True)
    status = ChoiceLabelField()
    priority = ChoiceLabelField()
    jalons = MilestoneSerializer(source="milestones", many=True, read_only=True)
    financements = FundingLineSerializer(source="funding_lines", many=True, read_only=True)
    indicateurs = ActionIndicatorSerializer(source="indicators", many=True, read_only=True)
    operateurs = serializers.PrimaryKeyRelatedField(source="operators", many=True, read_only=True)
    partenaires = serializers.PrimaryKeyRelatedField(source="partners", many=True, read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "projet",
            "code",
            "orientation",
            "objectif",
            "title",
            "status",
            "priority",
            "quick_win",
            "entry_doors",
            "decree_priorities",
            "context",
            "operational_objectives",
            "description",
            "target_public",
            "pilot_organisation",
            "operateurs",
            "partenaires",
            "territory_concerned",
            "start_date",
            "end_date",
            "expected_results",
            "risks",
            "archived",
            "updated_at",
            "jalons",
            "financements",
            "indicateurs",
        ]

    PARTS = ("jalons", "financements", "indicateurs", "operateurs", "partenaires")
    PLAIN = {
        "id": "pk",
        "title": "title",
        "quick_win": "quick_win",
        "entry_doors": "entry_doors",
        "decree_priorities": "decree_priorities",
        "context": "context",
        "operational_objectives": "operational_objectives",
        "description": "description",
        "target_public": "target_public",
        "pilot_organisation": "pilot_organisation_id",
        "territory_concerned": "territory_concerned",
        "expected_results": "expected_results",
        "risks": "risks",
        "archived": "archived",
        "objectif": "objective_id",
    }

    def to_representation(self, action):
        """The same JSON as the declared fields (they document it), built directly: the
        generic field machinery costs more than the page's queries. Needs the parts read by
        `attach_action_parts`."""
        fields = self.fields
        parts = action._api_parts
        data = {name: getattr(action, attribute) for name, attribute in self.PLAIN.items()}
        data.update(
            projet=action.objective.theme.orientation.project.slug,
            code=action.code,
            orientation=action.objective.theme.orientation_id,
            status=_labelled(Action, "status", action.status),
            priority=_labelled(Action, "priority", action.priority),
            operateurs=parts["operateurs"],
            partenaires=parts["partenaires"],
        )
        for name in ("start_date", "end_date", "updated_at"):
            value = getattr(action, name)
            data[name] = None if value is None else fields[name].to_representation(value)
        data["jalons"] = [
            {
                **m,
                "due_date": m["due_date"].isoformat(),
                "status": _labelled(ActionMilestone, "status", m["status"]),
            }
            for m in parts["jalons"]
        ]
        amount = fields["financements"].child.fields["amount"]
        data["financements"] = [
            {
                **f,
                "funder": _labelled(FundingLine, "funder", f["funder"]),
                "amount": amount.to_representation(f["amount"]),
                "status": _labelled(FundingLine, "status", f["status"]),
            }
            for f in parts["financements"]
        ]
        data["indicateurs"] = parts["indicateurs"]
        return {name: data[name] for name in self.Meta.fields}


def attach_action_parts(actions: list[Action]) -> None:
    """The milestones, funding lines, indicators, operators and partners of these fiches-actions
    in five `values()` queries, kept on each as `_api_parts` for `ActionSerializer`. (Django's
    prefetch builds a queryset per fiche-action and relation: most of a 300-row page's time.)"""
    ids = [a.pk for a in actions]
    parts = {pk: {name: [] for name in ActionSerializer.PARTS} for pk in ids}
    sources = {
        "jalons": ActionMilestone.objects.order_by("due_date", "pk").values(
            "action_id", *MilestoneSerializer.Meta.fields
        ),
        "financements": FundingLine.objects.order_by("year", "funder", "pk").values(
            "action_id", *FundingLineSerializer.Meta.fields
        ),
        "indicateurs": ActionIndicator.objects.order_by("pk").values(
            "action_id", *ActionIndicatorSerializer.Meta.fields
        ),
        "operateurs": Action.operators.through.objects.order_by(
            "organisation__name", "organisation_id"
        ).values_list("action_id", "organisation_id"),
        "partenaires": Action.partners.through.objects.order_by(
            "organisation__name", "organisation_id"
        ).values_list("action_id", "organisation_id"),
    }
    for name, rows in sources.items():
        for row in rows.filter(action_id__in=ids):
            if isinstance(row, dict):
                parts[row.pop("action_id")][name].append(row)
            else:
                parts[row[0]][name].append(row[1])
    for action in actions:
        action._api_parts = parts[action.pk]


def _labelled(model, name: str, code) -> dict | None:
    if code in (None, ""):
        return None
    return {"code": code, "libelle": _choice_labels(model, name).get(code, str(code))}


class OrientationSerializer(ProjectLinkMixin, serializers.ModelSerializer):
    """An orientation with its themes, objectives and the fiches-actions' ids and codes."""

    code = serializers.CharField(read_only=True)
    thematiques = serializers.SerializerMethodField()

    class Meta:
        model = Orientation
        fields = [
            "id",
            "projet",
            "code",
            "title",
            "description",
            "archived",
            "updated_at",
            "thematiques",
        ]

    def get_thematiques(self, orientation) -> list[dict]:
        number = orientation.number
        return [
            {
                "id": theme.pk,
                "code": f"{number}.{theme.number}",
                "titre": theme.title,
                "archivee": theme.archived,
                "objectifs": [
                    {
                        "id": objective.pk,
                        "code": f"{number}.{theme.number}.{objective.number}",
                        "titre": objective.title,
                        "archive": objective.archived,
                        "fiches_actions": [
                            {
                                "id": action.pk,
                                "code": f"{number}.{theme.number}.{objective.number}.{action.number}",
                                "titre": action.title,
                            }
                            for action in objective.actions.all()
                        ],
                    }
                    for objective in theme.objectives.all()
                ],
            }
            for theme in orientation.themes.all()
        ]


class ActionIndicatorValueSerializer(StrictModelSerializer):
    projet = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        source="indicator.action.objective.theme.orientation.project",
    )
    indicateur = serializers.PrimaryKeyRelatedField(
        source="indicator", queryset=ActionIndicator.objects.none()
    )
    date_mesure = serializers.DateField(source="measured_on")
    valeur = serializers.CharField(source="value", max_length=100)
    commentaire = serializers.CharField(
        source="comment", max_length=255, required=False, allow_blank=True, default=""
    )

    class Meta:
        model = ActionIndicatorValue
        fields = [
            "id",
            "projet",
            "indicateur",
            "date_mesure",
            "valeur",
            "commentaire",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class SignatorySerializer(serializers.ModelSerializer):
    projet = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, source="letter.project"
    )
    organisation = serializers.SerializerMethodField()
    signataire = serializers.SerializerMethodField()
    status = ChoiceLabelField()
    pdf_signe = serializers.SerializerMethodField()

    class Meta:
        model = Signatory
        fields = [
            "id",
            "projet",
            "organisation",
            "signataire",
            "status",
            "sent_at",
            "reminders",
            "signed_on",
            "refused_on",
            "signed_outside",
            "digital_signature_valid",
            "signed_sha256",
            "updated_at",
            "pdf_signe",
        ]

    def get_organisation(self, signatory) -> dict:
        return {"id": signatory.organisation_id, "nom": signatory.organisation.name}

    def get_signataire(self, signatory) -> str | None:
        return signatory.contact.full_name if signatory.contact else None

    def get_pdf_signe(self, signatory) -> str | None:
        """The signed PDF's download link: only listed signatories are visible to the user
        (a signataire d'opérateur sees their own organisation's only)."""
        if not signatory.signed_file:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("api:engagement-pdf-signe", kwargs={"pk": signatory.pk})
        )


class ReviewSerializer(ProjectLinkMixin, serializers.ModelSerializer):
    kind = ChoiceLabelField()
    validations = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["id", "projet", "kind", "texts", "updated_at", "validations"]

    def get_validations(self, review) -> list[dict]:
        return [
            {"numero": v.number, "validee_le": v.validated_on, "sha256": v.sha256}
            for v in review.validations.all()
        ]


class DocumentSerializer(ProjectLinkMixin, serializers.ModelSerializer):
    fichier = serializers.SerializerMethodField()
    fige = serializers.SerializerMethodField()

    class Meta:
        model = GeneratedDocument
        fields = [
            "id",
            "projet",
            "kind",
            "variant",
            "format",
            "file_name",
            "version",
            "sha256",
            "size",
            "generated_at",
            "fige",
            "fichier",
        ]

    def get_fige(self, document) -> bool:
        return bool(document.frozen_key)

    def get_fichier(self, document) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:document-fichier", kwargs={"pk": document.pk})
        )
