"""Bilingual labels: every name a user reads exists in Vietnamese and in English."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Label:
    vi: str
    en: str

    def get(self, locale: str) -> str:
        return self.en if locale.startswith("en") else self.vi
