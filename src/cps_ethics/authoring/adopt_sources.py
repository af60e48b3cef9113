"""Adopt URL citations as entries of content/sources.yaml and cite them by id (an author's one-step tool).

`python -m cps_ethics.authoring.adopt_sources [--facts FILE.md ...]` finds every `sources:` list in content/
(modules, exam files, principles) and in the study site's facts file that cites a URL, adds an entry for each
URL not yet in content/sources.yaml, and rewrites the citation to the entry's id. A new entry takes its title,
what it supports and its status tag from the fact files given (the line that cites the URL, else the section
heading above it: [VERIFIED] -> verified, [SECONDARY] -> secondary, [FLAG] or [UNVERIFIED] -> flagged). A URL no
fact file cites becomes `flagged`, saying it must be checked before anything is graded on it. Review the new
entries by hand: the tool fills in what the fact files say, not what the page says.
"""

from __future__ import annotations

import argparse
import re
import sys
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse

import yaml

from cps_ethics.course import find_root

URL = re.compile(r"https?://[^\s\]\[)(,;\"'<>]+[^\s\]\[)(,;\"'<>.]")
TAG = re.compile(r"\[(VERIFIED|SECONDARY|FLAG|UNVERIFIED)[^\]]*\]")
STATUS = {"VERIFIED": "verified", "SECONDARY": "secondary", "FLAG": "flagged", "UNVERIFIED": "flagged"}
SOURCES_LIST = re.compile(r"(sources:\s*)(\[[^\]]*\]|(?:\n[ \t]+- [^\n]+)+)")


def _clean(text: str) -> str:
    text = TAG.sub("", URL.sub("", text)).replace("**", "").replace("*", "")
    text = re.sub(r"\bfrom\s*$|^[#\s-]+|\(\s*\)|\s+([.,;:])", r"\1", text.strip())
    return " ".join(text.split()).strip(" .;,:-") or ""


def fact_lines(files: list[Path]) -> dict[str, dict]:
    """{url: {title, supports, status, disagreement?}} from the first fact-file line that cites each URL."""
    out: dict[str, dict] = {}
    for f in files:
        heading, heading_tag = "", None
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                heading, hit = _clean(line), TAG.search(line)
                heading_tag = hit.group(1) if hit else None
            for url in URL.findall(line):
                if url in out:
                    continue
                hit = TAG.search(line)
                tag = hit.group(1) if hit else heading_tag
                said = _clean(line)[:240]
                entry = {"title": (heading or said)[:120], "supports": said or heading,
                         "status": STATUS.get(tag, "secondary"), "fact_file": f.name}
                if entry["status"] == "flagged":
                    entry["disagreement"] = (f"the fact file marks this [{tag}]: " + said)[:300]
                out[url] = entry
    return out


def _id(url: str, taken: set[str]) -> str:
    p = urlparse(url)
    host = p.netloc.lower().removeprefix("www.").split(".")
    name = re.sub(r"[^a-z0-9]+", "_", host[0] if len(host) < 3 else host[-3])
    words = [w for w in re.findall(r"[a-z]+[a-z0-9]*", p.path.lower().replace("%20", " "))
             if len(w) > 2 and w not in ("html", "htm", "php", "aspx", "www", "the", "and", "for")
             and not re.fullmatch(r"[a-f0-9]{8,}", w)]
    base = "_".join([name, *words[-3:]])[:48].strip("_") or "source"
    base = base if base[0].isalpha() else f"s_{base}"
    out, n = base, 2
    while out in taken:
        out, n = f"{base}_{n}", n + 1
    taken.add(out)
    return out


def adopt(root: Path, fact_files: list[Path]) -> tuple[int, int]:
    """Add entries for URL citations and rewrite them to ids; returns (entries added, files rewritten)."""
    sfile = root / "content" / "sources.yaml"
    data = yaml.safe_load(sfile.read_text(encoding="utf-8")) if sfile.exists() else {"schema_version": 1}
    entries = data.get("sources") or []
    by_url = {e["url"]: e["id"] for e in entries}
    taken = {e["id"] for e in entries}
    facts = fact_lines(fact_files)
    files = sorted((root / "content").rglob("*.yaml"))
    files = [f for f in files if f.name != "sources.yaml"]
    files.append(Path(str(resources.files("cps_ethics.publish").joinpath("static/facts.yaml"))))
    added = rewritten = 0

    def swap(m: re.Match) -> str:
        nonlocal added
        def one(url: str) -> str:
            nonlocal added
            if url not in by_url:
                f = facts.get(url) or {"title": f"Page at {urlparse(url).netloc}", "supports": "cited by the course",
                                       "status": "flagged", "disagreement": "not in the course's fact files: "
                                       "check the page before grading anything on it"}
                entry = {"id": _id(url, taken), "title": f["title"], "publisher": urlparse(url).netloc.lower()
                         .removeprefix("www."), "url": url, "supports": f["supports"], "status": f["status"]}
                if "disagreement" in f:
                    entry["disagreement"] = f["disagreement"]
                entry["note"] = f"from {f['fact_file']}" if "fact_file" in f else "not yet checked"
                entries.append(entry)
                by_url[url] = entry["id"]
                added += 1
            return by_url[url]
        body = m.group(2)
        if body.startswith("["):
            items = [s.strip().strip("'\"") for s in body[1:-1].split(",")]
            return m.group(1) + "[" + ", ".join(one(s) if s.startswith(("http://", "https://")) else s
                                                for s in items if s) + "]"
        return m.group(1) + re.sub(r"(- )(https?://\S+)", lambda u: u.group(1) + one(u.group(2)), body)

    for f in files:
        text = f.read_text(encoding="utf-8")
        new = SOURCES_LIST.sub(swap, text)
        if new != text:
            f.write_text(new, encoding="utf-8")
            rewritten += 1
    data["schema_version"], data["sources"] = 1, sorted(entries, key=lambda e: e["id"])
    head = ("# The sources the course relies on (cps_ethics.model.sources says the fields). Content cites them by\n"
            "# id. status: verified (read in the source), secondary (prep site, blog), flagged (disputed or dated:\n"
            "# `disagreement` says how; teach the safe practice).\n")
    sfile.write_text(head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")
    return added, rewritten


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--facts", nargs="*", type=Path, default=[], help="fact files (markdown) to take entries from")
    p.add_argument("--root", type=Path, default=None)
    a = p.parse_args(argv)
    root = a.root or find_root(Path.cwd())
    if root is None:
        print("adopt_sources: run it inside the course folder (or pass --root)", file=sys.stderr)
        return 2
    added, rewritten = adopt(root, a.facts)
    print(f"{added} new entries in content/sources.yaml; {rewritten} files now cite sources by id.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
