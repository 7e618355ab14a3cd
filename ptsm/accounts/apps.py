from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ptsm.accounts"
    label = "accounts"
    verbose_name = "Comptes et rôles"
