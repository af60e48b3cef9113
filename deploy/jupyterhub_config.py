"""JupyterHub for one cohort of the CPS Code of Ethics course, on one Linux server.

Every trainee and trainer is a Linux user with their own home folder; the hub starts each person's JupyterLab
as that user (LocalProcessSpawner), and nbgrader's exchange (a shared folder) carries release, fetch, submit,
collect and feedback. tests/hub runs this very file; a training organisation sets the same variables in the
hub's service (see deploy/README.md). Start it as root: `jupyterhub -f deploy/jupyterhub_config.py`.

Variables (all optional except the user lists):
  CPS_HUB_TRAINEES, CPS_HUB_TRAINERS   comma-separated Linux user names who may log in
  CPS_HUB_AUTH               pam (default): each person's own Linux password;
                             shared-password: one password (CPS_HUB_SHARED_PASSWORD, 8+ characters) for a
                             try-out only: anyone who has it can log in as any trainee
  CPS_HUB_IP, CPS_HUB_PORT   where browsers connect (default 0.0.0.0:8000; put HTTPS in front of it)
  CPS_HUB_INTERNAL_PORT, CPS_PROXY_API_PORT   the hub's and the proxy's loopback ports (8081, 8001)
  CPS_HUB_DATA               the hub's own state: database, cookie secret (default /srv/jupyterhub)
  CPS_HUB_PROXY              configurable-http-proxy to run (default: deploy/node_modules/.bin's, else PATH)
  CPS_EXCHANGE_ROOT          nbgrader's exchange folder (default /srv/nbgrader/exchange; see deploy/exchange.sh)
  CPS_COURSE_ID              the course id in the exchange (default ma-cps-ethics, as in nbgrader_config.py)
  CPS_USER_ENV               the Python environment (its prefix) people's servers run from, with the course
                             installed and readable by every user (default: the hub's own, sys.prefix)
"""

import os
import pwd
import shutil
import stat
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (provided by traitlets when JupyterHub loads this file)

DEPLOY = Path(__file__).resolve().parent
BIN = Path(os.environ.get("CPS_USER_ENV", sys.prefix)) / "bin"  # the course's environment, for everyone's server


def _names(var: str) -> set[str]:
    return {n.strip() for n in os.environ.get(var, "").split(",") if n.strip()}


TRAINEES, TRAINERS = _names("CPS_HUB_TRAINEES"), _names("CPS_HUB_TRAINERS")
DATA = Path(os.environ.get("CPS_HUB_DATA", "/srv/jupyterhub"))
EXCHANGE = os.environ.get("CPS_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
COURSE_ID = os.environ.get("CPS_COURSE_ID", "ma-cps-ethics")

# Who may log in, and how.
c.Authenticator.allowed_users = TRAINEES | TRAINERS
if os.environ.get("CPS_HUB_AUTH", "pam") == "shared-password":
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = os.environ["CPS_HUB_SHARED_PASSWORD"]
else:
    c.JupyterHub.authenticator_class = "pam"

# Where the hub listens, and its own state.
c.JupyterHub.bind_url = f"http://{os.environ.get('CPS_HUB_IP', '0.0.0.0')}:{os.environ.get('CPS_HUB_PORT', '8000')}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{os.environ.get('CPS_HUB_INTERNAL_PORT', '8081')}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('CPS_PROXY_API_PORT', '8001')}"
_proxy = os.environ.get("CPS_HUB_PROXY") or (
    str(DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy")
    if (DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy").exists()
    else shutil.which("configurable-http-proxy") or "configurable-http-proxy")
c.ConfigurableHTTPProxy.command = [_proxy]
c.ConfigurableHTTPProxy.pid_file = str(DATA / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{DATA / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(DATA / "jupyterhub_cookie_secret")

# Each person's JupyterLab, as their own Linux user, in their home folder, from the course's environment.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    "PATH": os.pathsep.join([str(BIN), "/usr/local/bin", "/usr/bin", "/bin"]),
    "CPS_EXCHANGE_ROOT": EXCHANGE,
    "CPS_COURSE_ID": COURSE_ID,
}


def _pre_spawn(spawner):
    """Before a server starts: the person's home is private, and trainees get the trainee view of Jupyter.

    Debian and Ubuntu make home folders readable by everyone (mode 0755) unless HOME_MODE is set, and a
    trainee's notebook and answers file live there: close it (0700) so no trainee can read another's work.
    """
    name = spawner.user.name
    home = Path(pwd.getpwnam(name).pw_dir)
    mode = stat.S_IMODE(home.stat().st_mode)
    if mode & 0o077:
        spawner.log.warning("Home folder %s was mode %o; making it private (0700)", home, mode)
        home.chmod(0o700)
    config = [str(DEPLOY / "jupyter")] if name in TRAINERS else [str(DEPLOY / "jupyter-trainee"), str(DEPLOY / "jupyter")]
    spawner.environment = {**spawner.environment, "JUPYTER_CONFIG_PATH": os.pathsep.join(config)}


c.Spawner.pre_spawn_hook = _pre_spawn
