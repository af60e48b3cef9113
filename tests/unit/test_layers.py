"""The package's wings keep to their layers: read every import with `ast` and fail on a forbidden one.

Layers, lowest first (a module may import its own wing and any lower layer, never a higher or a sibling):
  0  basics    cps_ethics.course, .errors, .store (the answers-file format)
  1  model     cps_ethics.model      the course as data, shared by every wing
  2  notebook  cps_ethics.notebook   the trainee's kernel           | siblings: neither imports the other
  2  autograde cps_ethics.autograde  nbgrader's process             |
  3  authoring cps_ethics.authoring, publish cps_ethics.publish, the pipeline `grading` (siblings again,
     except that the pipeline and authoring may use autograde's readers and notebook's widgets as below)
  4  simulate  cps_ethics.simulate   the made-up cohort
  5  cli       cps_ethics.cli        the commands
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PKG = REPO / "src" / "cps_ethics"

RANK = {"basics": 0, "model": 1, "notebook": 2, "autograde": 2, "authoring": 3, "publish": 3, "grading": 3,
        "simulate": 4, "cli": 5}
# Sibling or same-rank imports that are part of the design, each with its reason.
ALLOWED_SIDEWAYS = {
    ("authoring", "notebook"),  # the author's preview shows the trainee's widgets
    ("authoring", "autograde"),  # the build writes grading cells in the grader's one fixed form
    ("grading", "autograde"),  # the pipeline reads the grader's per-submission report
}
BASICS = {"course", "errors", "store"}


def wing(module: str) -> str | None:
    """The wing of a dotted module name (None: not the course's own code)."""
    parts = module.split(".")
    if parts[0] == "grading":
        return "grading"
    if parts[0] != "cps_ethics":
        return None
    if len(parts) == 1:
        return "notebook"  # the package's __init__: show and progress, the released notebooks' entry points
    if parts[1] in RANK and parts[1] not in ("basics", "grading"):
        return parts[1]
    if parts[1] == "cli":
        return "cli"
    if parts[1] in BASICS:
        return "basics"
    raise AssertionError(f"{module}: a module outside every wing (add it to a wing or to the basics)")


def module_name(path: Path, pkg: Path = PKG) -> str:
    if path.is_relative_to(pkg):
        rel = path.relative_to(pkg.parent).with_suffix("")
    else:
        rel = path.relative_to(REPO).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, pkg: Path = PKG) -> list[tuple[int, str]]:
    """Every module `path` imports (relative imports resolved), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = module_name(path, pkg)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if node.module is None or mod in ("cps_ethics", "grading"):
                # `from . import x` / `from cps_ethics import x`: x may itself be a module or wing
                found += [(node.lineno, f"{mod}.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, mod))
    return found


def course_files() -> list[Path]:
    return sorted(PKG.rglob("*.py")) + sorted((REPO / "grading").glob("*.py"))


def violations(files: list[Path], pkg: Path = PKG) -> list[str]:
    bad = []
    for path in files:
        src_wing = wing(module_name(path, pkg))
        for line, target in imports(path, pkg):
            dst_wing = wing(target) if target.split(".")[0] in ("cps_ethics", "grading") else None
            if dst_wing is None and target in ("cps_ethics", "grading"):
                dst_wing = "basics" if target == "cps_ethics" else "grading"
            if dst_wing is None or dst_wing == src_wing:
                continue
            where = f"{path.name}:{line} imports {target}"
            if src_wing == "notebook" and dst_wing != "basics" and dst_wing != "model":
                bad.append(f"{where}: the trainee's kernel must load only the notebook wing, the model and basics")
            elif RANK[dst_wing] > RANK[src_wing]:
                bad.append(f"{where}: an import that runs back up ({src_wing} -> {dst_wing})")
            elif RANK[dst_wing] == RANK[src_wing] and (src_wing, dst_wing) not in ALLOWED_SIDEWAYS:
                bad.append(f"{where}: sibling wings import each other ({src_wing} -> {dst_wing})")
            if dst_wing == "simulate" and not _dry_run_import(path, line):
                bad.append(f"{where}: only the main job's dry run may use the simulated cohort")
    return bad


def _dry_run_import(path: Path, line: int) -> bool:
    """The simulated cohort is used by the CLI's main job (its dry run) and the `cohort` command only."""
    if path != PKG / "cli.py":
        return False
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(n, (ast.Import, ast.ImportFrom)) and n.lineno == line for n in tree.body)


def test_every_wing_says_what_it_is_for():
    for init in sorted(PKG.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "\n" not in doc.strip(), f"{init}: a one-line docstring says what the wing is for"


def test_no_forbidden_import():
    assert violations(course_files()) == []


def test_cohort_is_used_only_by_the_main_jobs_dry_run():
    """The CLI holds the simulated cohort for `main` (no trainee submitted yet) and `cohort`; nothing else."""
    users = []
    for path in course_files():
        if wing(module_name(path)) == "simulate":
            continue
        if any(t.startswith("cps_ethics.simulate") for _, t in imports(path)):
            users.append(path.relative_to(REPO).as_posix())
    assert users == ["src/cps_ethics/cli.py"]
    cli = (PKG / "cli.py").read_text(encoding="utf-8")
    uses = {n.name for n in ast.walk(ast.parse(cli)) if isinstance(n, ast.FunctionDef)
            and "cohort_mod" in ast.unparse(n)}
    assert uses == {"cmd_cohort", "cmd_main"}


@pytest.mark.parametrize("bad, expected", [
    ("from cps_ethics.autograde import grader\n", "the trainee's kernel must load only"),
    ("from ..publish import site\n", "the trainee's kernel must load only"),
    ("import grading.pipeline\n", "the trainee's kernel must load only"),
])
def test_the_check_fails_on_a_forbidden_import(tmp_path, bad, expected):
    """Seed a notebook-wing module (in a copy of the package's shape) with a forbidden import: the check names it."""
    fake = _probe(tmp_path, "notebook", bad)
    found = violations([fake], fake.parents[1])
    assert len(found) == 1 and expected in found[0]


def _probe(tmp_path: Path, wing_name: str, text: str) -> Path:
    fake = tmp_path / "cps_ethics" / wing_name / "probe.py"
    fake.parent.mkdir(parents=True)
    fake.write_text(text, encoding="utf-8")
    return fake


def test_the_check_fails_on_an_import_back_up(tmp_path):
    fake = _probe(tmp_path, "model", "from cps_ethics.authoring import build\nfrom cps_ethics.simulate import cohort\n")
    found = violations([fake], fake.parents[1])
    assert any("runs back up (model -> authoring)" in f for f in found)
    assert any("only the main job's dry run" in f for f in found)


def test_trainee_kernel_loads_only_its_wing():
    """Importing what a released notebook imports, and showing a question, loads no trainer-side module."""
    code = ("import sys; import cps_ethics; from cps_ethics.notebook import widgets; "
            "print('\\n'.join(sorted(m for m in sys.modules if m.startswith(('cps_ethics', 'grading', 'nbgrader')))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert "cps_ethics.notebook.widgets" in out
    loaded_wings = {wing(m) for m in out if not m.startswith("nbgrader")}
    assert loaded_wings <= {"basics", "model", "notebook"}, out
    assert not any(m.startswith("nbgrader") for m in out), out
