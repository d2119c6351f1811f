from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD


def test_login_page_is_in_chinese(client, db):
    content = client.get(reverse("login")).content.decode()
    assert "登录" in content and "用户名" in content and "密码" in content
    assert 'lang="zh-Hans"' in content


def test_village_cadre_logs_in_to_a_home_page_naming_the_village_and_logs_out(client, users):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, follow=True)
    content = response.content.decode()
    assert "山龙村" in content and "村级录入员" in content and "大寨组" in content
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_refused_in_chinese_keeping_the_username(client, users):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "请输入一个正确的" in content
    assert 'value="alice"' in content


def test_repeated_failures_lock_the_username_from_that_address_only(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429
    assert "账号已暂时锁定" in locked.content.decode()
    # bob works in the same township office, behind the same address: he is not locked out.
    response = client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302


def test_sessions_expire_and_csrf_is_enforced(users):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


def test_login_form_requires_the_csrf_token(users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403


def test_navigation_follows_the_role(client, users):
    client.force_login(users.alice)
    assert "系统管理" not in client.get(reverse("home")).content.decode()
    client.force_login(users.admin)
    assert "系统管理" in client.get(reverse("home")).content.decode()
