"""What changed between two criteria templates: criteria added, removed, re-weighted or redefined;
gates and profiles added, removed or changed; policies changed. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scorecard.model import Criterion, Template


@dataclass(frozen=True)
class Change:
    kind: str  # added, removed, reweighted, rubric, measure, renamed, moved, changed
    what: str  # criterion, gate, profile, condition, policies
    id: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind:<10} {self.what} {self.id}: {self.detail}"


def _parents(template: Template) -> dict[str, tuple[Criterion, str | None]]:
    out: dict[str, tuple[Criterion, str | None]] = {}

    def visit(nodes: tuple[Criterion, ...], parent: str | None) -> None:
        for node in nodes:
            out[node.id] = (node, parent)
            visit(node.criteria, node.id)

    visit(template.criteria, None)
    return out


def _dump(value: Any) -> Any:
    return value.model_dump() if hasattr(value, "model_dump") else value


def diff_templates(old: Template, new: Template) -> list[Change]:
    """Every difference that changes what the template measures or how it weighs it."""
    changes: list[Change] = []
    before, after = _parents(old), _parents(new)
    for key, (node, parent) in after.items():
        if key not in before:
            where = f" under {parent}" if parent else " at the top"
            changes.append(
                Change("added", "criterion", key, f"{node.name}{where}, weight {node.weight:g}")
            )
            continue
        was, was_parent = before[key]
        if was_parent != parent:
            changes.append(
                Change(
                    "moved",
                    "criterion",
                    key,
                    f"from {was_parent or 'the top'} to {parent or 'the top'}",
                )
            )
        if was.weight != node.weight:
            changes.append(
                Change("reweighted", "criterion", key, f"{was.weight:g} -> {node.weight:g}")
            )
        if was.name != node.name:
            changes.append(Change("renamed", "criterion", key, f"{was.name!r} -> {node.name!r}"))
        old_m, new_m = _dump(was.measure), _dump(node.measure)
        if old_m != new_m:
            old_r = (old_m or {}).pop("rubric", None)
            new_r = (new_m or {}).pop("rubric", None)
            if old_r != new_r:
                levels = sorted(
                    {*(old_r or {}), *(new_r or {})}
                    - {k for k in (old_r or {}) if (new_r or {}).get(k) == old_r[k]}
                )
                changes.append(
                    Change("rubric", "criterion", key, f"level(s) {levels} reworded or added")
                )
            if old_m != new_m:
                changes.append(Change("measure", "criterion", key, f"{old_m} -> {new_m}"))
    for key, (node, _) in before.items():
        if key not in after:
            changes.append(Change("removed", "criterion", key, node.name))
    changes += _diff_named("gate", {g.id: g for g in old.gates}, {g.id: g for g in new.gates})
    changes += _diff_named("profile", old.profiles, new.profiles)
    changes += _diff_named("condition", old.conditions, new.conditions)
    was, now = _flat(old.policies.model_dump()), _flat(new.policies.model_dump())
    changes += [
        Change("changed", "policies", key, f"{was[key]} -> {now[key]}")
        for key in now
        if was.get(key) != now[key]
    ]
    return changes


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def _diff_named(what: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    out = []
    for key, value in new.items():
        if key not in old:
            out.append(Change("added", what, key, value.name))
        elif old[key] != value:
            fields = [
                f for f in type(value).model_fields if getattr(old[key], f) != getattr(value, f)
            ]
            detail = "; ".join(
                f"{f}: {_dump(getattr(old[key], f))} -> {_dump(getattr(value, f))}" for f in fields
            )
            out.append(Change("changed", what, key, detail))
    out += [
        Change("removed", what, key, value.name) for key, value in old.items() if key not in new
    ]
    return out
