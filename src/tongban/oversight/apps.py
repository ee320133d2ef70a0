from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "tongban.oversight"
    label = "oversight"
    verbose_name = "效能监察"
