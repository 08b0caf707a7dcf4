"""Shared test helpers: paths, and small templates and vendors built from plain dicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scorecard.model import Template, Vendor

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SOURCE = {"title": "Test source", "publisher": "Tests", "kind": "vendor", "date": "2026-01-01"}


def leaf(id: str, measure: dict[str, Any], weight: float = 1.0) -> dict[str, Any]:
    return {"id": id, "name": id.title(), "weight": weight, "measure": measure}


def rating(low: int = 0, high: int = 4) -> dict[str, Any]:
    return {
        "type": "rating",
        "scale": [low, high],
        "rubric": {k: f"level {k}" for k in range(low, high + 1)},
    }


def linear(worst: float, best: float, unit: str = "s") -> dict[str, Any]:
    direction = "higher" if best > worst else "lower"
    return {
        "type": "number",
        "unit": unit,
        "direction": direction,
        "value_function": {"type": "linear", "worst": worst, "best": best},
    }


def template(*criteria: dict[str, Any], **extra: Any) -> Template:
    return Template.model_validate(
        {"id": "t", "name": "Test", "version": "1", "criteria": list(criteria), **extra}
    )


def claim(value: Any, confidence: str = "confirmed", **extra: Any) -> dict[str, Any]:
    if confidence == "unknown":
        return {"confidence": "unknown", "note": "not known", **extra}
    return {"value": value, "confidence": confidence, "sources": [SOURCE], **extra}


def vendor(id: str, status: str = "available", **claims: dict[str, Any]) -> Vendor:
    return Vendor.model_validate(
        {"id": id, "name": id.title(), "company": f"{id} Inc.", "status": status, "claims": claims}
    )


@pytest.fixture
def shipped_template_path() -> Path:
    return ROOT / "criteria" / "ai-video-enterprise.yaml"
