from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "tongban.search"
    label = "search"
    verbose_name = "检索"
