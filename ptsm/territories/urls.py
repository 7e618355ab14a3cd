from django.urls import path

from . import views

app_name = "territories"

urlpatterns = [
    path("recherche/", views.search, name="search"),
]
