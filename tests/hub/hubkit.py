"""Pieces of a real JupyterHub course for tests/hub: Linux users, commands run as them, the hub, a kernel.

Everything runs as root (the hub's LocalProcessSpawner starts each person's server as that person). Users
are created with `useradd` under a private folder and removed with `userdel -r`; processes are stopped by
their own ids only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
BIN = Path(sys.executable).parent  # the hub's own environment (it runs as root)
PROXY = DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy"
USER_ENV: dict[str, Path] = {"prefix": Path(sys.prefix), "deploy": DEPLOY}  # set by the test: user_env(), readable_deploy()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Person:
    name: str
    password: str
    role: str  # "trainee" or "trainer"

    @property
    def home(self) -> Path:
        return Path(pwd.getpwnam(self.name).pw_dir)

    @property
    def config_path(self) -> str:
        """JUPYTER_CONFIG_PATH as deploy/jupyterhub_config.py gives it to this person's server."""
        deploy = USER_ENV["deploy"]
        dirs = [deploy / "jupyter"] if self.role == "trainer" else [deploy / "jupyter-trainee", deploy / "jupyter"]
        return os.pathsep.join(str(d) for d in dirs)


def add_user(name: str, homes: Path, role: str) -> Person:
    """A Linux user with a home folder (the system's default mode) and a password of its own."""
    password = secrets.token_urlsafe(12)
    subprocess.run(["useradd", "--create-home", "--home-dir", str(homes / name), "--shell", "/bin/bash", name],
                   check=True, capture_output=True, text=True)
    subprocess.run(["chpasswd"], input=f"{name}:{password}\n", check=True, capture_output=True, text=True)
    return Person(name, password, role)


def remove_user(person: Person) -> None:
    """Stop anything still running as the user (by process id), then remove the user and their home."""
    with contextlib.suppress(Exception):
        pids = subprocess.run(["ps", "-u", person.name, "-o", "pid="], capture_output=True, text=True).stdout.split()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid), signal.SIGKILL)
    subprocess.run(["userdel", "--remove", person.name], capture_output=True, text=True)


def _usable_by_all(path: Path) -> bool:
    """Whether any user may run the file at `path` (every folder above it can be entered by others)."""
    path = Path(os.path.realpath(path))
    return bool(path.stat().st_mode & 0o005 == 0o005) and all(p.stat().st_mode & 0o001 for p in path.parents)


def _portable_python(dest: Path) -> Path:
    """A copy of the interpreter this environment was made from, that any user may run: its binary, its
    shared library and its standard library (no site-packages, no tests). The binary finds its library
    through an absolute RUNPATH into the original folder; the copy's says $ORIGIN/../lib instead (the same
    bytes, padded, as patchelf would write for a shorter path)."""
    src, version = Path(sys.base_prefix), f"python{sys.version_info.major}.{sys.version_info.minor}"
    (dest / "bin").mkdir(parents=True)
    (dest / "lib").mkdir()
    binary = (src / "bin" / version).read_bytes()
    old, new = str(src / "lib").encode() + b"\0", b"$ORIGIN/../lib"
    if old in binary:
        binary = binary.replace(old, new + b"\0" * (len(old) - len(new)))
    (dest / "bin" / version).write_bytes(binary)
    (dest / "bin" / version).chmod(0o755)
    for lib in (src / "lib").glob("libpython*"):
        if lib.is_symlink():
            (dest / "lib" / lib.name).symlink_to(os.readlink(lib))
        else:
            shutil.copy2(lib, dest / "lib" / lib.name)
    shutil.copytree(src / "lib" / version, dest / "lib" / version, symlinks=True, ignore=shutil.ignore_patterns(
        "site-packages", "test", "idlelib", "tkinter", "turtledemo", "ensurepip"))
    (dest / "lib" / version / "site-packages").mkdir()
    return dest / "bin" / version


def _readable_copy(src: Path, dest: Path) -> Path:
    """`src` where every user may read it: itself if they already may, else a copy in `dest` (hard links where
    the file is already readable by all, so even a 1 GB environment takes seconds and no space)."""
    src = Path(os.path.realpath(src))
    if _usable_by_all(src) and all(p.stat().st_mode & 0o004 for p in (src, *src.rglob("*")) if not p.is_symlink()):
        return src
    linked = subprocess.run(["cp", "-al", str(src), str(dest)], capture_output=True, check=False).returncode == 0
    if not linked:
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(src, dest, symlinks=True)
    for folder, dirs, files in os.walk(dest):
        os.chmod(folder, os.stat(folder).st_mode | 0o555)
        for name in files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            if not (st.st_mode & 0o004) and not os.path.islink(path):
                if linked:  # a hard link shares the original's mode: give the copy its own file
                    os.unlink(path)
                    shutil.copy2(os.path.join(src, os.path.relpath(path, dest)), path)
                os.chmod(path, st.st_mode | 0o444 | (0o111 if st.st_mode & 0o100 else 0))
    return dest


