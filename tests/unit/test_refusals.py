"""The refusal catalogue: every code has its sentence in both languages, with the same
parameters, and every guard of the product answers with a code, not a sentence of its own."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from workflow.bootstrap import default_registry
from workflow.domain.refusals import CATALOGUE, Named, Ref, Refusal, refs

PO = Path(__file__).resolve().parents[2] / "web/translations/vi/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _vietnamese() -> dict[str, str]:
    with PO.open("rb") as f:
        catalog = read_po(f)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


@pytest.mark.parametrize("code", sorted(c for c in CATALOGUE if c != "other"))
def test_every_refusal_has_a_vietnamese_sentence_with_the_same_parameters(code: str) -> None:
    template = CATALOGUE[code]
    vi = _vietnamese().get(template)
    assert vi, f"no Vietnamese sentence for the refusal {code!r}"
    assert set(PLACEHOLDER.findall(vi)) == set(PLACEHOLDER.findall(template))


def test_every_guard_of_the_product_answers_with_a_catalogue_code() -> None:
    registry = default_registry()
    for name, entry in registry.guards.items():
        returns = entry.func.__annotations__.get("return")
        assert returns == "Refusal | None", f"guard {name} returns {returns}"


def test_the_english_sentence_keeps_codes_for_machines_and_logs() -> None:
    refusal = Refusal("targets_missing", {"count": 2, "criteria": refs("criterion", ["a", "b"])})
    assert refusal.english() == "targets missing for 2 criteria: a, b"
    assert refusal.as_json() == {"code": "targets_missing", "params": {
        "count": 2, "criteria": [{"kind": "criterion", "code": "a"},
                                 {"kind": "criterion", "code": "b"}]}}
    dated = Refusal("appeal_window_closed", {"date": dt.date(2026, 11, 30)})
    assert str(dated) == "the appeal window closed on 2026-11-30"
    named = Refusal("title_documents_missing",
                    {"documents": [Named("to_trinh", "Tờ trình", "Brief")]})
    assert named.english() == "documents missing: to_trinh"
    assert named.as_json()["params"]["documents"][0]["vi"] == "Tờ trình"


def test_an_unknown_code_or_reference_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no sentence"):
        Refusal("no_such_code")
    with pytest.raises(ValueError, match="unknown reference kind"):
        Ref("planet", 3)
