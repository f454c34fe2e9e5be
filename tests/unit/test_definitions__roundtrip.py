"""A loaded spec dumped back to YAML loads as the same spec."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from workflow.bootstrap import default_registry
from workflow.definitions.workflow_loader import dump_yaml, load_paths, load_text, spec_to_dict
from workflow.engine.spec import WorkflowSpec

ROOT = Path(__file__).resolve().parents[2]
SPECS = load_paths([ROOT / "definitions"], default_registry(), base=ROOT)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_a_shipped_spec_survives_dump_and_load(name: str) -> None:
    spec = SPECS[name]

    again = load_text(dump_yaml(spec), spec.source_path, default_registry())

    assert again == spec


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_dump_is_readable_yaml_in_the_file_format(name: str) -> None:
    text = dump_yaml(SPECS[name])

    data = yaml.safe_load(text)
    assert data["name"] == name
    assert all(isinstance(t["source"], list) for t in data["transitions"])
    assert "\\u" not in text  # Vietnamese labels are written as they are


def _with_every_feature() -> WorkflowSpec:
    text = """
name: full
version: 3
title: {vi: Đầy đủ, en: Full}
subject: cluster
initial: draft
description: "Uses: every key."
states:
  - name: draft
    label: {vi: Dự thảo, en: Draft}
    tags: [editable, start]
    deadline: {date: 2025-12-31, remind: [1, 7, 3, 7]}
  - name: waiting
    label: {vi: Chờ, en: Waiting}
    deadline: {days: 10, remind: [2], escalate_to: council_chair, timeout: give_up}
  - {name: done, label: {vi: Xong, en: Done}, final: true}
  - {name: dropped, label: {vi: Bỏ, en: Dropped}, final: true}
transitions:
  - trigger: start
    source: draft
    dest: waiting
    label: {vi: Bắt đầu, en: Start}
    roles: [cluster_leader]
    guards: [not_own_unit, {name: data_equals, params: {field: ready, value: yes}}]
    effects: [{name: note, params: {text: "đã bắt đầu"}}]
    required_fields: [comment]
    required_documents: [plan]
    spawn:
      - {workflow: full_child, per: member_unit}
      - {workflow: full_child, per: item, items_field: topics, item_key: topic}
  - trigger: finish
    source: waiting
    dest: done
    label: {vi: Xong, en: Finish}
    roles: [system]
    join: {workflow: full_child, state: ok, count: 2}
    auto: true
  - trigger: give_up
    source: '*'
    dest: dropped
    label: {vi: Bỏ, en: Give up}
    roles: [system, council_secretariat]
"""
    return load_text(text, "full.yaml", default_registry())


def test_every_optional_feature_survives_dump_and_load() -> None:
    spec = _with_every_feature()

    again = load_text(dump_yaml(spec), "full.yaml", default_registry())

    assert again == spec


def test_the_dict_keeps_dates_as_dates_and_expands_the_star() -> None:
    data = spec_to_dict(_with_every_feature())

    assert data["states"][0]["deadline"] == {"date": dt.date(2025, 12, 31), "remind": [7, 3, 1]}
    assert data["transitions"][2]["source"] == ["draft", "waiting"]
    assert data["transitions"][1]["join"] == {
        "workflow": "full_child",
        "state": ["ok"],
        "count": 2,
    }
    assert "final" not in data["states"][0]
    assert data["transitions"][0]["spawn"][0] == {"workflow": "full_child", "per": "member_unit"}
