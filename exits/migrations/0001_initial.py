# Empty on this branch: the household exits' helper owns 0001_initial (the coordinator merges).
from django.db import migrations


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = []
