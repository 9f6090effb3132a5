import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_item_stage(apps, schema_editor):
    Decision = apps.get_model("screening", "Decision")
    ScreeningItem = apps.get_model("screening", "ScreeningItem")
    Decision.objects.update(
        stage_id=Subquery(ScreeningItem.objects.filter(pk=OuterRef("item_id")).values("stage_id"))
    )


class Migration(migrations.Migration):
    dependencies = [("screening", "0006_prioritised_screening")]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="stage",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="decisions",
                to="screening.stage",
            ),
        ),
        migrations.RunPython(copy_item_stage, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="decision",
            name="stage",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="decisions",
                to="screening.stage",
            ),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(
                fields=["stage", "reviewer", "decided_at"], name="decision_stage_reviewer"
            ),
        ),
    ]
