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
    assert outside.status_code == 404  # as missing, like every page of the app
    users_listing = client.get(reverse("admin:accounts_user_changelist"))
    assert {u.username for u in users_listing.context["cl"].result_list} == {"townstaff", "dave"}


def test_county_admin_sees_every_area(client, users, county_tree):
    client.force_login(users.admin)
    listing = client.get(reverse("admin:villages_area_changelist"))
    assert listing.context["cl"].result_count == 10


def test_township_staff_cannot_read_another_townships_household_history_in_the_admin(
    client, users, county_tree
):
    """Defect 5: django-simple-history's pages read the history table directly."""
    from tests.factories import HouseholdFactory

    staff = UserFactory(
        role=Role.TOWNSHIP_OFFICIAL, area=county_tree.danfeng, is_staff=True, is_superuser=True
    )
    elsewhere = HouseholdFactory(group=county_tree.potou, phone="13987654321")
    version = elsewhere.history.first()
    client.force_login(staff)
    assert client.get(reverse("admin:households_household_history", args=[elsewhere.pk])).status_code == 404
    page = client.get(f"/admin/households/household/{elsewhere.pk}/history/{version.history_id}/")
    assert page.status_code == 404
    assert b"13987654321" not in page.content


def test_domain_models_are_read_only_in_the_admin(client, users, county_tree):
    """Defect 8: households change through the services (role, ID checks, history), not the admin."""
    from households.models import Household
    from tests.factories import HouseholdFactory

    household = HouseholdFactory(group=county_tree.dazhai, address="旧地址")
    client.force_login(users.admin)
    change = reverse("admin:households_household_change", args=[household.pk])
    assert client.get(change).status_code == 200  # shown
    assert client.post(change, {"address": "新地址"}).status_code == 403
    assert (
        client.post(
            reverse("admin:households_household_delete", args=[household.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert client.get(reverse("admin:households_household_add")).status_code == 403
    assert Household.objects.get(pk=household.pk).address == "旧地址"


def test_admin_search_refuses_a_personal_number(client, users, county_tree):
    client.force_login(users.admin)
    response = client.get(reverse("admin:accounts_user_changelist"), {"q": "53032319700101001X"})
    assert response.status_code == 302 and "q=" not in response["Location"]


def test_county_admin_cannot_assign_a_user_to_another_countys_area(client, users, county_tree):
    from tests.factories import AreaFactory

    luoping = AreaFactory(code="530324000000", name="罗平县")
    client.force_login(users.admin)
    response = client.post(
        reverse("admin:accounts_user_change", args=[users.bob.pk]),
        {
            "username": "bob",
            "role": Role.COUNTY_FUPIN,
            "area": luoping.pk,
            "is_active": "on",
            "date_joined_0": "2012-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 200
    assert "area" in response.context["adminform"].form.errors
    users.bob.refresh_from_db()
    assert users.bob.area == county_tree.fazai


def test_audit_events_and_import_jobs_have_read_only_admin_pages(client, users, county_tree):
    from accounts import audit
    from households.models import ImportJob

    event = audit.record(
        event_type="area_renamed",
        actor=users.admin,
        obj=county_tree.dazhai,
        area_code=county_tree.dazhai.code,
    )
    job = ImportJob.objects.create(user=users.fupin, original_name="花名册.xlsx")
    client.force_login(users.admin)
    assert client.get(reverse("admin:accounts_auditevent_change", args=[event.pk])).status_code == 200
    assert client.get(reverse("admin:households_importjob_change", args=[job.pk])).status_code == 200
    assert (
        client.post(reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )


def test_django_axes_admin_speaks_chinese(client, users):
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username="alice",
        ip_address="10.0.0.1",
        user_agent="x",
        path_info="/login/",
        http_accept="*/*",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    client.force_login(users.admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert "登录保护" in index and "登录失败记录" in index
    listing = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "IP 地址" in listing and "已锁定" in listing and "Access attempt" not in listing


def test_dynamic_management_records_in_the_admin_show_no_health_data_or_numbers(client, users, county_tree):
    """户情变更, warnings and 突发 events are looked up in the admin, read-only; the new 身份证号 of a change and
    the illness behind a warning stay on the pages of the roles that work with them."""
    import datetime

    from django.utils import timezone

    from households.changes.models import ChangeRequest
    from monitoring.models import HardshipEvent, Warning
    from tests.factories import HouseholdFactory, id_number_for

    household = HouseholdFactory(group=county_tree.dazhai)
    number = id_number_for(4321)
    change = ChangeRequest.objects.create(
        household=household, kind="correct_identity", new_id_number=number, filed_by=users.alice
    )
    warning = Warning.objects.create(
        household=household,
        trigger="serious_illness",
        cause_key="member:1",
        area_code=county_tree.dazhai.code,
        reason="成员张三患有尿毒症",
        raised_at=timezone.now(),
    )
    event = HardshipEvent.objects.create(
        household=household,
        kind="因病",
        occurred_on=datetime.date(2015, 3, 1),
        amount=12000,
        description="户主突发脑溢血住院",
        recorded_by=users.alice,
    )
    client.force_login(users.admin)
    pages = {
        reverse("admin:households_changerequest_change", args=[change.pk]): number,
        reverse("admin:monitoring_warning_change", args=[warning.pk]): "尿毒症",
        reverse("admin:monitoring_hardshipevent_change", args=[event.pk]): "脑溢血",
    }
    for url, secret in pages.items():
        response = client.get(url)
        assert response.status_code == 200 and secret not in response.content.decode(), url
    assert "尿毒症" not in client.get(reverse("admin:monitoring_warning_changelist")).content.decode()
