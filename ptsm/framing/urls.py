from django.urls import path

from . import views

app_name = "framing"

urlpatterns = [
    path("", views.letter_detail, name="letter"),
    path("sections/<slug:key>/", views.section_edit, name="section"),
    path("parametres/", views.letter_settings, name="settings"),
    path("statut/", views.letter_status, name="status"),
    path("generer/", views.letter_generate, name="generate"),
    path("versions/<int:number>/", views.version_diff, name="diff"),
    path("versions/<int:number>/signer/", views.version_sign, name="sign"),
    path("versions/<int:number>/pdf-signe/", views.signed_download, name="signed_pdf"),
]
