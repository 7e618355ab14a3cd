# Existing rows get the migration's time as their last modification.
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("diagnostic", "0006_project_indicators_and_pending_files")]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, default=django.utils.timezone.now, verbose_name="modifié le"
            ),
            preserve_default=False,
        ),
    ]
