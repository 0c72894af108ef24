from django.apps import AppConfig


class AnalyzersConfig(AppConfig):
    name = "analyzers"
