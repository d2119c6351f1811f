"""Two-factor sign-in through the real pages: enrolment, the code, recovery codes, opting in, the admin's reset."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import AuditEvent
from tests.auth import VerifiedClient, enrolled_device, fresh_code
from tests.factories import PASSWORD


def sign_in_with_password(client: Client, username: str, next_url: str = ""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def events(event_type: str):
    return AuditEvent.objects.filter(event_type=event_type)


@pytest.fixture
def plain_client():
    """A client without the test shortcut: it signs in only through the pages."""
    return Client()


def test_county_official_without_a_device_is_sent_to_enrolment_and_sees_nothing_else(plain_client, users):
    response = sign_in_with_password(plain_client, "fupin")
    assert response.status_code == 302
    home = plain_client.get(reverse("home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("two_factor_setup"))
    for path in (reverse("households:list"), reverse("identification:index"), reverse("reports:list")):
        assert plain_client.get(path)["Location"].startswith(reverse("two_factor_setup")), path
    setup = plain_client.get(reverse("two_factor_setup")).content.decode()
    assert "<svg" in setup and "启用两步验证" in setup
    assert TOTPDevice.objects.filter(user=users.fupin, confirmed=False).count() == 1


def test_enrolment_with_a_wrong_code_is_refused_then_the_right_code_gives_ten_recovery_codes(
    plain_client, users
):
    sign_in_with_password(plain_client, "fupin")
    plain_client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=users.fupin)

    wrong = plain_client.post(
        reverse("two_factor_setup"), {"token": "000000" if fresh_code(device) != "000000" else "111111"}
    )
    assert "验证码不正确或已过期" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    done = plain_client.post(reverse("two_factor_setup"), {"token": fresh_code(device)})
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10
    assert sorted(
        StaticToken.objects.filter(device__user=users.fupin).values_list("token", flat=True)
    ) == sorted(codes)
    assert plain_client.get(reverse("home")).status_code == 200
    enrolled = events("two_factor.enrolled").get()
    assert (enrolled.actor, enrolled.object_id) == (users.fupin, users.fupin.pk)


def test_enrolled_county_official_needs_the_code_and_is_taken_where_they_were_going(plain_client, users):
    device = enrolled_device(users.minzheng)
    response = sign_in_with_password(plain_client, "minzheng", next_url=reverse("households:list"))
    verify = plain_client.get(response["Location"], follow=True)
    assert verify.redirect_chain[-1][0].startswith(reverse("two_factor_verify"))
    assert "两步验证" in verify.content.decode()

    refused = plain_client.post(reverse("two_factor_verify"), {"token": "12345"})
    assert "6 位数字" in refused.content.decode()
    failed = plain_client.post(
        reverse("two_factor_verify"), {"token": "999999" if fresh_code(device) != "999999" else "888888"}
    )
    assert "验证码不正确" in failed.content.decode()
    assert plain_client.get(reverse("home")).status_code == 302

    ok = plain_client.post(
        reverse("two_factor_verify"), {"token": fresh_code(device), "next": reverse("households:list")}
    )
    assert ok["Location"] == reverse("households:list")
    assert plain_client.get(reverse("households:list")).status_code == 200
    assert events("login.second_factor_failed").filter(actor=users.minzheng).count() == 1
    success = events("login.second_factor_succeeded").get(actor=users.minzheng)
    assert success.ip == "127.0.0.1" and success.request_id


def test_verify_refuses_an_outside_next_url(plain_client, users):
    device = enrolled_device(users.minzheng)
    sign_in_with_password(plain_client, "minzheng")
    ok = plain_client.post(
        reverse("two_factor_verify"), {"token": fresh_code(device), "next": "https://evil.example/"}
    )
    assert ok["Location"] == "/"


def test_a_recovery_code_signs_in_once(plain_client, users):
    device = two_factor.pending_totp(user=users.fupin)
    codes = two_factor.confirm_totp(user=users.fupin, device=device, token=fresh_code(device))
    sign_in_with_password(plain_client, "fupin")
    used = plain_client.post(reverse("two_factor_verify"), {"token": codes[0].upper()}, follow=True)
    assert "恢复码,它已作废" in used.content.decode()
    assert StaticToken.objects.filter(device__user=users.fupin).count() == 9

    again = Client()
    sign_in_with_password(again, "fupin")
    refused = again.post(reverse("two_factor_verify"), {"token": codes[0]})
    assert "验证码不正确" in refused.content.decode()


def test_regenerating_recovery_codes_voids_the_old_ones(client, users):
    client.force_login(users.fupin)
    first = client.post(reverse("recovery_codes")).content.decode()
    old = set(re.findall(r"<li>([a-z2-7]{8})</li>", first))
    second = client.post(reverse("recovery_codes")).content.decode()
    new = set(re.findall(r"<li>([a-z2-7]{8})</li>", second))
    assert len(old) == len(new) == 10 and not old & new
    assert set(StaticToken.objects.filter(device__user=users.fupin).values_list("token", flat=True)) == new
    assert events("two_factor.recovery_codes_regenerated").count() == 2


def test_village_cadre_signs_in_with_the_password_and_may_opt_in_and_out(plain_client, users):
    assert sign_in_with_password(plain_client, "alice")["Location"] == "/"
    assert plain_client.get(reverse("home")).status_code == 200
    assert "未启用" in plain_client.get(reverse("security")).content.decode()

    plain_client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=users.alice)
    plain_client.post(reverse("two_factor_setup"), {"token": fresh_code(device)})
    assert two_factor.requires_second_factor(users.alice)

    later = Client()
    sign_in_with_password(later, "alice")
    assert later.get(reverse("home"))["Location"].startswith(reverse("two_factor_verify"))

    plain_client.post(reverse("two_factor_disable"))
    assert not TOTPDevice.objects.filter(user=users.alice).exists()
    assert not StaticDevice.objects.filter(user=users.alice).exists()
    assert events("two_factor.disabled").filter(actor=users.alice).count() == 1


def test_county_official_cannot_turn_the_second_factor_off(client, users):
    client.force_login(users.fupin)
    response = client.post(reverse("two_factor_disable"), follow=True)
    assert "必须使用两步验证" in response.content.decode()
    assert TOTPDevice.objects.filter(user=users.fupin, confirmed=True).exists()


def test_admin_resets_a_lost_phone_and_the_user_enrols_again(client, users):
    enrolled_device(users.fupin)
    client.force_login(users.admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [users.fupin.pk]},
        follow=True,
    )
    assert "已重置 1 个账号的两步验证" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=users.fupin).exists()
    reset = events("two_factor.reset").get()
    assert (reset.actor, reset.object_id) == (users.admin, users.fupin.pk)

    fresh = Client()
    sign_in_with_password(fresh, "fupin")
    assert fresh.get(reverse("home"))["Location"].startswith(reverse("two_factor_setup"))


def test_the_admin_needs_the_second_factor_and_has_no_login_page_of_its_own(plain_client, users):
    enrolled_device(users.admin)
    assert plain_client.get("/admin/login/?next=/admin/")["Location"] == "/login/?next=/admin/"
    sign_in_with_password(plain_client, "root")
    assert plain_client.get("/admin/")["Location"].startswith(reverse("two_factor_verify"))
    # Verified, the admin opens; the device secrets are not browsable there.
    verified = VerifiedClient()
    verified.force_login(users.admin)
    assert verified.get("/admin/").status_code == 200
    assert verified.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_an_htmx_request_of_an_unverified_session_reloads_the_whole_page(plain_client, users):
    enrolled_device(users.fupin)
    sign_in_with_password(plain_client, "fupin")
    response = plain_client.get(reverse("households:list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("two_factor_verify"))


def test_demo_otp_reads_only_demo_devices(users):
    demo = two_factor.enrol_demo_device(user=users.fupin)
    out = StringIO()
    call_command("demo_otp", "fupin", stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == two_factor.current_code(demo)
    enrolled_device(users.minzheng)  # a real phone
    with pytest.raises(CommandError, match="演示"):
        call_command("demo_otp", "minzheng", stdout=StringIO(), stderr=StringIO())
