from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "tongban.hotline"
    label = "hotline"
    verbose_name = "12345热线"

    def ready(self) -> None:
        from . import handoffs  # noqa: F401 — connects disclosure's message hand-off (message_received)
