from __future__ import annotations

import random

import pytest

from households.demo import create_demo_households


@pytest.fixture
def registry(county_tree):
    """120 demo households (members, 2011 incomes, cases) spread over the small test county."""
    return create_demo_households(random.Random(7), 120)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the on-commit callbacks (the enqueued tasks, eager here) at the block's end,
    as the real commit of a request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Each test its own media folder, so files are counted without earlier runs' leftovers."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
