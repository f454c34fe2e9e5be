"""Password strength: what a guesser tries first is refused, with a code the pages put in words."""

from __future__ import annotations

import pytest

from workflow.domain.passwords import weakness


@pytest.mark.parametrize(("password", "code"), [
    ("1234567", "too_short"),
    ("        ", "only_spaces"),
    ("aaaaaaaaaa", "too_few_characters"),
    ("12121212", "too_few_characters"),
    ("abcdabcd", "too_few_characters"),
    ("password1", "common"),
    ("Matkhau@123", "common"),
    ("anhyeuem", "common"),
    ("12345678", "sequence"),
    ("87654321", "sequence"),
    ("qwertyuiop", "sequence"),
    ("ABCDEFGHIJ", "sequence"),
    ("btp_head-2026", "has_username"),
])
def test_weak_passwords_are_refused_with_their_reason(password: str, code: str) -> None:
    found = weakness(password, "btp_head")

    assert found is not None
    assert found.code == code


@pytest.mark.parametrize("password", ["mat-khau-thu", "Đoàn kết 2025!", "ngựa ô lên dốc"])
def test_passwords_people_would_not_guess_are_kept(password: str) -> None:
    assert weakness(password, "btp_head") is None


def test_too_short_says_how_long_it_must_be() -> None:
    found = weakness("abc", "x")

    assert found is not None
    assert found.params == {"min": 8}


def test_the_product_hashes_passwords_with_scrypt_at_its_full_cost() -> None:
    import inspect

    from workflow.services import people

    # the test session lowers the cost for speed (tests/conftest.py); the code's own is scrypt's
    source = inspect.getsource(people)
    assert 'PASSWORD_HASH = "scrypt"\n' in source
