from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("projets/<slug:slug>/consultations/", views.consultation_list, name="list"),
    path("projets/<slug:slug>/consultations/nouvelle/", views.consultation_create, name="create"),
    path(
        "projets/<slug:slug>/consultations/<int:number>/",
        views.consultation_detail,
        name="detail",
    ),
    path(
        "projets/<slug:slug>/consultations/<int:number>/modifier/",
        views.consultation_edit,
        name="edit",
    ),
    path(
        "projets/<slug:slug>/consultations/<int:number>/questions/<int:pk>/supprimer/",
        views.question_delete,
        name="question_delete",
    ),
    path(
        "projets/<slug:slug>/consultations/<int:number>/ouvrir/",
        views.consultation_open,
        name="open",
    ),
    path(
        "projets/<slug:slug>/consultations/<int:number>/clore/",
        views.consultation_close,
        name="close",
    ),
    path(
        "projets/<slug:slug>/consultations/<int:number>/archiver/",
        views.consultation_archive,
        name="archive",
    ),
    path(
        "projets/<slug:slug>/consultations/<int:number>/supprimer/",
        views.consultation_delete,
        name="delete",
    ),
    path(
        "projets/<slug:slug>/consultations/<int:number>/synthese/",
        views.consultation_summary,
        name="summary",
    ),
    path(
        "projets/<slug:slug>/consultations/<int:number>/envoyer/",
        views.consultation_send,
        name="send",
    ),
    path(
        "projets/<slug:slug>/consultations/<int:number>/resultats/",
        views.consultation_results,
        name="results",
    ),
    path(
        "projets/<slug:slug>/consultations/<int:number>/moderation/",
        views.consultation_moderation,
        name="moderation",
    ),
    path(
        "projets/<slug:slug>/consultations/<int:number>/reponses/<int:pk>/masquer/",
        views.response_hide,
        name="response_hide",
    ),
    path(
        "projets/<slug:slug>/consultations/<int:number>/reponses/<int:pk>/afficher/",
        views.response_show,
        name="response_show",
    ),
    path(
        "projets/<slug:slug>/consultations/<int:number>/consultation.pdf",
        views.consultation_export,
        {"fmt": "pdf"},
        name="export_pdf",
    ),
    path(
        "projets/<slug:slug>/consultations/<int:number>/consultation.xlsx",
        views.consultation_export,
        {"fmt": "xlsx"},
        name="export_xlsx",
    ),
    # Answering needs no account: the token is the only key.
    path("consultation/<str:token>/", views.answer, name="answer"),
    path("consultation/<str:token>/merci/", views.thanks, name="thanks"),
]
