"""The trainer's runbook (docs/runbook.md) names only commands and files that exist, and its files agree."""

from __future__ import annotations

import re
from pathlib import Path

from nbgrader.apps.nbgraderapp import NbGraderApp

from cps_ethics.cli import COMMANDS

REPO = Path(__file__).resolve().parents[2]
RUNBOOK = (REPO / "docs" / "runbook.md").read_text(encoding="utf-8")
ENV = (REPO / "deploy" / "systemd" / "cps-hub.env").read_text(encoding="utf-8")
UNIT = (REPO / "deploy" / "systemd" / "cps-hub.service").read_text(encoding="utf-8")
NGINX = (REPO / "deploy" / "nginx" / "cps-hub.conf").read_text(encoding="utf-8")
HUB_CONFIG = (REPO / "deploy" / "jupyterhub_config.py").read_text(encoding="utf-8")


def settings() -> dict[str, str]:
    return dict(line.split("=", 1) for line in ENV.splitlines() if line and not line.startswith("#"))


def test_every_course_and_nbgrader_command_exists():
    said = re.findall(r"(?:^|`|&& )(nbgrader|cps-course) ([a-z][a-z_-]*)", RUNBOOK, re.M)  # commands, not prose
    course = {c for tool, c in said if tool == "cps-course"}
    assert course and course <= set(COMMANDS), course - set(COMMANDS)
    nb = {c for tool, c in said if tool == "nbgrader"}
    assert {"release_assignment", "collect", "generate_feedback", "release_feedback", "db"} <= nb
    assert nb <= set(NbGraderApp.subcommands), nb - set(NbGraderApp.subcommands)


def test_every_deploy_file_named_exists():
    named = set(re.findall(r"(deploy/[\w./-]+\w)", RUNBOOK))
    assert named and all((REPO / n).exists() for n in named), [n for n in named if not (REPO / n).exists()]


def test_hub_settings_are_ones_the_hub_reads():
    read = set(re.findall(r"""(?:environ\.get\(|environ\[|_names\()["'](CPS_[A-Z_]+)""", HUB_CONFIG))
    assert set(settings()) <= read, set(settings()) - read
    assert {"CPS_HUB_TRAINEES", "CPS_HUB_TRAINERS"} <= set(settings())


def test_service_nginx_and_settings_agree():
    s = settings()
    assert s["CPS_HUB_IP"] == "127.0.0.1", "only nginx may reach the hub"
    assert f"proxy_pass http://127.0.0.1:{s['CPS_HUB_PORT']};" in NGINX
    assert "proxy_set_header Upgrade $http_upgrade;" in NGINX, "kernels and widgets need websockets"
    assert "EnvironmentFile=/etc/cps-hub.env" in UNIT and "/etc/cps-hub.env" in RUNBOOK
    start = re.search(r"^ExecStart=(\S+) -f (\S+)$", UNIT, re.M)
    assert start and start.group(1) == f"{s['CPS_USER_ENV']}/bin/jupyterhub"
    assert start.group(2).endswith("/deploy/jupyterhub_config.py") and start.group(2) in RUNBOOK.replace(
        "/opt/cps/course-code/deploy/systemd", "") + UNIT
    assert f"WorkingDirectory={s['CPS_HUB_DATA']}" in UNIT and f"install -d -m 0700 {s['CPS_HUB_DATA']}" in RUNBOOK
