"""The REST API (`/api/v1/`): read endpoints for every part of a project, and the writes the
issue asks for (organisations, diagnostic values, measured values of fiche-action indicators).

Every endpoint applies the interface's per-project capabilities: a project the user has no role
in does not exist for them (404), a role lacking the capability gets 403."""

import datetime as dt
import re

from auditlog.context import auditlog_value, set_actor
from django.db.models import Prefetch, Q
from django.http import FileResponse
from django.utils import timezone
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from ptsm.accounts.permissions import (
    OPERATOR_SCOPED_ROLES,
    Capability,
    role_allows,
    sees_every_operator,
)
from ptsm.audit.services import record_download
from ptsm.commitments.models import Signatory
from ptsm.diagnostic import services as diagnostic
from ptsm.diagnostic.models import Indicator, IndicatorValue
from ptsm.documents.models import GeneratedDocument
from ptsm.documents.selectors import Viewer, is_archived, may_download
from ptsm.evaluation import services as evaluation
from ptsm.evaluation.models import ActionIndicatorValue, Review
from ptsm.framing.models import FramingLetter
from ptsm.governance.models import Body, BodyMember, Meeting
from ptsm.organisations import imports
from ptsm.organisations.models import Contact, Organisation
from ptsm.organisations.validators import normalise_identifier
from ptsm.projects.models import Project
from ptsm.roadmap.models import (
    Action,
    ActionIndicator,
    Objective,
    Orientation,
    Theme,
)
from ptsm.roadmap.selectors import may_edit_action
from ptsm.territories.models import Departement
from ptsm.territories.selectors import territory_communes

from . import serializers as api
from .access import projects_allowing, request_accesses
from .writes import OrganisationInput, as_line

COMMON_PARAMS = {"projet", "modifie_depuis", "cursor", "taille"}
PROJECT_PARAMETER = OpenApiParameter(
    "projet", str, description="Identifiant (slug) d'un projet : seulement ses données."
)
SINCE_PARAMETER = OpenApiParameter(
    "modifie_depuis",
    OpenApiTypes.DATETIME,
    description="Seulement ce qui a été modifié depuis cette date (ISO 8601, ex. 2026-05-01 ou "
    "2026-05-01T08:00:00Z).",
)
SIZE_PARAMETER = OpenApiParameter(
    "taille", int, description="Taille de page (1 à 1000, 100 par défaut)."
)


