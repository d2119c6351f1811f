from __future__ import annotations

from django import forms

from villages.models import Area, AreaProfile

INDICATOR_FIELDS = ["rural_population", "low_income_population", "dibao_population", "disabled_population"]

# What can be edited on an area of each level.
EDITABLE_FIELDS = {
    Area.Level.COUNTY: ["name"],
    Area.Level.TOWNSHIP: ["name", *INDICATOR_FIELDS],
    Area.Level.VILLAGE: ["name"],
    Area.Level.GROUP: ["name"],
}


def area_form_class(level: str) -> type[forms.ModelForm]:
    return forms.modelform_factory(Area, fields=EDITABLE_FIELDS[level])


class GroupForm(forms.Form):
    name = forms.CharField(label="村民小组名称", max_length=60)

    def __init__(self, *args, village: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.village = village

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if self.village.children.filter(name=name).exists():
            raise forms.ValidationError(f"“{self.village.name}”已有名为“{name}”的村民小组。")
        return name


class AreaProfileForm(forms.ModelForm):
    """村情概况 of a 行政村 or 村民小组, edited on the same page as the area itself.

    是否贫困村 is not on it: the county marks 贫困村 from the 贫困村识别 ranking and takes them off by
    贫困村退出 (identification.poor_villages, exits); the page shows it, nobody types it."""

    class Meta:
        model = AreaProfile
        fields = [
            *AreaProfile.FACILITY_FIELDS,
            "collective_income",
            "net_income_per_capita",
            "distance_to_township_km",
        ]
