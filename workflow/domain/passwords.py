"""How strong a password must be: long enough, not only spaces, not one of the passwords every
guesser tries first, not a run of the keyboard or the alphabet, not the username."""

from __future__ import annotations

from dataclasses import dataclass, field

MIN_LENGTH = 8
MIN_DISTINCT = 5  # "aaaaaaaa", "12121212" and "abcdabcd" are guessed at once

# The passwords that lead every published list of leaked passwords, in English and Vietnamese,
# and the words people build them from; compared after lower-casing.
COMMON = frozenset("""
password password1 password12 password123 passw0rd p@ssw0rd p@ssword passwort motdepasse
iloveyou iloveyou1 iloveyou2 trustno1 sunshine princess football baseball superman batman
dragon monkey shadow master michael jennifer charlie welcome welcome1 whatever freedom
letmein login admin admin123 administrator root toor changeme default secret qwerty123
abc12345 abcd1234 abc123456 123456789 1234567890 0123456789 11111111 00000000 12344321
1q2w3e4r 1q2w3e4r5t zaq12wsx qazwsxedc 1qaz2wsx 1qazxsw2 football1 starwars computer
internet samsung nokia1234 vietnam vietnam1 vietnam123 vietnam@123 matkhau matkhau1
matkhau123 matkhau@123 anhyeuem anhyeuem1 emyeuanh yeuemnhieu saigon hanoi123 hanoi1234
hochiminh 12345678a a12345678 123456aa aa123456 thidua thidua123 khenthuong thiduakhenthuong
""".split())  # noqa: SIM905 (a list of words reads best as words)
_RUNS = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm",
         "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp")


@dataclass(frozen=True)
class Weakness:
    """Why a password is refused: a code the pages turn into a sentence, and its values."""

    code: str  # too_short | only_spaces | too_few_characters | common | sequence | has_username
    params: dict[str, int] = field(default_factory=dict)


def weakness(password: str, username: str = "") -> Weakness | None:
    """What makes the password too weak to keep, or None when it is strong enough."""
    if len(password) < MIN_LENGTH:
        return Weakness("too_short", {"min": MIN_LENGTH})
    if not password.strip():
        return Weakness("only_spaces")
    if len(set(password)) < MIN_DISTINCT:
        return Weakness("too_few_characters", {"min": MIN_DISTINCT})
    lowered = password.lower()
    if lowered in COMMON or lowered.rstrip("!@#.123") in COMMON:
        return Weakness("common")
    if _is_run(lowered):
        return Weakness("sequence")
    if len(username) >= 3 and username.lower() in lowered:
        return Weakness("has_username")
    return None


def _is_run(text: str) -> bool:
    """The password is a run of one row of the keyboard or of the alphabet, either way, maybe
    repeated ("12345678", "87654321", "qwertyuiop", "abcdabcd")."""
    for run in _RUNS:
        for line in (run * 3, run[::-1] * 3):
            if text in line:
                return True
    return False
