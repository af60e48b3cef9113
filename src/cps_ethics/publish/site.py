"""`cps-course site OUT/`: write the offline study site (plain HTML, CSS and a small script) and check it."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from cps_ethics.errors import CourseError
from cps_ethics.model.content import Course

from .guard import leaks
from .material import modules
from .pages import glossary_page, help_page, home_page, module_page, practice_page, sources_page

MARKER = ".cps-study-site"  # marks a folder this command made, so a rebuild may empty it
ASSETS = ("site.css", "site.js")


def _prepare(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise CourseError(f"{out} is a file; give a folder for the study site.")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            raise CourseError(f"{out} is not empty and was not made by `cps-course site`; "
                              "give an empty or new folder so nothing of yours is overwritten.")
        shutil.rmtree(out)
    (out / "assets").mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("Made by `cps-course site`; rebuilding empties this folder.\n")


def build(course: Course, out: Path) -> list[Path]:
    """Write every page and asset into `out`; fail (and remove the folder) if any graded text got in."""
    out = Path(out)
    _prepare(out)
    mods = modules(course)
    pages = {"index.html": home_page(mods), "practice.html": practice_page(mods),
             "glossary.html": glossary_page(course, mods), "help.html": help_page(mods),
             "sources.html": sources_page(course, mods)}
    pages |= {m.page: module_page(course, m, mods) for m in mods}
    written = []
    for name, text in pages.items():
        (out / name).write_text(text, encoding="utf-8")
        written.append(out / name)
    static = resources.files("cps_ethics.publish").joinpath("static")
    for name in ASSETS:
        (out / "assets" / name).write_text(static.joinpath(name).read_text(encoding="utf-8"), encoding="utf-8")
        written.append(out / "assets" / name)
    found = leaks(out, course)
    if found:
        shutil.rmtree(out)
        raise CourseError("the study site would hold graded work, so it was not written:\n"
                          + "\n".join(f"  - {x}" for x in found[:20]))
    return written


def size(files: list[Path]) -> int:
    return sum(p.stat().st_size for p in files)
