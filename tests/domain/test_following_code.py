"""The id proposed for a new customer follows the newest one's numbering."""

from __future__ import annotations

import pytest

from balance_tui.domain.inputs import following_code


@pytest.mark.parametrize(
    ("code", "following"),
    [
        ("CUSTOMER_00040", "CUSTOMER_00041"),
        ("CUSTOMER_00099", "CUSTOMER_00100"),
        ("C9", "C10"),
        ("AG-7-0099", "AG-7-0100"),
        ("VIP", "VIP_2"),
    ],
)
def test_the_next_id_keeps_the_numbering(code: str, following: str) -> None:
    assert following_code(code) == following
