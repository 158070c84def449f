import django.db.models.deletion
from django.db import migrations, models

from zhaoshang.projects.search import refresh

MODELS = ("Project", "ProjectGram", "ProjectSearchText")


def fill(apps, schema_editor):
    """Every project's grams and stored text (``projects.search``), from its texts now."""
    models = [apps.get_model("projects", name) for name in MODELS]
    refresh(models[0]._base_manager.values_list("pk", flat=True), models=tuple(models))


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0018_project_light_level"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProjectSearchText",
            fields=[
                (
                    "project",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="projects.project",
                    ),
                ),
                ("source", models.TextField()),
            ],
            options={
                "verbose_name": "project search text",
            },
        ),
        migrations.CreateModel(
            name="ProjectGram",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("gram", models.CharField(max_length=3)),
                (
                    "project",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="projects.project",
                    ),
                ),
            ],
            options={
                "verbose_name": "project search gram",
                "indexes": [models.Index(fields=["project"], name="project_gram_project")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("gram", "project"), name="project_gram_postings"
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
