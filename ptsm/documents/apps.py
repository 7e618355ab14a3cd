from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "ptsm.documents"
    label = "documents"
    verbose_name = "Documents générés"
