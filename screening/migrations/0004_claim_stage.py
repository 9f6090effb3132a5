import django.db.models.deletion
from django.db import migrations, models


def drop_claims(apps, schema_editor):
    # Claims last minutes and are taken again on the next request: dropping the open
    # ones is simpler than back-filling their stage.
    apps.get_model("screening", "Claim").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0003_fulltext"),
    ]

    operations = [
        migrations.RunPython(drop_claims, migrations.RunPython.noop),
        migrations.AddField(
            model_name="claim",
            name="stage",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="claims",
                to="screening.stage",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="claim",
            name="stage",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="claims",
                to="screening.stage",
            ),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["stage", "reviewer"], name="claim_stage_reviewer"),
        ),
    ]
