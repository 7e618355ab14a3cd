from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("", views.body_list, name="bodies"),
    path("instances-par-defaut/", views.bodies_default, name="bodies_default"),
    path("instances/nouvelle/", views.body_create, name="body_create"),
    path("instances/<int:pk>/", views.body_detail, name="body"),
    path("instances/<int:pk>/modifier/", views.body_edit, name="body_edit"),
    path("membres/<int:pk>/modifier/", views.body_member_edit, name="body_member_edit"),
    path("membres/<int:pk>/retirer/", views.body_member_remove, name="body_member_remove"),
    path("seances/", views.meeting_list, name="meetings"),
    path("seances/calendrier.ics", views.calendar_ics, name="calendar_ics"),
    path("instances/<int:body_pk>/seances/nouvelle/", views.meeting_create, name="meeting_create"),
    path("seances/<int:pk>/", views.meeting_detail, name="meeting"),
    path("seances/<int:pk>/modifier/", views.meeting_edit, name="meeting_edit"),
    path("seances/<int:pk>/invitation.ics", views.meeting_ics, name="meeting_ics"),
    path(
        "seances/<int:pk>/inviter-membres/",
        views.meeting_invite_members,
        name="meeting_invite_members",
    ),
    path("seances/<int:pk>/inviter/", views.meeting_invite, name="meeting_invite"),
    path("seances/<int:pk>/envoyer/", views.meeting_send_invitations, name="meeting_send"),
    path(
        "seances/<int:pk>/presence/<int:invitation_pk>/",
        views.meeting_attendance,
        name="meeting_attendance",
    ),
    path("seances/<int:pk>/compte-rendu/", views.meeting_minutes, name="meeting_minutes"),
    path("seances/<int:pk>/decisions/", views.meeting_decision, name="meeting_decision"),
    path("decisions/<int:pk>/supprimer/", views.decision_delete, name="decision_delete"),
    path("seances/<int:pk>/suivi/", views.meeting_task, name="meeting_task"),
    path("suivi/<int:pk>/statut/", views.task_status, name="task_status"),
    path("demarches-locales/", views.initiative_list, name="initiatives"),
    path("demarches-locales/nouvelle/", views.initiative_create, name="initiative_create"),
    path("demarches-locales/<int:pk>/modifier/", views.initiative_edit, name="initiative_edit"),
    path(
        "demarches-locales/<int:pk>/supprimer/", views.initiative_delete, name="initiative_delete"
    ),
    path("communication/", views.communication_list, name="communication"),
    path("communication/nouvelle/", views.communication_create, name="communication_create"),
    path("communication/<int:pk>/modifier/", views.communication_edit, name="communication_edit"),
    path(
        "communication/<int:pk>/supprimer/", views.communication_delete, name="communication_delete"
    ),
]
