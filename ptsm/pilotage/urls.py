from django.urls import path

from . import views

app_name = "pilotage"

urlpatterns = [
    path("pilotage/", views.cockpit, name="cockpit"),
    path("pilotage/export.xlsx", views.cockpit_export, name="export"),
    path("pilotage/comparer/", views.comparison, name="comparison"),
    path("pilotage/organisation/", views.organisation, name="organisation"),
    path("projets/<slug:slug>/page-publique/", views.public_page_settings, name="public_settings"),
    path("public/<slug:projet>/", views.public_page, name="public"),
    path("public/<slug:projet>/flux.atom", views.public_feed, name="public_feed"),
    path("public/<slug:projet>/donnees/<str:name>", views.open_data, name="open_data"),
    path("public/<slug:projet>/documents/<int:pk>/", views.public_document, name="public_document"),
]
