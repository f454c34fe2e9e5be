"""The Vietnamese catalogue: branches append their entries and git merges the file by union
(.gitattributes), so the same message may arrive twice; Babel would keep one silently."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

PO = Path(__file__).parents[2] / "web" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"


def test_each_message_is_translated_once() -> None:
    entries = re.findall(r'^(?:msgctxt "(.*)"\n)?msgid "(.*)"\n(?:msgid_plural .*\n)?',
                         PO.read_text(encoding="utf-8"), re.M)
    twice = [msgid for (context, msgid), n in Counter(entries).items() if n > 1 and msgid]

    assert twice == []
