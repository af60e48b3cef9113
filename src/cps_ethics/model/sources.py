"""The sources the course carries itself (content/sources.yaml): every citation in the content names one.

Each entry has an id, a title, a publisher, a URL, what it supports and a status tag: `verified` (read in
the source itself), `secondary` (a prep site, blog or other secondary page) or `flagged` (sources disagree or
it may be out of date; `disagreement` says how, and the course teaches the safe practice). Readings, items,
scenarios, principles and the study site's facts cite entries by id. `problems()` is what `cps-course
validate` fails on; `uncited()` is what it lists.
"""

from __future__ import annotations

import re
from pathlib import Path

from .markdown import problems as markdown_problems

SOURCES_FILE = "sources.yaml"
ID = re.compile(r"^[a-z][a-z0-9_]*$")
STATUSES = ("verified", "secondary", "flagged")
FIELDS = ("id", "title", "publisher", "url", "supports", "status")


def citations(data, where: str = "") -> list[tuple[str, str]]:
    """(where, cited id) for every `sources:` list anywhere in a content file's data."""
    out: list[tuple[str, str]] = []
    if isinstance(data, dict):
        here = f"{where} > {data['id']}" if isinstance(data.get("id"), str) else where
        for k, v in data.items():
            if k == "sources" and isinstance(v, list):
                out += [(here or "file", s) for s in v]
            else:
                out += citations(v, here if isinstance(v, dict) else f"{here} > {k}".lstrip(" >"))
    elif isinstance(data, list):
        for v in data:
            out += citations(v, where)
    return out


def entry_problems(data, file: Path) -> list[str]:
    """What is wrong with the sources file itself (fields, ids, status tags, duplicates)."""
    if not isinstance(data, dict) or data.get("schema_version") != 1 or not isinstance(data.get("sources"), list):
        return [f"{file}: needs `schema_version: 1` and a `sources:` list"]
    out, seen_ids, seen_urls = [], set(), set()
    for n, e in enumerate(data["sources"], 1):
        where = f"{file}: source {n}" + (f" '{e['id']}'" if isinstance(e, dict) and "id" in e else "")
        if not isinstance(e, dict):
            out.append(f"{where}: must be a mapping with {', '.join(FIELDS)}")
            continue
        out += [f"{where}: '{k}' is missing or empty" for k in FIELDS if not str(e.get(k) or "").strip()]
        out += [f"{where}: unknown field '{k}'" for k in e if k not in (*FIELDS, "disagreement", "note")]
        if e.get("id") and not ID.match(str(e["id"])):
            out.append(f"{where}: id must be lower-case letters, digits and _")
        if e.get("status") not in STATUSES:
            out.append(f"{where}: status must be one of {', '.join(STATUSES)} (got {e.get('status')!r})")
        if e.get("status") == "flagged" and not str(e.get("disagreement") or "").strip():
            out.append(f"{where}: a flagged source says what is disputed or dated (`disagreement:`)")
        if e.get("url") and not re.match(r"^https?://\S+$", str(e["url"])):
            out.append(f"{where}: url must start with http:// or https://")
        for key, seen in (("id", seen_ids), ("url", seen_urls)):
            if e.get(key) in seen:
                out.append(f"{where}: {key} {e[key]!r} is listed twice")
            seen.add(e.get(key))
        for field in ("title", "supports", "disagreement"):
            out += [f"{where} ({field}): {w}" for w in markdown_problems(str(e.get(field) or ""), rich=False)]
    return out


def citation_problems(cited: dict[Path, list[tuple[str, str]]], ids: set[str]) -> list[str]:
    """A line for every citation with no entry (a URL cited directly is named with the entry to add)."""
    out = []
    for file, found in cited.items():
        for where, s in found:
            if s not in ids:
                hint = " (cite sources by id: add an entry for this URL to content/sources.yaml)" \
                    if str(s).startswith(("http://", "https://")) else " (no such entry in content/sources.yaml)"
                out.append(f"{file}: {where}: cites '{s}'{hint}")
    return out


def uncited(entries: list[dict], cited: dict[Path, list[tuple[str, str]]]) -> list[str]:
    """Ids of entries nothing in the course cites."""
    used = {s for found in cited.values() for _, s in found}
    return [e["id"] for e in entries if e["id"] not in used]
