"""factory_boy factories for the whole suite."""

from __future__ import annotations

import factory

from accounts.models import Role, User
from villages.models import Area

PASSWORD = "correct-horse-2012"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ["code"]

    code = "530323000000"
    name = "师宗县"
    level = Area.Level.COUNTY
    parent = None


def township(county: Area, number: str, name: str, **indicators) -> Area:
    return AreaFactory(
        code=f"530323{number}000", name=name, level=Area.Level.TOWNSHIP, parent=county, **indicators
    )


def village(township: Area, number: str, name: str) -> Area:
    return AreaFactory(
        code=f"{township.code[:9]}{number}", name=name, level=Area.Level.VILLAGE, parent=township
    )


def group(village: Area, number: str, name: str) -> Area:
    return AreaFactory(code=f"{village.code}{number}", name=name, level=Area.Level.GROUP, parent=village)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = factory.Faker("name", locale="zh_CN")
    role = Role.VILLAGE_CADRE
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()
