from django.apps import AppConfig


class AiomConfig(AppConfig):
    name = "aiom"
    verbose_name = "Organisations"
