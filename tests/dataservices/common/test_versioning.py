"""ETags and If-Match: a version's ETag, and a change refused unless it names the current version."""

from __future__ import annotations

import pytest

from dataservices.common.problems import PreconditionFailed
from dataservices.common.versioning import changed_meanwhile, check_if_match, etag


def test_the_etag_of_a_version_is_strong_and_quoted() -> None:
    assert etag(7) == '"7"'


@pytest.mark.parametrize("if_match", ['"7"', ' "7" '])
def test_the_current_version_passes(if_match: str) -> None:
    check_if_match(if_match, 7, "coupon")


@pytest.mark.parametrize("if_match", ['"6"', '"8"', 'W/"7"', "7"])
def test_any_other_value_is_a_412_that_names_the_current_version(if_match: str) -> None:
    with pytest.raises(PreconditionFailed) as raised:
        check_if_match(if_match, 7, "coupon")
    assert raised.value.status == 412
    assert '"7"' in raised.value.detail


def test_a_change_that_lost_a_race_is_a_412_too() -> None:
    problem = changed_meanwhile("coupon", '"3"')
    assert problem.status == 412
    assert '"3"' in problem.detail
