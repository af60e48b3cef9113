"""Fixtures for the study site and guide tests: the course, the site and the guide built once per session."""

from __future__ import annotations

import pytest
from courselib import REPO

from cps_ethics.model.content import load_course
from cps_ethics.publish import guide, site


@pytest.fixture(scope="session")
def course():
    return load_course(REPO)


@pytest.fixture(scope="session")
def site_dir(course, tmp_path_factory):
    out = tmp_path_factory.mktemp("study") / "site"
    site.build(course, out)
    return out


@pytest.fixture(scope="session")
def guide_pdf(course, tmp_path_factory):
    out = tmp_path_factory.mktemp("guide") / "study_guide.pdf"
    pages = guide.write(course, out)
    return out, pages
