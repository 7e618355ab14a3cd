from django.contrib import admin
from django.urls import include, path

from ptsm.core import health
from ptsm.core import views as core_views

admin.site.site_header = "ptsm — administration technique"
admin.site.site_title = "ptsm"

urlpatterns = [
    path("", include("ptsm.projects.urls")),
    path("", include("ptsm.pilotage.urls")),
    path("", include("ptsm.consultations.urls")),
    path("comptes/", include("ptsm.accounts.urls")),
    path("comptes/mon-compte/jetons/", include("ptsm.api.account_urls")),
    path("projets/<slug:slug>/documents/", include("ptsm.documents.urls")),
    path("projets/<slug:slug>/annuaire/", include("ptsm.organisations.urls")),
    path("projets/<slug:slug>/gouvernance/", include("ptsm.governance.urls")),
    path("projets/<slug:slug>/lettre-de-cadrage/", include("ptsm.framing.urls")),
    path("projets/<slug:slug>/diagnostic/", include("ptsm.diagnostic.urls")),
    path("projets/<slug:slug>/feuille-de-route/", include("ptsm.roadmap.urls")),
    path("projets/<slug:slug>/engagements/", include("ptsm.commitments.urls")),
    path("projets/<slug:slug>/evaluation/", include("ptsm.evaluation.urls")),
    path("projets/<slug:slug>/journal/", include("ptsm.audit.urls")),
    path("projets/<slug:slug>/travaux/", include("ptsm.jobs.urls")),
    path("projets/<slug:slug>/recherche/", include("ptsm.search.urls")),
    path("donnees-personnelles/", core_views.personal_data, name="personal_data"),
    path("accessibilite/", core_views.accessibility, name="accessibility"),
    path("mentions-legales/", core_views.legal_notice, name="legal_notice"),
    path("cookies/", core_views.cookies, name="cookies"),
    path("aide/", core_views.help_page, name="help"),
    path("sante/vivant", health.alive, name="health_alive"),
    path("sante/pret", health.ready, name="health_ready"),
    path("api/v1/", include("ptsm.api.urls")),
    path("admin/", admin.site.urls),
]
