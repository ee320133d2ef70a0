"""Replace Wagtail's placeholder page with the portal's home page and make it the default
site's root, so a fresh database serves the portal at /."""

from django.db import migrations

HOME_PATH = "00010001"


def create_home_page(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("portal", "HomePage")

    Page.objects.filter(path=HOME_PATH).delete()  # Wagtail's "Welcome" page (and its site)
    content_type, _ = ContentType.objects.get_or_create(app_label="portal", model="homepage")
    locale = Locale.objects.order_by("pk").first() or Locale.objects.create(language_code="zh-hans")
    home = HomePage.objects.create(
        title="大连市一体化在线政务服务平台", draft_title="大连市一体化在线政务服务平台", slug="home",
        content_type=content_type, path=HOME_PATH, depth=2, numchild=0, url_path="/home/",
        locale=locale, live=True,
        intro="<p>一网通办、一窗受理、一次办好。个人和企业办事，从这里开始。</p>",
    )
    Page.objects.filter(depth=1).update(numchild=1)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "site_name": "通办", "root_page": home},
    )


def remove_home_page(apps, schema_editor):
    apps.get_model("wagtailcore", "Page").objects.filter(path=HOME_PATH).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_home_page, remove_home_page)]
