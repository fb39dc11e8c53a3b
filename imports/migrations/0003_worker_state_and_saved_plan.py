import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Length


def fill_file_sizes(apps, schema_editor):
    Import = apps.get_model("imports", "Import")
    Import.objects.update(file_size=Length("content"))


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0002_busy_statuses"),
    ]

    operations = [
        migrations.AddField(
            model_name="import",
            name="file_size",
            field=models.PositiveBigIntegerField(default=0, verbose_name="file size (bytes)"),
        ),
        migrations.AddField(
            model_name="import",
            name="attempt",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="import",
            name="queued_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="handed to the worker"
            ),
        ),
        migrations.AddField(
            model_name="import",
            name="heartbeat_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="last sign of the worker"
            ),
        ),
        migrations.RunPython(fill_file_sizes, migrations.RunPython.noop),
        migrations.CreateModel(
            name="SavedPlan",
            fields=[
                (
                    "import_run",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="saved_plan",
                        serialize=False,
                        to="imports.import",
                    ),
                ),
                ("key", models.CharField(max_length=64)),
                ("data", models.BinaryField()),
                ("signature", models.CharField(max_length=64)),
                ("saved_at", models.DateTimeField(auto_now=True)),
            ],
        ),
    ]