def parse_since(text: str) -> dt.datetime:
    text = text.strip()
    if "T" in text:
        text = text.replace(" ", "+")  # an unencoded « + » of the offset arrives as a space
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is not None:
                moment = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise exceptions.ValidationError(
            {
                "modifie_depuis": [
                    f"Date invalide « {text[:40]} » : attendu une date ISO 8601 "
                    "(2026-05-01 ou 2026-05-01T08:00:00Z)."
                ]
            }
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class ConditionalMixin:
    """ETags on every successful read: a client sending `If-None-Match` gets 304 when nothing
    changed. The answer depends on who asks (roles, masking): it is private and varies with the
    credentials."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and isinstance(response, Response)
        ):
            response.render()
            set_response_etag(response)
            patch_vary_headers(response, ("Authorization", "Cookie"))
            patch_cache_control(response, private=True, no_cache=True)
            return get_conditional_response(request, etag=response["ETag"], response=response)
        return response


class ActorMixin:
    """The journal names the token's user as the author of the changes an API write makes
    (django-auditlog's middleware ran before the token was read)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS") and request.user.is_authenticated:
            try:
                current = auditlog_value.get()
            except LookupError:
                current = {}
            self._actor_scope = set_actor(
                request.user,
                remote_addr=current.get("remote_addr"),
                remote_port=current.get("remote_port"),
            )
            self._actor_scope.__enter__()

    def finalize_response(self, request, response, *args, **kwargs):
        scope = getattr(self, "_actor_scope", None)
        if scope is not None:
            self._actor_scope = None
            scope.__exit__(None, None, None)
        return super().finalize_response(request, response, *args, **kwargs)


class ProjectScopedViewSet(ActorMixin, ConditionalMixin, viewsets.GenericViewSet):
    """A collection of records hanging on projects: only the projects where the user's role
    has `capability` (reading: every role of the project)."""

    project_path = "project"  # the ORM path from the record to its project
    modified_field = "updated_at"  # `?modifie_depuis=` filters on it
    capability = Capability.VIEW_PROJECT
    extra_params: set[str] = set()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if getattr(self, request.method.lower(), None) is None:
            return  # the method is not offered: 405, whatever the parameters
        allowed = (COMMON_PARAMS if self.action == "list" else set()) | self.extra_params
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise exceptions.ValidationError(
                {name: ["Paramètre inconnu pour cette ressource."] for name in unknown}
            )

    def base_queryset(self):
        raise NotImplementedError

    def scope(self, queryset):
        """The records of the projects the user reaches with the capability."""
        return queryset.filter(
            **{f"{self.project_path}__in": projects_allowing(self.request, self.capability)}
        )

    def get_queryset(self):
        queryset = self.scope(self.base_queryset())
        if self.action == "list":
            queryset = self.filter_list(queryset)
        return queryset

    def requested_project(self, slug: str, capability: Capability) -> Project:
        """The project named by the client: 404 when the user has no role in it (its existence
        is not disclosed), 403 when their role lacks the capability."""
        project = Project.objects.filter(slug=slug).first()
        access = request_accesses(self.request).get(project.pk) if project else None
        if access is None:
            raise exceptions.NotFound(f"Projet « {slug[:60]} » introuvable ou non accessible.")
        if not role_allows(access.role, capability):
            raise exceptions.PermissionDenied(
                "Votre rôle dans ce projet ne permet pas cette action."
            )
        return project

    def of_project(self, queryset, project):
        return queryset.filter(**{self.project_path: project.pk})

    def filter_list(self, queryset):
        params = self.request.query_params
        if "projet" in params:
            project = self.requested_project(params["projet"], self.capability)
            queryset = self.of_project(queryset, project)
        if "modifie_depuis" in params:
            since = parse_since(params["modifie_depuis"])
            queryset = queryset.filter(**{f"{self.modified_field}__gte": since})
        return queryset


LIST_PARAMETERS = [PROJECT_PARAMETER, SINCE_PARAMETER, SIZE_PARAMETER]


def read_only(viewset_class=None, *, tags=None):
    """Document a read-only collection's list parameters."""

    def decorate(cls):
        return extend_schema_view(
            list=extend_schema(parameters=LIST_PARAMETERS, tags=tags),
            retrieve=extend_schema(tags=tags),
        )(cls)

    return decorate(viewset_class) if viewset_class else decorate


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectScopedViewSet):
    pass


@read_only(tags=["projets"])
class ProjectViewSet(ReadOnlyViewSet):
    """The projects the user has a role in, with their territory, région and phase."""

    serializer_class = api.ProjectSerializer
    lookup_field = "slug"
    project_path = "pk"

    def base_queryset(self):
        # The départements' codes only: their outlines weigh hundreds of kilobytes each.
        return Project.objects.select_related("region", "territory").prefetch_related(
            Prefetch("territory__departements", queryset=Departement.objects.only("code"))
        )


class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectScopedViewSet):
    """The project's directory. POST creates or updates an organisation found by its FINESS ET
    or its SIRET (or its name), exactly as a line of the import: same repairs (a FINESS or
    SIRET that lost its leading zero, phone numbers), same checks, and a field left out or
    empty is never erased; PATCH updates one organisation the same way. Both need the
    directory's edit right (chef de projet, administrateur ARS)."""

    serializer_class = api.OrganisationSerializer

    def base_queryset(self):
        return Organisation.objects.select_related("project")

    def get_serializer_class(self):
        return (
            OrganisationInput
            if self.action in ("create", "partial_update")
            else super().get_serializer_class()
        )

    @extend_schema(parameters=LIST_PARAMETERS, tags=["annuaire"])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=["annuaire"])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=OrganisationInput,
        responses={200: api.OrganisationSerializer, 201: api.OrganisationSerializer},
        tags=["annuaire"],
    )
    def create(self, request, *args, **kwargs):
        data = OrganisationInput(data=request.data, context={"creating": True})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        project = self.requested_project(values.pop("projet"), Capability.EDIT_DIRECTORY)
        if not normalise_identifier(values.get("finess_et", "")) and not normalise_identifier(
            values.get("siret", "")
        ):
            raise exceptions.ValidationError(
                {"finess_et": ["Indiquez le FINESS ET ou le SIRET de l'organisation."]}
            )
        organisation, done = imports.save_organisation_line(project=project, values=as_line(values))
        return Response(
            api.OrganisationSerializer(organisation, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if done == imports.CREATE else status.HTTP_200_OK,
        )

    @extend_schema(
        request=OrganisationInput, responses={200: api.OrganisationSerializer}, tags=["annuaire"]
    )
    def partial_update(self, request, *args, **kwargs):
        organisation = self.get_object()
        self.requested_project(organisation.project.slug, Capability.EDIT_DIRECTORY)
        data = OrganisationInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "projet" in values:
            raise exceptions.ValidationError(
                {"projet": ["Une organisation ne change pas de projet."]}
            )
        organisation, _done = imports.save_organisation_line(
            project=organisation.project, values=as_line(values), organisation=organisation
        )
        return Response(
            api.OrganisationSerializer(organisation, context=self.get_serializer_context()).data
        )


@read_only(tags=["annuaire"])
class ContactViewSet(ReadOnlyViewSet):
    """Professional contacts; their e-mail and phone are null for the lecteur, as on the pages."""

    serializer_class = api.ContactSerializer

    def base_queryset(self):
        return Contact.objects.select_related("project")


@read_only(tags=["gouvernance"])
class BodyViewSet(ReadOnlyViewSet):
    serializer_class = api.BodySerializer

    def base_queryset(self):
        return Body.objects.select_related("project").prefetch_related(
            Prefetch("members", queryset=BodyMember.objects.order_by("pk"))
        )


@read_only(tags=["gouvernance"])
class MeetingViewSet(ReadOnlyViewSet):
    serializer_class = api.MeetingSerializer
    project_path = "body__project"

    def base_queryset(self):
        return Meeting.objects.select_related("body__project").prefetch_related("decisions")


@read_only(tags=["lettre de cadrage"])
class FramingLetterViewSet(ReadOnlyViewSet):
    serializer_class = api.FramingLetterSerializer

    def base_queryset(self):
        return FramingLetter.objects.select_related("project").prefetch_related("versions")


BATCH_RESPONSE = inline_serializer(
    "LotEnregistre", fields={"enregistrees": serializers.IntegerField()}
)


@read_only(tags=["diagnostic"])
class IndicatorViewSet(ReadOnlyViewSet):
    """The catalogue of the diagnostic's indicators, for a client that pushes values
    (`valeurs-diagnostic/lot/`): the ANAP catalogue, and the own indicators of the projects
    the user has a role in. With `?projet=`, the catalogue as that project sees it."""

    serializer_class = api.IndicatorSerializer

    def base_queryset(self):
        return Indicator.objects.select_related("project")

    def scope(self, queryset):
        projects = projects_allowing(self.request, self.capability)
        return queryset.filter(Q(project=None) | Q(project__in=projects))

    def of_project(self, queryset, project):
        return queryset.filter(Q(project=None) | Q(project=project))


@read_only(tags=["diagnostic"])
class DiagnosticValueViewSet(ReadOnlyViewSet):
    """Values of the diagnostic's indicators; small counts are masked at storage (`valeur` null,
    `masque` true)."""

    serializer_class = api.IndicatorValueSerializer

    def base_queryset(self):
        return IndicatorValue.objects.select_related("project", "indicator")

    def get_serializer_class(self):
        if self.action == "lot":
            return api.DiagnosticBatchInput
        return super().get_serializer_class()

    @extend_schema(
        request=api.DiagnosticBatchInput, responses={200: BATCH_RESPONSE}, tags=["diagnostic"]
    )
    @action(detail=False, methods=["post"])
    def lot(self, request):
        """Record up to 5,000 values at once, with the import's checks and masking: any error
        and nothing is written."""
        data = api.DiagnosticBatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        project = self.requested_project(data.validated_data["projet"], Capability.EDIT_DIAGNOSTIC)
        rows = [
            [
                v["indicateur"],
                v["niveau"],
                str(v["annee"]),
                "" if v["valeur"] is None else repr(float(v["valeur"])),
                v["source"],
                v["commune"],
            ]
            for v in data.validated_data["valeurs"]
        ]
        parsed = diagnostic.parse_value_rows(
            diagnostic.IMPORT_COLUMNS,
            rows,
            commune_codes=set(territory_communes(project.territory).values_list("code", flat=True)),
        )
        if parsed.errors:
            raise exceptions.ValidationError({"valeurs": [_by_item(e) for e in parsed.errors]})
        count = diagnostic.import_values(project=project, parsed=parsed)
        return Response({"enregistrees": count})


def _by_item(message: str) -> str:
    """The import numbers lines from 2 (after the header row); the API numbers its items from 1."""
    return re.sub(
        r"^Ligne (\d+)", lambda m: f"Valeur n° {int(m.group(1)) - 1}", str(message), count=1
    )


@read_only(tags=["feuille de route"])
class OrientationViewSet(ReadOnlyViewSet):
    """The roadmap's tree: orientations → thématiques → objectifs → fiches-actions."""

    serializer_class = api.OrientationSerializer

    def base_queryset(self):
        return Orientation.objects.select_related("project").prefetch_related(
            Prefetch(
                "themes",
                queryset=Theme.objects.prefetch_related(
                    Prefetch(
                        "objectives",
                        queryset=Objective.objects.prefetch_related(
                            Prefetch(
                                "actions",
                                queryset=Action.objects.order_by("archived", "position", "pk"),
                            )
                        ),
                    )
                ),
            )
        )


@read_only(tags=["feuille de route"])
class ActionViewSet(ReadOnlyViewSet):
    """Fiches-actions with their milestones, funding lines and evaluation indicators."""

    serializer_class = api.ActionSerializer
    project_path = "objective__theme__orientation__project"

    def base_queryset(self):
        # Only what the answer shows: a page of 300 reads no project or roadmap column it does
        # not print (the code is built from the levels' numbers).
        return Action.objects.select_related("objective__theme__orientation__project").only(
            *(a for a in api.ActionSerializer.PLAIN.values() if a != "pk"),
            "number",
            "status",
            "priority",
            "start_date",
            "end_date",
            "updated_at",
            "objective__number",
            "objective__theme__number",
            "objective__theme__implicit",
            "objective__theme__orientation__number",
            "objective__theme__orientation__project__slug",
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        api.attach_action_parts(page)
        return page

    def get_object(self):
        action = super().get_object()
        api.attach_action_parts([action])
        return action


class ActionIndicatorValueViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectScopedViewSet
):
    """Measured values of the fiches-actions' indicators. POST records one: the chef de projet
    (and the administrateur ARS) for every fiche-action, a pilot for the ones they pilot."""

    serializer_class = api.ActionIndicatorValueSerializer
    project_path = "indicator__action__objective__theme__orientation__project"
    modified_field = "created_at"

    def base_queryset(self):
        return ActionIndicatorValue.objects.select_related(
            "indicator__action__objective__theme__orientation__project"
        )

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if self.action == "create":
            serializer.fields["indicateur"].queryset = ActionIndicator.objects.filter(
                action__objective__theme__orientation__project__in=list(
                    request_accesses(self.request)
                )
            ).select_related("action__objective__theme__orientation")
        return serializer

    @extend_schema(parameters=LIST_PARAMETERS, tags=["évaluation"])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=["évaluation"])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(tags=["évaluation"])
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        indicator = serializer.validated_data["indicator"]
        project_id = indicator.action.objective.theme.orientation.project_id
        role = request_accesses(request)[project_id].role
        if not (
            role_allows(role, Capability.EDIT_ACTIONS)
            and may_edit_action(role, request.user, indicator.action)
        ):
            raise exceptions.PermissionDenied(
                "Seuls le chef de projet et le pilote de la fiche-action enregistrent ses mesures."
            )
        value = evaluation.record_indicator_value(
            indicator=indicator,
            measured_on=serializer.validated_data["measured_on"],
            value=serializer.validated_data["value"],
            comment=serializer.validated_data.get("comment", ""),
            user=request.user,
        )
        return Response(self.get_serializer(value).data, status=status.HTTP_201_CREATED)


