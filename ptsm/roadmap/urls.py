from django.urls import path

from . import views

app_name = "roadmap"

urlpatterns = [
    path("", views.roadmap, name="tree"),
    path("orientations/nouvelle/", views.orientation_create, name="orientation_create"),
    path("objectifs/<int:pk>/fiches-actions/nouvelle/", views.action_create, name="action_create"),
    path("fiches-actions/", views.action_table, name="actions"),
    path("fiches-actions/<int:pk>/", views.action_detail, name="action"),
    path("fiches-actions/<int:pk>/modifier/", views.action_edit, name="action_edit"),
    path(
        "fiches-actions/<int:pk>/modifier/<slug:section>/",
        views.action_section,
        name="action_section",
    ),
    path("fiches-actions/<int:pk>/lignes/<slug:prefix>/", views.action_row, name="action_row"),
    path("fiches-actions/contacts-pilote/", views.pilot_contact_options, name="pilot_contacts"),
    path("calendrier/", views.gantt, name="gantt"),
    path("synthese/", views.synthesis, name="synthesis"),
    path("operateurs/<int:pk>/", views.operator, name="operator"),
    path("versions/<int:number>/", views.version_diff, name="diff"),
    path("valider/", views.validate, name="validate"),
    path("niveaux/", views.levels, name="levels"),
    # Generic structure routes last: `level` is orientation, thematique, objectif or action.
    path("structure/<str:level>/<int:pk>/ajouter/", views.child_create, name="child_create"),
    path("structure/<str:level>/<int:pk>/modifier/", views.item_edit, name="item_edit"),
    path("structure/<str:level>/<int:pk>/deplacer/", views.item_move, name="item_move"),
    path("structure/<str:level>/<int:pk>/archiver/", views.item_archive, name="item_archive"),
]
