from django.urls import path

from . import territory_picker, views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("projets/nouveau/", views.project_create, name="create"),
    path(
        "projets/territoire/recherche/",
        territory_picker.territory_search,
        name="territory_search",
    ),
    path(
        "projets/territoire/apercu/", territory_picker.territory_preview, name="territory_preview"
    ),
    path("projets/<slug:slug>/", views.dashboard, name="dashboard"),
    path("projets/<slug:slug>/modifier/", views.project_edit, name="edit"),
    path("projets/<slug:slug>/supprimer/", views.project_delete, name="delete"),
    path("projets/<slug:slug>/territoire/", views.territory_detail, name="territory"),
    path("projets/<slug:slug>/territoire/modifier/", views.territory_edit, name="territory_edit"),
    path("projets/<slug:slug>/territoire/carte.svg", views.territory_map, name="territory_map"),
    path("projets/<slug:slug>/jalons/", views.milestone_list, name="milestones"),
    path("projets/<slug:slug>/jalons/nouveau/", views.milestone_create, name="milestone_create"),
    path("projets/<slug:slug>/jalons/<int:pk>/", views.milestone_edit, name="milestone_edit"),
    path(
        "projets/<slug:slug>/jalons/<int:pk>/supprimer/",
        views.milestone_delete,
        name="milestone_delete",
    ),
    path("projets/<slug:slug>/membres/", views.member_list, name="members"),
    path("projets/<slug:slug>/membres/<int:pk>/role/", views.member_role, name="member_role"),
    path(
        "projets/<slug:slug>/membres/<int:pk>/retirer/", views.member_remove, name="member_remove"
    ),
]