@read_only(tags=["engagements"])
class SignatoryViewSet(ReadOnlyViewSet):
    """The operators' commitments: signatory, status, dates and the signed PDF's SHA-256. A
    signataire d'opérateur sees their own organisation's only."""

    serializer_class = api.SignatorySerializer
    project_path = "letter__project"

    def base_queryset(self):
        return Signatory.objects.select_related("letter__project", "organisation", "contact")

    def scope(self, queryset):
        every, own = [], Q(pk__in=[])
        for project_id, access in request_accesses(self.request).items():
            if sees_every_operator(access.role):
                every.append(project_id)
            elif access.role in OPERATOR_SCOPED_ROLES and access.organisation_id is not None:
                own |= Q(letter__project_id=project_id, organisation_id=access.organisation_id)
        return queryset.filter(Q(letter__project_id__in=every) | own)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY}, tags=["engagements"])
    @action(detail=True, methods=["get"], url_path="pdf-signe", url_name="pdf-signe")
    def pdf_signe(self, request, pk=None):
        """The signed annex as deposited (PDF); the download is written in the journal."""
        signatory = self.get_object()
        if not signatory.signed_file:
            raise exceptions.NotFound("Aucun PDF signé déposé.")
        file_name = f"annexe-signee-{signatory.organisation_id}.pdf"
        record_download(
            project=signatory.letter.project, user=request.user, obj=signatory, file_name=file_name
        )
        return FileResponse(
            signatory.signed_file.open("rb"),
            as_attachment=True,
            content_type="application/pdf",
            filename=file_name,
        )


