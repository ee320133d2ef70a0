from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "tongban.reviews"
    label = "reviews"
    verbose_name = "好差评"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
