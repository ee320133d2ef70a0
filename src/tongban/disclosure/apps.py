from django.apps import AppConfig


def _documents_moved(sender, instance, **kwargs):
    """A moved page takes its policy documents to the site it now stands in (the search row's site)."""
    from .models.pages import assign_sites

    assign_sites(instance)


class DisclosureConfig(AppConfig):
    name = "tongban.disclosure"
    label = "disclosure"
    verbose_name = "政务公开"

    def ready(self) -> None:
        from wagtail.signals import post_page_move

        post_page_move.connect(_documents_moved, dispatch_uid="disclosure.documents_moved")
