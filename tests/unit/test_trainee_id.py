"""The kernel picks a trainee's versions under the id nbgrader files their submission under (attack review)."""

from __future__ import annotations

import os
import pwd

from nbgrader.utils import get_username

from cps_ethics.notebook.widget_kit import trainee_id


def test_same_id_as_nbgrader_on_this_machine(monkeypatch):
    monkeypatch.delenv("CPS_TRAINEE_ID", raising=False)
    monkeypatch.setenv("JUPYTERHUB_USER", "someone-else")  # a hub name that differs from the OS user
    assert trainee_id() == get_username() == pwd.getpwuid(os.getuid())[0]


def test_same_id_as_nbgrader_in_a_jovyan_container(monkeypatch):
    real = pwd.getpwuid

    class Jovyan:
        def __getitem__(self, i):
            return "jovyan" if i == 0 else real(os.getuid())[i]

    monkeypatch.delenv("CPS_TRAINEE_ID", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", lambda uid: Jovyan())
    monkeypatch.setenv("JUPYTERHUB_USER", "maria")
    assert trainee_id() == get_username() == "maria"
    monkeypatch.delenv("JUPYTERHUB_USER")
    assert trainee_id() == get_username() == "jovyan"


def test_a_deployment_may_set_the_id(monkeypatch):
    monkeypatch.setenv("CPS_TRAINEE_ID", "maria")
    assert trainee_id() == "maria"
