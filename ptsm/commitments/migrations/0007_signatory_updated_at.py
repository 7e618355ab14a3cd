# Existing rows get the migration's time as their last modification.
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("commitments", "0006_letter_place_and_cd_signatory")]

    operations = [
        migrations.AddField(
            model_name="signatory",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, default=django.utils.timezone.now, verbose_name="modifié le"
            ),
            preserve_default=False,
        ),
    ]
