"""Area pages: every user sees and changes only their own area, whatever URL they type."""

import pytest
from django.urls import reverse

from villages.models import Area


def detail(area):
    return reverse("villages:area_detail", args=[area.code])


def edit(area):
    return reverse("villages:area_edit", args=[area.code])


def new_group(area):
    return reverse("villages:group_create", args=[area.code])


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_anonymous_user_is_sent_to_login(client, county_tree):
    response = client.get(detail(county_tree.shanlong))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_village_cadre_opens_own_village_with_its_groups(as_user, users, county_tree):
    response = as_user(users.alice).get(detail(county_tree.shanlong))
    assert response.status_code == 200
    content = response.content.decode()
    assert "山龙村" in content and "大寨组" in content and "小寨组" in content


def test_area_list_goes_to_the_users_own_area(as_user, users, county_tree):
    response = as_user(users.alice).get(reverse("villages:area_list"))
    assert response.status_code == 302
    assert response.url == detail(county_tree.shanlong)


@pytest.mark.parametrize("url", [detail, edit, new_group])
def test_village_cadre_cannot_reach_another_village_by_any_url(as_user, users, county_tree, url):
    client = as_user(users.alice)
    for area in (
        county_tree.fazai,
        county_tree.xincun,
        county_tree.yuzhu,
        county_tree.danfeng,
        county_tree.county,
    ):
        assert client.get(url(area)).status_code == 404, area
        assert client.post(url(area), {"name": "改名"}).status_code == 404, area
    assert Area.objects.get(pk=county_tree.fazai.pk).name == "法杂村"
    assert not Area.objects.filter(parent=county_tree.fazai, name="改名").exists()


def test_village_cadre_search_finds_nothing_outside_the_village(as_user, users, county_tree):
    response = as_user(users.alice).get(reverse("villages:area_list"), {"q": "村"})
    names = [a.name for a in response.context["results"]]
    assert names == ["山龙村"]
    response = as_user(users.alice).get(reverse("villages:area_list"), {"q": "5303231022"})
    assert list(response.context["results"]) == []


def test_township_official_sees_every_village_of_the_township_and_none_outside(as_user, users, county_tree):
    client = as_user(users.carol)
    response = client.get(detail(county_tree.danfeng))
    assert [a.name for a in response.context["children"]] == ["山龙村", "法杂村"]
    for area in (county_tree.shanlong, county_tree.fazai, county_tree.dazhai, county_tree.xincun):
        assert client.get(detail(area)).status_code == 200
    for area in (county_tree.xiongbi, county_tree.yuzhu, county_tree.potou, county_tree.county):
        assert client.get(detail(area)).status_code == 404
    response = client.get(reverse("villages:area_list"), {"q": "村"})
    assert {a.name for a in response.context["results"]} == {"山龙村", "法杂村", "新村组"}  # not 雨柱村


def test_county_user_sees_the_whole_county(as_user, users, county_tree):
    client = as_user(users.fupin)
    response = client.get(detail(county_tree.county))
    assert [a.name for a in response.context["children"]] == ["丹凤镇", "雄壁镇"]
    assert client.get(detail(county_tree.potou)).status_code == 200


def test_village_cadre_adds_a_group_with_the_next_code(as_user, users, county_tree):
    response = as_user(users.alice).post(new_group(county_tree.shanlong), {"name": "新屋组"})
    assert response.status_code == 302
    group = Area.objects.get(name="新屋组")
    assert group.code == "530323101201003"
    assert group.parent == county_tree.shanlong and group.level == Area.Level.GROUP


def test_duplicate_group_name_is_refused_in_chinese_and_the_input_kept(as_user, users, county_tree):
    response = as_user(users.alice).post(new_group(county_tree.shanlong), {"name": "大寨组"})
    assert response.status_code == 200
    assert "已有名为“大寨组”的村民小组" in response.content.decode()
    assert response.context["form"]["name"].value() == "大寨组"
    assert county_tree.shanlong.children.count() == 2


def test_village_cadre_renames_own_group(as_user, users, county_tree):
    response = as_user(users.alice).post(edit(county_tree.dazhai), {"name": "大寨一组"})
    assert response.status_code == 302
    assert Area.objects.get(pk=county_tree.dazhai.pk).name == "大寨一组"


def test_village_cadre_cannot_rename_the_official_village(as_user, users, county_tree):
    client = as_user(users.alice)
    assert client.get(edit(county_tree.shanlong)).status_code == 403
    assert client.post(edit(county_tree.shanlong), {"name": "改名"}).status_code == 403
    assert Area.objects.get(pk=county_tree.shanlong.pk).name == "山龙村"


def test_county_fupin_sets_township_indicators(as_user, users, county_tree):
    data = {
        "name": "丹凤镇",
        "rural_population": "118696",
        "low_income_population": "10507",
        "dibao_population": "3737",
        "disabled_population": "1981",
    }
    response = as_user(users.fupin).post(edit(county_tree.danfeng), data)
    assert response.status_code == 302
    danfeng = Area.objects.get(pk=county_tree.danfeng.pk)
    assert (danfeng.low_income_population, danfeng.dibao_population, danfeng.disabled_population) == (
        10507,
        3737,
        1981,
    )


def test_township_official_cannot_change_own_township_indicators(as_user, users, county_tree):
    response = as_user(users.carol).post(
        edit(county_tree.danfeng), {"name": "丹凤镇", "rural_population": "1"}
    )
    assert response.status_code == 403
    assert Area.objects.get(pk=county_tree.danfeng.pk).rural_population == 118696


def test_bad_indicator_keeps_the_input_and_says_why(as_user, users, county_tree):
    response = as_user(users.fupin).post(
        edit(county_tree.danfeng), {"name": "丹凤镇", "rural_population": "十万"}
    )
    assert response.status_code == 200
    assert response.context["form"]["rural_population"].value() == "十万"
    assert "输入整数" in response.content.decode()


def test_renaming_an_area_is_audited(users, county_tree):
    from accounts.audit import events_for
    from villages import services

    services.area_update(area=county_tree.shanlong, actor=users.admin, changes={"name": "山龙社区"})
    event = events_for(county_tree.shanlong).get(event_type="area_renamed")
    assert event.actor == users.admin
    assert event.old == {"name": "山龙村"} and event.new == {"name": "山龙社区"}
