import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from tests.factories import UserFactory
from villages.models import Area


def test_each_user_sees_exactly_the_areas_under_their_own(users, county_tree):
    t = county_tree
    visible = lambda user: set(Area.objects.visible_to(user).values_list("name", flat=True))  # noqa: E731
    assert visible(users.alice) == {"山龙村", "大寨组", "小寨组"}
    assert visible(users.carol) == {"丹凤镇", "山龙村", "法杂村", "大寨组", "小寨组", "新村组"}
    assert visible(users.dave) == {"雄壁镇", "雨柱村", "坡头组"}
    assert len(visible(users.fupin)) == Area.objects.count()
    assert t.county.name in visible(users.minzheng)


def test_a_user_without_an_area_or_inactive_sees_nothing(users, county_tree):
    nobody = UserFactory(username="nobody", role="", area=None)
    assert not Area.objects.visible_to(nobody).exists()
    users.carol.is_active = False
    assert not Area.objects.visible_to(users.carol).exists()


@pytest.mark.parametrize(
    ("role", "area_name", "ok"),
    [
        (Role.VILLAGE_CADRE, "shanlong", True),
        (Role.VILLAGE_CADRE, "danfeng", False),
        (Role.TOWNSHIP_OFFICIAL, "danfeng", True),
        (Role.TOWNSHIP_OFFICIAL, "county", False),
        (Role.COUNTY_FUPIN, "county", True),
        (Role.COUNTY_MINZHENG, "shanlong", False),
        (Role.ADMIN, "county", True),
    ],
)
def test_a_role_belongs_to_an_area_of_its_level(county_tree, role, area_name, ok):
    user = UserFactory.build(username="x", role=role, area=getattr(county_tree, area_name))
    if ok:
        user.full_clean()
    else:
        with pytest.raises(ValidationError, match="所属区划必须是"):
            user.full_clean()