@read_only(tags=["évaluation"])
class ReviewViewSet(ReadOnlyViewSet):
    """The reviews (bilans à 6 mois et final): their texts and the COPIL's validations."""

    serializer_class = api.ReviewSerializer

    def base_queryset(self):
        return Review.objects.select_related("project").prefetch_related("validations")


@read_only(tags=["documents"])
class DocumentViewSet(ReadOnlyViewSet):
    """Every stored generation of the documents the user may download (as on the Documents page:
    no drafts for the lecteur and the signataire d'opérateur, only their own annexes for the
    latter), with its SHA-256 and download link."""

    serializer_class = api.DocumentSerializer
    modified_field = "generated_at"

    def base_queryset(self):
        return GeneratedDocument.objects.select_related("project")

    def scope(self, queryset):
        queryset = super().scope(queryset)
        accesses = request_accesses(self.request)
        restricted = [
            pk
            for pk, access in accesses.items()
            if not (
                sees_every_operator(access.role)
                and role_allows(access.role, Capability.VIEW_DRAFTS)
            )
        ]
        if not restricted:
            return queryset
        refused = Q(pk__in=[])
        pairs = (
            GeneratedDocument.objects.filter(project_id__in=restricted)
            .values_list("project_id", "kind", "variant")
            .distinct()
        )
        projects = Project.objects.in_bulk(restricted)
        for project_id, kind, variant in pairs:
            access = accesses[project_id]
            viewer = Viewer(access.role, access.organisation_id)
            if not may_download(projects[project_id], viewer, kind_slug=kind, variant_key=variant):
                refused |= Q(project_id=project_id, kind=kind, variant=variant)
        return queryset.exclude(refused)

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY}, tags=["documents"]
    )
    @action(detail=True, methods=["get"])
    def fichier(self, request, pk=None):
        """The stored file, byte for byte (its SHA-256 is the one listed)."""
        document = self.get_object()
        try:
            handle = document.content.open("rb")
        except FileNotFoundError as exc:
            raise exceptions.NotFound("Fichier absent du stockage.") from exc
        if is_archived(document):  # a signed or validated file: the journal keeps the access
            record_download(
                project=document.project,
                user=request.user,
                obj=document,
                file_name=document.file_name,
            )
        return FileResponse(handle, as_attachment=True, filename=document.file_name)


class NotFoundView(APIView):
    """Any other address under /api/v1/: a problem document, not an HTML page."""

    permission_classes = []
    authentication_classes = []
    schema = None

    def get(self, request, *args, **kwargs):
        raise exceptions.NotFound("Aucune ressource à cette adresse de l'API.")

    post = put = patch = delete = get
