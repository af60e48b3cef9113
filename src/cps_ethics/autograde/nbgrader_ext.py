"""nbgrader preprocessors the course configures: strip widget state on release, cut huge output at autograde."""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Integer


class StripWidgetState(Preprocessor):
    """Remove saved ipywidgets state from a notebook (an instructor's clicks must not ship to trainees)."""

    enabled = Bool(True).tag(config=True)  # nbconvert preprocessors are off unless enabled

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                out.get("data", {}).pop("application/vnd.jupyter.widget-view+json", None)
        return nb, resources


class LimitOutputChars(Preprocessor):
    """Cut any one output longer than `max_chars` (nbgrader's LimitOutput counts lines, so one 30 MB line
    would stay in the autograded notebook and in feedback). Grading cells print far less than this."""

    enabled = Bool(True).tag(config=True)
    max_chars = Integer(100_000).tag(config=True)

    def _cut(self, text):
        if isinstance(text, list):
            text = "".join(text)
        if not isinstance(text, str) or len(text) <= self.max_chars:
            return text
        return text[: self.max_chars] + f"\n... [output cut: {len(text) - self.max_chars} more characters not kept]\n"

    def preprocess_cell(self, cell, resources, index):
        for out in cell.get("outputs", []):
            if "text" in out:
                out["text"] = self._cut(out["text"])
            for mime, value in list(out.get("data", {}).items()):
                if isinstance(value, (str, list)):
                    out["data"][mime] = self._cut(value)
        return cell, resources



class HideCodeInFeedback(Preprocessor):
    """Feedback shows no code: the display cells' code (hidden from trainees in the notebook) is left out of
    the page, as nbconvert's templates do for cells marked `transient.remove_source`. Grading cells keep
    their (empty) input block, where nbgrader shows the points."""

    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        meta = cell.get("metadata", {})
        if cell.get("cell_type") == "code" and not meta.get("nbgrader", {}).get("grade"):
            meta.setdefault("transient", {})["remove_source"] = True
        return cell, resources


__all__ = ["HideCodeInFeedback", "LimitOutputChars", "StripWidgetState"]
