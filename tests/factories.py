"""factory_boy factories for the whole suite."""

from __future__ import annotations

import datetime

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


def id_number_for(sequence: int, *, born: datetime.date | None = None, gender: str = "男") -> str:
    """A valid 身份证号, unique per sequence; odd sequence digit for 男, even for 女."""
    from households.idnumber import build

    born = born or datetime.date(1970, 1, 1) + datetime.timedelta(days=sequence * 37 % 15000)
    seq = sequence * 2 + (1 if gender == "男" else 0)
    return build("530323", born, seq)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "households.Household"

    number = factory.Sequence(lambda n: f"53032310120100{n:04d}")
    address = "山龙村大寨组"


class MemberFactory(factory.django.DjangoModelFactory):
    """Pass `household`; birth date and gender follow the generated ID number."""

    class Meta:
        model = "households.Member"

    name = factory.Faker("name", locale="zh_CN")
    relation = "户主"
    id_number = factory.Sequence(lambda n: id_number_for(n))
    gender = factory.LazyAttribute(lambda m: "男" if int(m.id_number[16]) % 2 else "女")
    birth_date = factory.LazyAttribute(
        lambda m: datetime.date(int(m.id_number[6:10]), int(m.id_number[10:12]), int(m.id_number[12:14]))
    )
