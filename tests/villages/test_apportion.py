import pytest

from villages.apportion import apportion


def test_shares_add_up_exactly_and_follow_the_weights():
    shares = apportion(112800, [118696, 54862, 38536, 41794, 51050, 31213, 36046, 28100])
    assert sum(shares) == 112800
    assert shares[0] > shares[1] > shares[-1]


def test_largest_remainders_get_the_leftover_units_ties_to_the_first():
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert apportion(7, [0.5, 0.3, 0.2]) == [4, 2, 1]


def test_zero_weights():
    assert apportion(0, [0, 0]) == [0, 0]
    with pytest.raises(ValueError):
        apportion(5, [0, 0])
