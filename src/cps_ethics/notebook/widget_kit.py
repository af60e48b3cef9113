"""What every course widget shares: the notebook's context (content, answers store, trainee) and helpers."""

from __future__ import annotations

import hashlib
import html
import os
import random
from datetime import datetime
from pathlib import Path

import ipywidgets as W
from IPython.display import display

from cps_ethics.course import instructor_preview_dir
from cps_ethics.model import public, variants
from cps_ethics.store import AnswerStore, StoreError

FULL = W.Layout(width="100%")
FIT = W.Layout(width="auto", align_self="flex-start")  # as wide as its label (the default cuts labels off)
SAVED_GRADED = "Saved at {time}. You can change this answer until you submit the assignment."


# Keys pressed in a course control stay in that control. JupyterLab's shortcuts (Lumino's CommandRegistry) act
# on keydown events that reach the document: in command mode "d d" deletes a cell, "a"/"b" insert cells, letters
# change a cell's type, arrows move between cells, Shift+Enter re-runs the cell. A <select> is not ":read-write",
# so JupyterLab does not skip those shortcuts for a focused drop-down. This guard listens on the window in the
# capture phase (before the document) and stops a key's propagation when its target is inside a widget in a
# notebook output, so the control's own behaviour (typing, arrows, type-ahead, Space, Enter) is all that happens.
# Lumino's own opt-out, the `data-lm-suppress-shortcuts` attribute, would also swallow Ctrl+S and the command
# palette (the browser's "Save page" dialog would open instead), so those, and Tab, are let through here; Ctrl+S
# is handed to the notebook itself, since ipywidgets' text boxes stop their key events from reaching JupyterLab.
KEY_GUARD_JS = r"""(function () {
  if (window.cpsKeyGuard) { return; }
  window.cpsKeyGuard = true;
  var editing = ['a', 'c', 'v', 'x', 'z', 'y', 'enter', 'backspace', 'delete', 'home', 'end',
                 'arrowleft', 'arrowright', 'arrowup', 'arrowdown'];
  window.addEventListener('keydown', function (e) {
    var t = e.target;
    if (!(t instanceof Element) || !t.closest('.jp-OutputArea-output .jupyter-widgets')) { return; }
    if (e.key === 'Tab') { return; }
    var key = String(e.key).toLowerCase();
    if ((e.ctrlKey || e.metaKey) && key === 's' && e.isTrusted) {
      // A text box stops its own key events, so JupyterLab would never see Ctrl+S and the browser would ask
      // where to save the page: hand the key to the notebook instead.
      var nb = t.closest('.jp-Notebook');
      e.preventDefault();
      e.stopPropagation();
      if (nb) {
        nb.dispatchEvent(new KeyboardEvent('keydown', {key: e.key, code: e.code, keyCode: e.keyCode,
          ctrlKey: e.ctrlKey, metaKey: e.metaKey, shiftKey: e.shiftKey, altKey: e.altKey, bubbles: true,
          cancelable: true}));
      }
      return;
    }
    if ((e.ctrlKey || e.metaKey) && editing.indexOf(key) < 0) { return; }
    e.stopPropagation();
  }, true);
})();"""


def guard_keys() -> None:
    """Display the key guard (once per page; running it again does nothing). Its output shows nothing."""
    display({"application/javascript": KEY_GUARD_JS, "text/plain": ""}, raw=True)


def trainee_id() -> str:
    """The id nbgrader files this trainee's submission under, so the versions shown are the ones graded.

    The same rule as nbgrader's `utils.get_username` (not imported: the trainee's kernel loads no trainer
    code): the operating-system user of the kernel, or JUPYTERHUB_USER where that user is the shared
    `jovyan` of Jupyter's container images; CPS_TRAINEE_ID, where a deployment sets it, comes first (a trainee
    who changed it would only be shown versions they are not graded on). Without a hub the trainer names each
    trainee's folder in submitted/ with this id (the progress panel shows it)."""
    if os.environ.get("CPS_TRAINEE_ID"):  # set by a deployment (or a test) that files submissions otherwise
        return os.environ["CPS_TRAINEE_ID"]
    try:
        import pwd

        osname = pwd.getpwuid(os.getuid())[0]
    except (ImportError, KeyError):  # Windows, or a uid with no name: nbgrader cannot submit there either
        osname = os.environ.get("USERNAME") or os.environ.get("USER") or "trainee"
    return os.environ.get("JUPYTERHUB_USER", "jovyan") if osname == "jovyan" else osname


def shuffled(seq: list, trainee: str, owner: str) -> list:
    """The trainee's own option order: fixed for a trainee and item, different across trainees."""
    seed = int(hashlib.sha256(f"{trainee}:{owner}".encode()).hexdigest()[:16], 16)
    out = list(seq)
    random.Random(seed).shuffle(out)
    return out


def paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in text.strip().split("\n\n") if p.strip())


class Context:
    """What every widget of one notebook shares: its public content, answers store, trainee and listeners."""

    def __init__(self, folder: Path | None = None, trainee: str | None = None, content: dict | None = None,
                 answers_folder: Path | None = None):
        folder = Path(folder or Path.cwd())
        self.content = content if content is not None else public.load(folder)
        preview = answers_folder or instructor_preview_dir(folder)
        self.preview = preview is not None
        self.store = AnswerStore(preview or folder)
        self.trainee = trainee or trainee_id()
        self.listeners: list = []
        self._draw: dict[str, str] | None = None  # the practice exam's questions for this trainee

    def answers(self) -> tuple[dict, str | None]:
        try:
            return self.store.answers(), None
        except StoreError as e:
            return {}, f"Your saved answers could not be read ({e}). Your next choice starts a fresh file."

    def variant(self, ref: str) -> str:
        """The item or scenario this trainee sees for `ref`: a slot's variant, an exam position's question,
        or `ref` itself."""
        exam = self.content.get("exam")
        if exam and ref in exam["positions"]:
            if self._draw is None:
                self._draw = variants.exam_draw(self.trainee, self.content["module"], exam)
            return self._draw[ref]
        slots = self.content.get("slots", {})
        return variants.pick(self.trainee, ref, slots[ref]) if ref in slots else ref

    def save(self, ref: str, value, variant: str | None = None) -> str:
        """Record an answer; returns the line to show the trainee."""
        try:
            note = self.store.record(ref, value, variant)
        except OSError as e:
            return f"Could not save your answer ({e.strerror or e}). Please tell your trainer."
        for fn in list(self.listeners):
            fn()
        line = SAVED_GRADED.format(time=datetime.now().strftime("%H:%M"))
        if self.preview:
            line += " (Instructor preview: saved outside source/.)"
        return f"{line} {note}" if note else line


_contexts: dict[str, Context] = {}


def context() -> Context:
    key = str(Path.cwd().resolve())
    if key not in _contexts:
        _contexts[key] = Context()
    return _contexts[key]
