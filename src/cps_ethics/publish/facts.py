"""The facts the study site and guide show beside the content: key contacts, reporting table, glossary."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml

from cps_ethics.errors import CourseError

FACTS_FILE = "static/facts.yaml"
PHONE = re.compile(r"\b(?:1-\d{3}-\d{3}-\d{4}|988|911)\b")
ROW_KEYS = ("who", "agency", "how", "written", "note")


@cache
def facts() -> dict:
    """The parsed facts file (shipped with the package), checked for the fields the pages use."""
    data = yaml.safe_load(resources.files("cps_ethics.publish").joinpath(FACTS_FILE).read_text(encoding="utf-8"))
    problems = []
    for n, c in enumerate(data.get("contacts") or [], 1):
        problems += [f"contact {n}: '{k}' is missing" for k in ("name", "how", "when", "sources") if not c.get(k)]
    rows = (data.get("reporting") or {}).get("rows") or []
    for n, r in enumerate(rows, 1):
        problems += [f"reporting row {n}: '{k}' is missing" for k in (*ROW_KEYS, "sources") if not r.get(k)]
    for n, g in enumerate(data.get("glossary") or [], 1):
        problems += [f"glossary entry {n}: '{k}' is missing" for k in ("term", "find", "means", "sources")
                     if not g.get(k)]
    if not data.get("crisis") or not rows or len(data["reporting"].get("columns", [])) != len(ROW_KEYS):
        problems.append("the crisis line, the reporting rows and five reporting columns are needed")
    if problems:
        raise CourseError(f"{FACTS_FILE} in the cps_ethics.publish package is not complete:\n  " + "\n  ".join(problems))
    return data


def glossary() -> list[dict]:
    return sorted(facts()["glossary"], key=lambda g: g["term"].lower())


def phone_numbers() -> set[str]:
    """Every phone number the facts show (a test checks each one is taught in content/)."""
    text = yaml.safe_dump({k: facts()[k] for k in ("crisis", "contacts", "reporting")}, width=10_000)
    return set(PHONE.findall(text))


def facts_citations() -> list[str]:
    """Every source the facts file cites: ids of content/sources.yaml, or a module file that teaches it."""
    data = facts()
    found = [s for c in data.get("contacts", []) for s in c.get("sources", [])]
    found += [s for r in data["reporting"]["rows"] for s in r.get("sources", [])]
    found += [s for g in data.get("glossary", []) for s in g.get("sources", [])]
    return found + list(data.get("sources") or [])


def citation_problems(ids: set[str]) -> list[str]:
    """Citations of the facts file that name neither an entry of content/sources.yaml nor a content file."""
    return sorted({f"'{s}'" for s in facts_citations() if s not in ids and not str(s).startswith("content/")})
