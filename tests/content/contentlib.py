"""Helpers for the content tests: the trainee-facing text of a module and the hard-content words."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HARD_WORDS = re.compile(r"\b(suicid\w*|abus\w*|restrain\w*|violen\w*)", re.IGNORECASE)


def item_text(it: dict) -> list[str]:
    parts = [it["prompt"]]
    for seq in ("options", "choices", "pairs", "steps"):
        for x in it.get(seq, []):
            parts.append(x["text"])
            if "feedback" in x:
                parts.append(x["feedback"])
    return parts


def scenario_text(sc: dict) -> list[str]:
    parts = [sc["title"]]
    for n in sc["nodes"]:
        parts += [n["situation"], n.get("question", "")]
        for o in n.get("options", []):
            parts += [o["text"], o["feedback"]]
    return parts


def entry_text(module, ref: str) -> list[str]:
    """The trainee-facing text of one layout entry (reading:x, item:x, scenario:x, reflection:x)."""
    kind, _, rid = ref.partition(":")
    if kind == "reading":
        r = next(x for x in module.readings() if x["id"] == rid)
        return [r["title"], r["text"]]
    if kind == "item":
        return item_text(next(x for x in module.items() if x["id"] == rid))
    if kind == "scenario":
        return scenario_text(next(x for x in module.scenarios() if x["id"] == rid))
    if kind == "reflection":
        return [next(x for x in module.reflections() if x["id"] == rid)["prompt"]]
    return []


def trainee_text(module) -> str:
    """All trainee-facing prose of a module: readings, prompts, options, feedback, situations, reflections."""
    parts = []
    for ref in module.data["layout"]:
        parts += entry_text(module, ref)
    # Parallel variants are not in the layout; a trainee may see any of them.
    parts += [t for x in module.items() if "slot" in x for t in item_text(x)]
    parts += [t for x in module.scenarios() if "slot" in x for t in scenario_text(x)]
    # Each piece becomes its own sentence, so option labels without a full stop are not run together.
    return "\n".join(p.strip().rstrip(".!?:") + "." for p in parts if p and p.strip())
