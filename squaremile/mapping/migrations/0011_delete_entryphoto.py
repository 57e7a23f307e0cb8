"""EntryPhoto is gone: an entry's photos are attachments (0008 moved the rows)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("mapping", "0010_photos_to_attachments")]

    operations = [migrations.DeleteModel(name="EntryPhoto")]
