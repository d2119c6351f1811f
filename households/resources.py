"""django-import-export resources for households and members, keyed like the 花名册 import.

The 花名册 import (households.importer) does not go through these: row by row they load about 400
rows/s (bench/README.md), far from the 100,000-household target. They stay for the benchmark's
comparison and for small tabular imports and exports in the admin.
"""

from __future__ import annotations

from import_export import fields, resources, widgets

from households.models import Household, Member


class HouseholdResource(resources.ModelResource):
    number = fields.Field(attribute="number", column_name="户编号")
    group = fields.Field(attribute="group_id", column_name="村民小组ID")

    class Meta:
        model = Household
        import_id_fields = ("number",)
        fields = (
            "number", "group", "attribute", "main_cause", "dangerous_house", "drinking_water_safe",
            "drinking_water_difficult", "phone",
        )  # fmt: skip
        skip_unchanged = True


class MemberResource(resources.ModelResource):
    household = fields.Field(
        attribute="household", column_name="户编号", widget=widgets.ForeignKeyWidget(Household, "number")
    )

    class Meta:
        model = Member
        import_id_fields = ("id_number",)
        fields = (
            "household", "name", "id_number", "gender", "birth_date", "relation", "ethnicity", "education",
            "school_status", "health", "labour", "work_status", "work_months", "serious_illness_insurance",
        )  # fmt: skip
        skip_unchanged = True
