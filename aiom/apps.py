from django.apps import AppConfig


class AiomConfig(AppConfig):
    name = "aiom"
    verbose_name = "Organisations"

    def ready(self):
        from . import crypto  # noqa: F401 - registers the encryption-key check
