from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("volunteers", "0004_certificate_and_welfare_fields"),
    ]

    operations = [
        migrations.AddField(
            model_name="memberimportjob",
            name="decisions",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
