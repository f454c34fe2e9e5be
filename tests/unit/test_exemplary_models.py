"""Exemplary models without I/O: what a model, a proposal to spread it and an adoption must
say, and how a model and a unit's adoption of it are named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from workflow.domain.labels import Label
from workflow.services.naming import Names, item_path, item_title
from workflow.services.rules.exemplary import (
    adoption_refusal,
    clean_model,
    model_refusal,
    spreading_refusal,
)

MODEL = {"name": "Một cửa liên thông", "field": "Cải cách hành chính",
         "description": "Tiếp nhận trực tuyến", "results": "Giảm 40% thời gian", "people": ""}
NAMES = Names({1: "Bộ Công an", 2: "Bộ Quốc phòng"}, {7: "Khối Nội chính"})


@dataclass
class Item:
    workflow: str
    unit_id: int | None = 1
    cluster_id: int | None = 7
    year: int | None = 2025
    data: Mapping[str, Any] = field(default_factory=dict)
    id: int = 21


def code(refusal: Any) -> str | None:
    return refusal.code if refusal is not None else None


@pytest.mark.parametrize(("key", "expected"), [
    ("name", "model_name_missing"), ("field", "model_field_missing"),
    ("description", "model_description_missing"), ("results", "model_results_missing")])
def test_a_model_needs_each_of_its_texts(key: str, expected: str) -> None:
    assert code(model_refusal({**MODEL, key: "  "})) == expected


def test_a_whole_model_passes_and_is_kept_trimmed() -> None:
    assert model_refusal(MODEL) is None
    assert code(model_refusal({**MODEL, "results": "x" * 5001})) == "model_text_too_long"
    assert code(model_refusal(["not", "a", "model"])) == "model_invalid"
    assert clean_model({**MODEL, "name": "  Một cửa  "})["name"] == "Một cửa"


def test_a_model_is_spread_to_other_members_not_yet_asked() -> None:
    members, asked = {1, 2, 3}, {3}

    def check(**spreading: Any) -> str | None:
        body = {"units": [], "clusters": [], "sector": False, "note": "", **spreading}
        return code(spreading_refusal(body, members, 1, asked, 7))

    assert check() == "model_spreading_empty"
    assert check(units=[2]) is None
    assert check(sector=True) is None
    assert check(units=[1]) == "model_spreading_unit_taken"  # its own unit
    assert check(units=[3]) == "model_spreading_unit_taken"  # asked already
    assert check(units=[9]) == "model_spreading_invalid"  # not a member
    assert check(clusters=[7]) == "model_spreading_cluster_invalid"
    assert check(clusters=[8]) is None


def test_an_adoption_has_a_date_not_after_today_and_says_how() -> None:
    today = dt.date(2025, 8, 20)
    assert adoption_refusal({"date": "2025-08-15", "how": "Ban hành kế hoạch"}, today) is None
    assert code(adoption_refusal({"date": "2025-09-01", "how": "x"}, today)) == \
        "adoption_date_invalid"
    assert code(adoption_refusal({"date": "15/08/2025", "how": "x"}, today)) == \
        "adoption_date_invalid"
    assert code(adoption_refusal({"date": "2025-08-15", "how": " "}, today)) == \
        "adoption_how_missing"


def test_a_model_and_its_adoption_are_named_by_the_models_name() -> None:
    title = Label("Điển hình tiên tiến, mô hình hay", "Exemplary model")
    model = Item("exemplary_model", data={"model": MODEL})
    assert item_title(title, model, NAMES) == "Điển hình “Một cửa liên thông” 2025 – Bộ Công an"
    assert item_title(title, model, NAMES, "en") == \
        "Exemplary model “Một cửa liên thông” 2025 – Bộ Công an"
    assert item_title(title, Item("exemplary_model"), NAMES) == \
        "Điển hình tiên tiến, mô hình hay 2025 – Bộ Công an"  # a draft without its name yet
    adoption = Item("model_adoption", 2, data={"proposal": {"model": "Một cửa liên thông"}})
    assert item_title(Label("Áp dụng", "Adoption"), adoption, NAMES) == \
        "Áp dụng mô hình “Một cửa liên thông” 2025 – Bộ Quốc phòng"
    assert item_path("exemplary_model", 5) == "/models/5"
    assert item_path("model_adoption", 6) == "/adoptions/6"
