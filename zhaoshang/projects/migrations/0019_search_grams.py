import django.db.models.deletion
from django.db import migrations, models

from zhaoshang.projects.search import BATCH, FIELDS, grams_of, source_of


def fill(apps, schema_editor):
    """Every project's grams and stored text (``projects.search``), from its texts now."""
    Project = apps.get_model("projects", "Project")
    ProjectGram = apps.get_model("projects", "ProjectGram")
    ProjectSearchText = apps.get_model("projects", "ProjectSearchText")
    ids = list(Project._base_manager.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        rows = Project._base_manager.filter(pk__in=ids[start : start + BATCH])
        texts, grams = [], []
        for pk, *values in rows.values_list("pk", *FIELDS):
            texts.append(ProjectSearchText(project_id=pk, source=source_of(values)))
            grams.extend(ProjectGram(project_id=pk, gram=g) for g in sorted(grams_of(values)))
        ProjectSearchText.objects.bulk_create(texts)
        ProjectGram.objects.bulk_create(grams, batch_size=2000)


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
