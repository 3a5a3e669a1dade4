# Issue #11, step 1 of 3: program templates move to the catalogue app (exercises).
#
# The rows stay where they are; only the tables are renamed to the names the exercises app gives
# its models. Step 2 (exercises 0002_move_program_templates) then adopts the tables into the
# exercises state, and step 3 (plans 0003_move_program_templates) points Plan.template at it and
# forgets plans' copies. Renaming first means any later exercises migration finds the tables
# already under their new names, on a fresh database as on an old one.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0001_plans_and_sessions'),
    ]

    operations = [
        migrations.AlterModelTable(name='programtemplate', table='exercises_programtemplate'),
        migrations.AlterModelTable(name='templateitem', table='exercises_templateitem'),
    ]
