from django.urls import path

from . import views

app_name = "commitments"

urlpatterns = [
    path("", views.letter, name="letter"),
    path("preparer/", views.prepare, name="prepare"),
    path("parametres/", views.settings, name="settings"),
    path("textes/<slug:key>/", views.text_edit, name="text"),
    path("signataires/<int:pk>/annexe/", views.annex_generate, name="annex_generate"),
    path("signataires/<int:pk>/avenant/", views.amendment, name="amendment"),
    path("signataires/<int:pk>/envoyer/", views.send, name="send"),
    path("signataires/<int:pk>/relancer/", views.reminder, name="remind"),
    path("signataires/<int:pk>/signe/", views.signed, name="signed"),
    path("signataires/<int:pk>/refus/", views.refused, name="refused"),
    path("signataires/<int:pk>/pdf-signe/", views.signed_download, name="signed_pdf"),
    path("seance/", views.session_signatures, name="session"),
    path("annexes/<int:pk>/modifications/", views.annex_diff, name="annex_diff"),
    path("liasse/", views.bundle, name="bundle"),
    path("envoyer-tout/", views.send_all, name="send_all"),
    path("relancer-tout/", views.remind_all, name="remind_all"),
]
