# Existing rows get the migration's time as their last modification.
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("roadmap", "0004_roadmap_levels_optional_theme")]

    operations = [
        migrations.AddField(
            model_name="orientation",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, default=django.utils.timezone.now, verbose_name="modifiée le"
            ),
            preserve_default=False,
        ),
    ]