def user_env(base: Path, repo: Path = REPO) -> Path:
    """The Python environment people's servers and commands run from, as a prefix (its bin/ goes on PATH),
    usable by every user whatever the permissions of the folders holding this checkout and its environment
    (a clone in a 0700 home folder, or this project's .venv made from a Python under /root).

    A small environment in `base`: the interpreter (a copy where everyone may run it, if they may not run the
    original), importing the course environment's installed packages (a .pth file; a readable copy if others
    cannot read them) and sharing its Jupyter data and config (share/, etc/); its scripts are the course
    environment's. The course itself (cps_ethics and grading) is copied from this checkout into the
    environment's own site-packages, ahead of any editable install: every user runs the code under test.
    """
    python = Path(sys.executable) if _usable_by_all(Path(sys.executable)) else _portable_python(base / "python")
    env = base / "userenv"
    subprocess.run([str(python), "-m", "venv", "--without-pip", str(env)], check=True, capture_output=True)
    site = Path(subprocess.run([str(env / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    packages = _readable_copy(Path(sysconfig.get_paths()["purelib"]), base / "packages")
    (site / "cps-course-env.pth").write_text(f"import site; site.addsitedir({str(packages)!r})\n")
    for name, src in (("cps_ethics", repo / "src" / "cps_ethics"), ("grading", repo / "grading")):
        shutil.copytree(src, site / name, ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("share", "etc"):
        (env / part).symlink_to(_readable_copy(Path(sys.prefix) / part, base / part))
    for script in (Path(sys.prefix) / "bin").iterdir():
        target = env / "bin" / script.name
        if script.is_file() and not target.exists():
            with open(script, "rb") as f:
                head = f.readline()
            if head.startswith(b"#!") and b"python" in head:
                target.write_bytes(b"#!" + str(env / "bin" / "python").encode() + b"\n" + script.read_bytes()[len(head):])
                target.chmod(0o755)
    copies = [str(base / d) for d in ("python", "userenv") if (base / d).exists()]
    subprocess.run(["chmod", "-R", "a+rX", *copies], check=True)
    return env


def readable_deploy(base: Path) -> Path:
    """deploy/'s configuration where every user may read it (people's servers read jupyter/ and
    jupyter-trainee/ through JUPYTER_CONFIG_PATH); the proxy stays in the checkout (root runs it)."""
    dest = base / "deploy"
    shutil.copytree(DEPLOY, dest, ignore=shutil.ignore_patterns("node_modules", "kubernetes", "__pycache__"))
    subprocess.run(["chmod", "-R", "a+rX", str(dest)], check=True)
    return dest


def each(people: list[Person], cmd: list[str], **kw) -> list[subprocess.CompletedProcess]:
    """`cmd` as each person, all at once (as a cohort would)."""
    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        return list(pool.map(lambda person: as_user(person, cmd, **kw), people))


def as_user(person: Person, cmd: list[str], cwd: Path | None = None, extra_env: dict | None = None,
            timeout: int = 300, check: bool = True) -> subprocess.CompletedProcess:
    """Run `cmd` as `person` (runuser), with the environment their server on the hub has."""
    env = {"HOME": str(person.home), "USER": person.name, "LOGNAME": person.name, "LANG": "C.UTF-8",
           "PATH": os.pathsep.join([str(USER_ENV["prefix"] / "bin"), "/usr/local/bin", "/usr/bin", "/bin"]),
           "JUPYTER_CONFIG_PATH": person.config_path, **(extra_env or {})}
    full = ["runuser", "-u", person.name, "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()], *cmd]
    res = subprocess.run(full, cwd=cwd or person.home, capture_output=True, text=True, timeout=timeout)
    if check and res.returncode != 0:
        raise AssertionError(f"{person.name}: {' '.join(cmd)} failed ({res.returncode})\n{res.stdout[-3000:]}\n"
                             f"{res.stderr[-3000:]}")
    return res


PROBE = """
import json, os, sys
out = {}
for p in sys.argv[1:]:
    try:
        if os.path.isdir(p):
            os.listdir(p)
        else:
            with open(p, "rb") as f:
                f.read(1)
        out[p] = "read"
    except PermissionError:
        out[p] = "denied"
    except FileNotFoundError:
        out[p] = "missing"
    except OSError as e:
        out[p] = f"error {e.errno}"
print(json.dumps(out))
"""


def probe(person: Person, paths: list[Path]) -> dict[str, str]:
    """For each path, what `person` gets when they try to read it (a folder: list it): read, denied, missing."""
    res = as_user(person, ["python", "-c", PROBE, *map(str, paths)], cwd=Path("/"))
    return json.loads(res.stdout)


class Hub:
    """deploy/jupyterhub_config.py, run as root with the given variables; stopped by its own process id."""

    def __init__(self, data: Path, log: Path, env: dict[str, str]):
        self.data, self.log_path = data, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "")]),
                    "CPS_HUB_IP": "127.0.0.1", "CPS_HUB_PORT": str(self.port),
                    "CPS_HUB_INTERNAL_PORT": str(free_port()), "CPS_PROXY_API_PORT": str(free_port()),
                    "CPS_HUB_DATA": str(data), "CPS_USER_ENV": str(USER_ENV["prefix"]), "CPS_HUB_PROXY": str(PROXY),
                    **env}
        for var in ("CPS_DB_URL", "CPS_COURSE_ROOT", "JUPYTER_CONFIG_PATH"):
            self.env.pop(var, None)
        self.proc: subprocess.Popen | None = None

    def launch(self) -> "Hub":
        """Start the hub in the background (see wait_ready)."""
        self.data.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")  # noqa: SIM115  (closed in stop)
        self.proc = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(USER_ENV["deploy"] / "jupyterhub_config.py")],
                                     cwd=self.data, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        return self

    def wait_ready(self, timeout: int = 90) -> "Hub":
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterHub exited early; see {self.log_path}")
            with contextlib.suppress(OSError):
                if self.request("GET", "/hub/health")[0] == 200:
                    return self
            if time.monotonic() > deadline:
                raise RuntimeError(f"JupyterHub did not start within {timeout} s; see {self.log_path}")
            time.sleep(0.5)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()  # the hub stops the servers it started and its proxy
            try:
                self.proc.wait(45)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # the hub's own process group (its proxy)
                self.proc.wait(10)
        self._log.close()

    def request(self, method: str, path: str, token: str | None = None, body: dict | None = None,
                timeout: int = 30) -> tuple[int, dict | str]:
        req = urllib.request.Request(self.url + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
        if token:
            req.add_header("Authorization", f"token {token}")
        if body is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, raw = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read().decode("utf-8", "replace")
        try:
            return status, json.loads(raw) if raw else {}
        except ValueError:
            return status, raw

    def token(self, person: Person) -> str:
        """An API token the person gets with their own user name and password (no admin involved)."""
        status, data = self.request("POST", f"/hub/api/users/{person.name}/tokens", body={
            "auth": {"username": person.name, "password": person.password}, "note": "hub test", "expires_in": 900})
        assert status in (200, 201), (status, data)
        return data["token"]

    def start_server(self, person: Person, token: str, timeout: int = 120) -> None:
        status, data = self.request("POST", f"/hub/api/users/{person.name}/server", token=token)
        assert status in (201, 202, 400), (status, data)  # 400: already running
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, user = self.request("GET", f"/hub/api/users/{person.name}", token=token)
            if status == 200 and user.get("servers", {}).get("", {}).get("ready"):
                return
            time.sleep(0.5)
        raise AssertionError(f"{person.name}'s server did not start; see {self.log_path}")


async def _execute(ws_url: str, token: str, code: str, timeout: float) -> tuple[str, str]:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    conn = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {token}"}))
    msg_id = uuid.uuid4().hex
    conn.write_message(json.dumps({
        "header": {"msg_id": msg_id, "username": "", "session": uuid.uuid4().hex, "msg_type": "execute_request",
                   "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True}}))
    out, status, idle = [], None, False
    try:
        while status is None or not idle:
            raw = await asyncio.wait_for(conn.read_message(), timeout)
            if raw is None:
                raise AssertionError("the kernel's websocket closed")
            if isinstance(raw, bytes):
                continue
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                out.append("\n".join(content["traceback"]))
            elif kind == "execute_reply":
                status = content["status"]
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
    finally:
        conn.close()
    return status, "".join(out)


def run_in_kernel(hub: Hub, person: Person, token: str, notebook: str, code: str, timeout: float = 120) -> str:
    """Open `notebook` (a path in the person's home) in a kernel of their own server, as JupyterLab does, and
    run `code` there; returns what it printed (fails if it raised)."""
    status, session = hub.request("POST", f"/user/{person.name}/api/sessions", token=token, body={
        "path": notebook, "name": Path(notebook).name, "type": "notebook", "kernel": {"name": "python3"}})
    assert status in (200, 201), (status, session)
    kernel = session["kernel"]["id"]
    ws = hub.url.replace("http://", "ws://") + f"/user/{person.name}/api/kernels/{kernel}/channels"
    try:
        status, out = asyncio.run(_execute(ws, token, code, timeout))
    finally:
        hub.request("DELETE", f"/user/{person.name}/api/sessions/{session['id']}", token=token)
    assert status == "ok", out
    return out
