from django.urls import path

from . import views

app_name = "diagnostic"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("indicateurs/", views.catalogue, name="catalogue"),
    path("indicateurs/nouveau/", views.indicator_create, name="indicator_create"),
    path("indicateurs/<str:code>/", views.indicator_detail, name="indicator"),
    path("indicateurs/<str:code>/modifier/", views.indicator_edit, name="indicator_edit"),
    path("indicateurs/<str:code>/supprimer/", views.indicator_delete, name="indicator_delete"),
    path("indicateurs/<str:code>/valeur/", views.value_edit, name="value_edit"),
    path("importer/", views.import_values, name="import"),
    path("importer-export/", views.long_upload, name="long_upload"),
    path("importer-export/<int:pk>/", views.long_mapping, name="long_mapping"),
    path("modele-indicateurs.<str:fmt>", views.import_template, name="import_template"),
    path("portes/<int:number>/", views.door, name="door"),
    path("portes/<int:number>/constats/nouveau/", views.finding_create, name="finding_create"),
    path("constats/<int:pk>/", views.finding_edit, name="finding_edit"),
    path("constats/<int:pk>/supprimer/", views.finding_delete, name="finding_delete"),
    path("carte/", views.territory_map, name="map"),
    path("valider/", views.validate, name="validate"),
]
