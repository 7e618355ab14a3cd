from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("tout-telecharger/", views.document_download_all, name="download_all"),
    path("generer/", views.document_generate, name="generate"),
    path("generer-tout/", views.document_generate_all, name="generate_all"),
    path("<int:pk>/telecharger/", views.document_download, name="download"),
    path("<int:pk>/historique/", views.document_history, name="history"),
]
