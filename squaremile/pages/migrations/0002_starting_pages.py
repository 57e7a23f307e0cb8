from django.db import migrations


def add_pages(apps, schema_editor):
    from squaremile.pages.defaults import PAGES

    SitePage = apps.get_model("pages", "SitePage")
    for slug, (title, body) in PAGES.items():
        SitePage.objects.get_or_create(slug=slug, defaults={"title": title, "body": body})


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_initial")]
    operations = [migrations.RunPython(add_pages, migrations.RunPython.noop)]
