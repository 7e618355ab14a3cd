from django.urls import path

from . import account_views

app_name = "api_tokens"
urlpatterns = [
    path("", account_views.token_create, name="create"),
    path("revoquer/", account_views.token_revoke, name="revoke"),
]
