"""JupyterLab starts from this environment in the course folder, with nbgrader's extensions serving."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from courselib import copy_course

from cps_ethics.autograde.runner import env

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


HANG = 600  # seconds: a guard against a server that hangs, never a speed check (the machine may be loaded)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=HANG) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def test_lab_extension_is_installed_and_enabled():
    out = subprocess.run([sys.executable, "-m", "jupyter", "labextension", "list"], capture_output=True,
                         text=True, env=env())
    text = out.stdout + out.stderr
    assert "@jupyter/nbgrader" in text and "enabled" in text.split("@jupyter/nbgrader", 1)[1].splitlines()[0]


def test_jupyter_lab_in_the_course_folder_serves_nbgrader(tmp_path):
    root = copy_course(tmp_path / "course")
    port, token = free_port(), "cps-test-token"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"],
        cwd=root, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + HANG
        while True:  # until the server answers, or it exits, or the hang guard
            try:
                if get(f"{base}/api/status?token={token}")[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not start (exit code {proc.poll()})")
            time.sleep(0.5)
        status, page = get(f"{base}/lab?token={token}")
        assert status == 200 and "@jupyter/nbgrader" in page  # the lab extension is loaded into the page
        status, page = get(f"{base}/formgrader?token={token}")
        assert status == 200 and "formgrader" in page.lower()  # nbgrader's server extension answers
        status, body = get(f"{base}/formgrader/api/assignments?token={token}")
        assert status == 200 and "01_why_a_code" in body  # and it reads this course's config
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=HANG)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
