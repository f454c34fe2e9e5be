"""Exemplary models (điển hình tiên tiến, mô hình hay) as the public page reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class PublicModel:
    """An accepted model: whose it is, what it does, what it brought and where it spread."""

    id: int
    year: int | None
    unit: str
    cluster: str
    data: dict[str, Any]
    adopting: tuple[str, ...] = field(default=())  # the units that adopted it, by name

    def text(self, key: str) -> str:
        model = self.data.get("model")
        return str(model.get(key) or "") if isinstance(model, dict) else ""

    @property
    def sector(self) -> bool:
        """Whether it was proposed to the whole sector."""
        return any(s.get("sector") for s in self.data.get("spreadings") or []
                   if isinstance(s, dict))
