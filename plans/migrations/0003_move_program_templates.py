# Issue #11, step 3 of 3: Plan.template points at exercises.ProgramTemplate, and plans forgets its
# own ProgramTemplate and TemplateItem.
#
# State only: the foreign key column plans_plan.template_id already references the renamed table
# (step 1), and the tables now belong to exercises (step 2). Nothing is dropped in the database.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exercises', '0002_move_program_templates'),
        ('plans', '0002_rename_program_template_tables'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='plan',
                    name='template',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='exercises.programtemplate', verbose_name='started from template'),
                ),
                migrations.DeleteModel(name='TemplateItem'),
                migrations.DeleteModel(name='ProgramTemplate'),
            ],
        ),
    ]
