from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("nouvelle/", views.organisation_create, name="create"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/modifier/", views.organisation_edit, name="edit"),
    path("<int:pk>/logo/", views.organisation_logo, name="logo"),
    path("<int:pk>/supprimer/", views.organisation_delete, name="delete"),
    path("<int:pk>/archiver/", views.organisation_archive, name="archive"),
    path("recherche/", views.organisation_search, name="search"),
    path("acteurs-incontournables/", views.checklist, name="checklist"),
    path("contacts/", views.contact_list, name="contacts"),
    path("contacts/nouveau/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/modifier/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/supprimer/", views.contact_delete, name="contact_delete"),
    path("contacts/<int:pk>/archiver/", views.contact_archive, name="contact_archive"),
    path("contacts/<int:pk>/donnees.<str:fmt>", views.contact_export, name="contact_export"),
    path("contacts/<int:pk>/effacer/", views.contact_erase, name="contact_erase"),
]

from . import views_finess, views_imports  # noqa: E402

urlpatterns += [
    path("importer/", views_imports.import_upload, name="import"),
    path("importer/<int:pk>/", views_imports.import_pending, name="import_pending"),
    path("importer/<int:pk>/confirmer/", views_imports.import_confirm, name="import_confirm"),
    path("importer/finess/", views_finess.finess_upload, name="finess_import"),
    path("importer/finess/<int:pk>/", views_finess.finess_choose, name="finess_choose"),
    path(
        "importer/<int:pk>/correspondance/",
        views_imports.import_save_mapping,
        name="import_save_mapping",
    ),
    path(
        "importer/<int:pk>/lignes-refusees.csv", views_imports.import_refused, name="import_refused"
    ),
    path("exporter/contacts.<str:fmt>", views_imports.contacts_export, name="contacts_export"),
    path("exporter/<str:what>.<str:fmt>", views_imports.export, name="export"),
    path("modele/<str:what>.<str:fmt>", views_imports.import_template, name="import_template"),
]
