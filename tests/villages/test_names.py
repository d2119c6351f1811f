import pytest

from villages.names import area_key


@pytest.mark.parametrize(
    ("name", "township", "key"),
    [
        ("山龙村民委员会", False, "山龙"),
        ("山龙村", False, "山龙"),
        ("山龙", False, "山龙"),
        ("大寨组", False, "大寨"),
        ("大寨村民小组", False, "大寨"),
        ("南村组", False, "南"),  # a group whose own name ends in 村
        ("南村", False, "南"),
        ("新村村民委员会", False, "新"),
        ("新村", False, "新"),
        ("丹凤街道办事处", True, "丹凤"),
        ("龙庆彝族壮族乡", True, "龙庆"),
        ("龙庆乡", True, "龙庆"),
        ("高良壮族苗族瑶族乡", True, "高良"),
        ("某某布依族乡", True, "某某"),  # 布依族 whole, not 依族 after 布
        ("彝族乡", True, "彝族"),  # never the whole name
        ("龙庆彝族壮族", False, "龙庆彝族壮族"),  # villages keep ethnic words: they are part of names
    ],
)
def test_area_key(name, township, key):
    assert area_key(name, township=township) == key
