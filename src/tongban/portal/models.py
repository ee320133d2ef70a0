from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The portal's home page (门户首页), edited in the CMS; the catalogue's entrances (search,
    life stages, special lists, hot services, bundles) come from the catalogue itself."""

    intro = RichTextField("导语", blank=True)
    hotline = models.CharField("服务热线", max_length=20, default="12345")

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("hotline")]
    max_count = 1

    class Meta:
        verbose_name = "门户首页"

    def get_context(self, request, *args, **kwargs):
        from tongban.catalog import selectors, views

        context = super().get_context(request, *args, **kwargs)
        context.update(views.facets())
        context.update(views.region_context(request))
        context["hot"] = selectors.hot_items()
        context["bundles"] = selectors.bundles()
        return context
