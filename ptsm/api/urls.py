from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False
router.register("projets", views.ProjectViewSet, basename="projet")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("instances", views.BodyViewSet, basename="instance")
router.register("reunions", views.MeetingViewSet, basename="reunion")
router.register("lettres-de-cadrage", views.FramingLetterViewSet, basename="lettre-de-cadrage")
router.register("indicateurs", views.IndicatorViewSet, basename="indicateur")
router.register("valeurs-diagnostic", views.DiagnosticValueViewSet, basename="valeur-diagnostic")
router.register("orientations", views.OrientationViewSet, basename="orientation")
router.register("fiches-actions", views.ActionViewSet, basename="fiche-action")
router.register(
    "mesures-indicateurs", views.ActionIndicatorValueViewSet, basename="mesure-indicateur"
)
router.register("engagements", views.SignatoryViewSet, basename="engagement")
router.register("bilans", views.ReviewViewSet, basename="bilan")
router.register("documents", views.DocumentViewSet, basename="document")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    *router.urls,
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not_found"),
]
