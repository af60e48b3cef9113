"""Authors' preview: see any question or scenario as a trainee would, with every key and feedback shown."""

from __future__ import annotations

from pathlib import Path

from IPython.display import HTML, display

from cps_ethics.course import require_root
from cps_ethics.model import public
from cps_ethics.model.content import load_course
from cps_ethics.notebook import widgets


def _context(ref: str):
    root = require_root()
    course = load_course(root)
    found = course.find(ref)
    if found is None or found[0] == "reflection":
        raise KeyError(f"'{ref}' is not a question or scenario in content/modules/")
    module = found[2]
    content = public.project(course, module, reveal=True)
    return widgets.Context(Path.cwd(), trainee="preview", content=content,
                           answers_folder=root / ".preview_answers" / "authoring")


def preview(ref: str) -> None:
    """Show one question or scenario in practice mode (instant feedback), whatever its kind."""
    try:
        display(widgets.build(ref, _context(ref)).widget)
    except (KeyError, widgets.CourseError) as e:
        display(HTML(f"<p><b>{e}</b></p>"))


def catalogue() -> None:
    """List every module's questions and scenarios, with their ids, to pick one to preview."""
    course = load_course(require_root())
    rows = []
    for m in course.modules:
        for x in m.items():
            rows.append(f"<tr><td>{m.id}</td><td>{x['id']}</td><td>{x['kind']} {x['type']}</td>"
                        f"<td>{', '.join(x['principles'])}</td></tr>")
        for x in m.scenarios():
            rows.append(f"<tr><td>{m.id}</td><td>{x['id']}</td><td>{x['kind']} scenario</td>"
                        f"<td>{', '.join(x['principles'])}</td></tr>")
    display(HTML("<table><tr><th>module</th><th>id</th><th>kind</th><th>principles</th></tr>"
                 + "".join(rows) + "</table>"))
