from django.urls import reverse

from accounts.models import Role
from tests.factories import UserFactory


def test_admin_of_a_township_lists_and_opens_only_its_own_areas(client, users, county_tree):
    staff = UserFactory(
        username="townstaff",
        role=Role.TOWNSHIP_OFFICIAL,
        area=county_tree.xiongbi,
        is_staff=True,
        is_superuser=True,
    )
    client.force_login(staff)
    listing = client.get(reverse("admin:villages_area_changelist"))
    names = {a.name for a in listing.context["cl"].result_list}
    assert names == {"雄壁镇", "雨柱村", "坡头组"}
    outside = client.get(reverse("admin:villages_area_change", args=[county_tree.shanlong.pk]))
    assert outside.status_code == 302  # the admin's "does not exist" redirect: nothing shown
    users_listing = client.get(reverse("admin:accounts_user_changelist"))
    assert {u.username for u in users_listing.context["cl"].result_list} == {"townstaff", "dave"}


def test_county_admin_sees_every_area(client, users, county_tree):
    client.force_login(users.admin)
    listing = client.get(reverse("admin:villages_area_changelist"))
    assert listing.context["cl"].result_count == 10
