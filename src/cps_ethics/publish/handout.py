"""`cps-course handout OUT.pdf`: a one-page guide a trainer prints for trainees (log in to feedback, and help)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from cps_ethics.errors import CourseError

from .facts import facts
from .guide_pdf import print_pdf
from .markup import esc, flat

MAX_FIELD = 200  # a trainer's own words on the handout (address, contact), kept short to stay on one page


def steps(hub: str, contact: str) -> list[tuple[str, str]]:
    """(heading, what to do) for each step, in the words the notebook and JupyterLab use."""
    where = f"Open <strong>{esc(hub)}</strong> in a web browser" if hub else \
        "Open the address your trainer gives you in a web browser"
    return [
        ("Log in", f"{where} and sign in with the name and password your trainer gives you. "
                   "JupyterLab opens. It works on a computer, a tablet or a phone."),
        ("Fetch a module", "Open the <strong>Nbgrader</strong> menu, then <strong>Assignment List</strong>. "
                           "Press <strong>Fetch</strong> next to the module your trainer released. Open its "
                           "folder on the left, then the notebook inside it (the file ending in .ipynb)."),
        ("Run All", "Open the <strong>Run</strong> menu and choose <strong>Run All Cells</strong>. Wait a "
                    "moment: the readings, questions and scenarios appear. Start at the top and work down. "
                    "You never type or change any code."),
        ("Answer", "Read, then click your choice, or use the keyboard: <strong>Tab</strong> moves to the next "
                   "choice, <strong>Space</strong> picks it, <strong>arrow keys</strong> change a drop-down, "
                   "<strong>Enter</strong> presses a button. Type reflections in their box. Everything is "
                   "saved as you go, so you can stop and come back. Practice questions tell you how you did "
                   "at once; graded ones are marked after you submit."),
        ("Submit", "When you are done, go back to <strong>Assignment List</strong> and press "
                   "<strong>Submit</strong> next to the module. You can submit again before the deadline; "
                   "your trainer grades the last one."),
        ("Get your feedback", "After grading, press <strong>Fetch Feedback</strong> in the same list, then "
                              "open the feedback page in the module's folder. It shows what you chose, your "
                              "points and your trainer's comments."),
        ("Get help", (f"Ask your trainer: <strong>{esc(contact)}</strong>. " if contact else
                      "Ask your trainer, in a session or the way they tell you. ")
         + "Some readings are about hard things; they start with a content note, and you can take a break or "
           "skip ahead. " + esc(flat(facts()["crisis"]))),
    ]


def page(hub: str = "", contact: str = "", course: str = "Massachusetts CPS Code of Ethics") -> str:
    """The handout as one HTML page."""
    for name, value in (("--hub", hub), ("--contact", contact)):
        if len(value) > MAX_FIELD or any(ord(ch) < 32 for ch in value):
            raise CourseError(f"handout {name}: one line of at most {MAX_FIELD} characters, please "
                              f"(got {len(value)} characters).")
    css = resources.files("cps_ethics.publish").joinpath("static/handout.css").read_text(encoding="utf-8")
    items = "".join(f"<li><h2>{esc(h)}</h2><p>{body}</p></li>" for h, body in steps(hub, contact))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>How to use the course</title>'
            f"<style>{css}</style></head><body><h1>How to use the course</h1>"
            f'<p class="sub">{esc(course)}: a course in JupyterLab. Keep this page next to you.</p>'
            f"<ol>{items}</ol></body></html>")


def write(out: Path, hub: str = "", contact: str = "") -> int:
    """Print the handout to `out` (PDF); returns its page count, which is 1 (more is a CourseError)."""
    pages = print_pdf(page(hub, contact), out)
    if pages != 1:
        raise CourseError(f"the handout came out as {pages} pages; shorten --hub or --contact.")
    return pages
