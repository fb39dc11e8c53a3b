from django.apps import AppConfig


class TrashConfig(AppConfig):
    name = "trash"
    verbose_name = "Trash"
