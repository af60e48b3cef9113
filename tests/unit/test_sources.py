"""The course carries its sources: every citation names an entry of content/sources.yaml; validate says so."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
import yaml
from courselib import REPO

from cps_ethics.errors import ContentError
from cps_ethics.model.content import load_course


def _course(tmp_path, edit_sources=None, edit_module=None):
    root = tmp_path / "course"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "source", root / "source")
    shutil.copy2(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    sfile = root / "content" / "sources.yaml"
    data = yaml.safe_load(sfile.read_text(encoding="utf-8"))
    if edit_sources:
        edit_sources(data["sources"])
        sfile.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    if edit_module:
        mfile = root / "content" / "modules" / "02_self_determination.yaml"
        m = yaml.safe_load(mfile.read_text(encoding="utf-8"))
        edit_module(m)
        mfile.write_text(yaml.safe_dump(m, sort_keys=False), encoding="utf-8")
    return root


def test_every_citation_in_the_course_names_an_entry():
    course = load_course(REPO)
    ids = {e["id"] for e in course.sources}
    assert len(ids) >= 100
    cited = [s for m in course.modules for r in m.data.get("readings", []) for s in r.get("sources", [])]
    assert cited and set(cited) <= ids
    assert {e["status"] for e in course.sources} <= {"verified", "secondary", "flagged"}
    assert all(e.get("disagreement") for e in course.sources if e["status"] == "flagged")


def test_a_citation_with_no_entry_fails(tmp_path):
    def cite(m):
        m["readings"][0]["sources"].append("no_such_source")
    with pytest.raises(ContentError) as e:
        load_course(_course(tmp_path, edit_module=cite))
    assert f"readings > {yaml.safe_load((REPO / 'content/modules/02_self_determination.yaml').read_text())['readings'][0]['id']}" in str(e.value)
    assert "cites 'no_such_source' (no such entry in content/sources.yaml)" in str(e.value)


def test_a_flagged_source_must_say_what_is_disputed(tmp_path):
    def unflag(entries):
        e = next(e for e in entries if e["status"] == "flagged")
        e.pop("disagreement")
    with pytest.raises(ContentError, match="a flagged source says what is disputed"):
        load_course(_course(tmp_path, edit_sources=unflag))


def test_validate_lists_entries_nothing_cites(tmp_path):
    def extra(entries):
        entries.append({"id": "orphan_page", "title": "An orphan", "publisher": "example.org",
                        "url": "https://example.org/orphan", "supports": "nothing yet", "status": "secondary"})
    root = _course(tmp_path, edit_sources=extra)
    run = subprocess.run([sys.executable, "-m", "cps_ethics.cli", "--root", str(root), "validate"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "cited by nothing" in run.stdout and "orphan_page" in run.stdout


def test_study_site_lists_the_sources(tmp_path):
    from cps_ethics.publish import site
    course = load_course(REPO)
    out = tmp_path / "site"
    site.build(course, out)
    page = (out / "sources.html").read_text(encoding="utf-8")
    assert page.count('<li class="source">') == len(course.sources) and "<a href=\"http" not in page
    assert "Sources disagree" in page  # the flagged group says what flagged means


def test_study_site_facts_cite_the_courses_sources():
    """The facts the site and guide show beside the content cite entries of this course's sources.yaml."""
    from cps_ethics.publish.facts import citation_problems

    assert citation_problems({e["id"] for e in load_course(REPO).sources}) == []
