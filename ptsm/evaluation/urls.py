from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("indicateurs/<int:pk>/", views.indicator, name="indicator"),
    path("indicateurs/relance/", views.remind_pilots, name="remind_pilots"),
    path("indicateurs/valeurs/<int:pk>/supprimer/", views.value_delete, name="value_delete"),
    path("bilans/<slug:kind>/", views.review, name="review"),
    path("bilans/<slug:kind>/textes/", views.review_texts, name="review_texts"),
    path("bilans/<slug:kind>/fiches-actions/", views.review_assessments, name="review_assessments"),
    path("bilans/<slug:kind>/validation/", views.review_validate, name="review_validate"),
    path("bilans/<slug:kind>/documents/", views.review_documents, name="review_documents"),
]
