"""The demo loaders: a 满意 review of each decided demo case, once; an oversight scan."""

import pytest

from tongban.oversight import demo as oversight_demo
from tongban.reviews import demo
from tongban.reviews.models import Review

pytestmark = pytest.mark.django_db


def test_demo_reviews_load_once(approved):
    demo.load()
    demo.load()
    assert list(Review.objects.values_list("case__number", "level")) == [(approved.number, 4)]
    oversight_demo.load()
