"""The deployment files say what they mean: every JupyterLab setting, plugin and server extension they name
exists in the installed JupyterLab and nbgrader, the hub configuration loads for both kinds of login, and the
Kubernetes files agree with the one-server files (the Kubernetes files cannot run here; see the README)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from courselib import REPO
from traitlets.config.loader import PyFileConfigLoader

DEPLOY = REPO / "deploy"
LAB = Path(sys.prefix) / "share" / "jupyter" / "lab"


def _schema(plugin: str) -> dict:
    package, _, name = plugin.rpartition(":")
    path = LAB / "schemas" / package / f"{name}.json"
    assert path.is_file(), f"{plugin}: no such JupyterLab settings schema ({path})"
    return json.loads(path.read_text())


def test_jupyterlab_overrides_name_real_settings_with_valid_values():
    overrides = json.loads((DEPLOY / "jupyterlab" / "overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}
    for plugin, settings in overrides.items():
        schema = _schema(plugin)
        for key, value in settings.items():
            assert key in schema["properties"], f"{plugin}: no setting {key!r}"
            if key == "toolbar":  # items must be ones the plugin puts in its toolbar
                known = {t["name"] for t in schema["jupyter.lab.toolbars"]["Notebook"]}
                assert {t["name"] for t in value} <= known, (plugin, known)
                continue
            jsonschema.validate(value, schema["properties"][key])


def test_trainee_view_names_real_nbgrader_plugins_and_server_extensions():
    page = json.loads((DEPLOY / "jupyter-trainee" / "labconfig" / "page_config.json").read_text())
    import nbgrader

    static = Path(nbgrader.__file__).parent / "labextension" / "static"
    bundle = "".join(p.read_text(errors="replace") for p in static.glob("*.js"))
    plugins = set(re.findall(r'"(@jupyter/nbgrader:[a-z-]+)"', bundle)) | set(
        re.findall(r'id:"(@jupyter/nbgrader:[a-z-]+)"', bundle))
    assert set(page["disabledExtensions"]) <= plugins, plugins
    assert "@jupyter/nbgrader:assignment-list" not in page["disabledExtensions"]  # trainees keep the Assignments tab
    server = json.loads((DEPLOY / "jupyter-trainee" / "jupyter_server_config.json").read_text())
    import importlib

    for ext, enabled in server["ServerApp"]["jpserver_extensions"].items():
        assert enabled is False and importlib.import_module(ext)


def _hub_config(monkeypatch, **env):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return PyFileConfigLoader("jupyterhub_config.py", path=str(DEPLOY)).load_config()


def test_hub_config_loads_for_pam_and_for_a_shared_password(monkeypatch, tmp_path):
    common = {"CPS_HUB_TRAINEES": "amy, ben", "CPS_HUB_TRAINERS": "tess", "CPS_HUB_DATA": str(tmp_path),
              "CPS_EXCHANGE_ROOT": "/srv/x", "CPS_USER_ENV": sys.prefix}
    pam = _hub_config(monkeypatch, **common)
    assert pam.JupyterHub.authenticator_class == "pam"
    assert pam.Authenticator.allowed_users == {"amy", "ben", "tess"}
    assert Path(pam.Spawner.cmd[0]) == Path(sys.prefix) / "bin" / "jupyterhub-singleuser"
    assert Path(pam.Spawner.cmd[0]).exists()
    assert pam.Spawner.environment["CPS_EXCHANGE_ROOT"] == "/srv/x" and callable(pam.Spawner.pre_spawn_hook)
    shared = _hub_config(monkeypatch, **common, CPS_HUB_AUTH="shared-password", CPS_HUB_SHARED_PASSWORD="a-long-one")
    assert shared.JupyterHub.authenticator_class == "shared-password"
    assert shared.SharedPasswordAuthenticator.user_password == "a-long-one"


def test_exchange_script_is_valid_shell():
    assert subprocess.run(["sh", "-n", str(DEPLOY / "exchange.sh")]).returncode == 0


def test_kubernetes_files_agree_with_the_one_server_files():
    values = yaml.safe_load((DEPLOY / "kubernetes" / "values.yaml").read_text())
    single = values["singleuser"]
    mount = single["storage"]["extraVolumeMounts"][0]["mountPath"]
    assert single["storage"]["extraVolumes"][0]["persistentVolumeClaim"]["claimName"] == yaml.safe_load(
        (DEPLOY / "kubernetes" / "exchange-pvc.yaml").read_text())["metadata"]["name"]
    hook = values["hub"]["extraConfig"]["cps-course.py"]
    compile(hook, "cps-course.py", "exec")
    assert f'"CPS_EXCHANGE_ROOT": "{mount}"' in hook
    assert f'"{mount}"' in (DEPLOY / "jupyter" / "nbgrader_config.py").read_text()  # the same default exchange
    dockerfile = (DEPLOY / "kubernetes" / "Dockerfile").read_text()
    copies = re.findall(r"^COPY (.+) (\S+)$", dockerfile, re.MULTILINE)
    for sources, _dest in copies:
        for src in sources.split():
            assert (REPO / src).exists(), f"Dockerfile copies {src}, which is not in the repository"
    dests = {dest.rstrip("/") for _s, dest in copies}
    for folder in re.findall(r'"JUPYTER_CONFIG_PATH"\] = "([^"]+)"', hook):
        for d in folder.split(":"):
            assert d in dests, f"values.yaml puts {d} on JUPYTER_CONFIG_PATH; the image does not have it"
    assert "deploy/jupyterlab/overrides.json" in dockerfile


@pytest.mark.parametrize("name", ["package.json", "package-lock.json"])
def test_proxy_is_pinned(name):
    data = json.loads((DEPLOY / name).read_text())
    if name == "package.json":
        assert re.fullmatch(r"\d+\.\d+\.\d+", data["dependencies"]["configurable-http-proxy"])
    else:
        assert data["packages"]["node_modules/configurable-http-proxy"]["version"]
