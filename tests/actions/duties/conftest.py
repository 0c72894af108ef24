"""Dana and Lee, who decide in the organisation: in the duties tests Dana is away and Lee
stands in for her."""

import pytest

from .people import member


@pytest.fixture
def dana(org):
    return member(org, "Dana", "Smith")


@pytest.fixture
def lee(org):
    return member(org, "Lee", "Chan")
