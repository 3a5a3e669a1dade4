# Issue #11, step 2 of 3: the exercises app adopts ProgramTemplate and TemplateItem.
#
# State only: the tables and their rows already exist, renamed to exercises_programtemplate and
# exercises_templateitem by plans 0002_rename_program_template_tables (hence the dependency, a name
# in the migration graph, not an import). Nothing is created or copied in the database.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exercises', '0001_catalogue'),
        ('plans', '0002_rename_program_template_tables'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ProgramTemplate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name_en', models.CharField(max_length=120, verbose_name='name (English)')),
                        ('name_da', models.CharField(max_length=120, verbose_name='name (Danish)')),
                        ('sessions_per_week', models.PositiveSmallIntegerField(default=3, verbose_name='sessions per week')),
                        ('weeks', models.PositiveSmallIntegerField(default=12, verbose_name='weeks')),
                        ('condition', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='template', to='exercises.condition', verbose_name='condition')),
                    ],
                    options={
                        'verbose_name': 'program template',
                        'verbose_name_plural': 'program templates',
                        'constraints': [
                            models.CheckConstraint(condition=models.Q(('sessions_per_week__gte', 1), ('sessions_per_week__lte', 7)), name='template_sessions_per_week_range'),
                            models.CheckConstraint(condition=models.Q(('weeks__gte', 1), ('weeks__lte', 104)), name='template_weeks_range'),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name='TemplateItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sets', models.PositiveSmallIntegerField(default=2, verbose_name='sets')),
                        ('dose_unit', models.CharField(choices=[('reps', 'repetitions'), ('seconds', 'seconds hold'), ('minutes', 'minutes')], default='reps', max_length=10, verbose_name='unit')),
                        ('dose_min', models.PositiveSmallIntegerField(default=10, verbose_name='from')),
                        ('dose_max', models.PositiveSmallIntegerField(default=15, verbose_name='to')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                        ('note_en', models.CharField(blank=True, max_length=300, verbose_name='note (English)')),
                        ('note_da', models.CharField(blank=True, max_length=300, verbose_name='note (Danish)')),
                        ('exercise', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='exercises.exercise', verbose_name='exercise')),
                        ('template', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='exercises.programtemplate')),
                    ],
                    options={
                        'verbose_name': 'template exercise',
                        'verbose_name_plural': 'template exercises',
                        'ordering': ['order', 'pk'],
                        'constraints': [
                            models.CheckConstraint(condition=models.Q(('sets__gte', 1), ('sets__lte', 10)), name='template_item_sets_in_range'),
                            models.CheckConstraint(condition=models.Q(('dose_min__lte', models.F('dose_max'))), name='template_item_dose_min_lte_max'),
                            models.CheckConstraint(condition=models.Q(models.Q(('dose_max__gte', 1), ('dose_max__lte', 100), ('dose_min__gte', 1), ('dose_min__lte', 100), ('dose_unit', 'reps')), models.Q(('dose_max__gte', 1), ('dose_max__lte', 300), ('dose_min__gte', 1), ('dose_min__lte', 300), ('dose_unit', 'seconds')), models.Q(('dose_max__gte', 1), ('dose_max__lte', 60), ('dose_min__gte', 1), ('dose_min__lte', 60), ('dose_unit', 'minutes')), _connector='OR'), name='template_item_dose_in_unit_bounds'),
                            models.UniqueConstraint(fields=('template', 'exercise'), name='template_item_exercise_once'),
                        ],
                    },
                ),
            ],
        ),
    ]
