"""nbgrader preprocessors the course configures: strip saved widget state before anything ships."""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool


class StripWidgetState(Preprocessor):
    """Remove saved ipywidgets state from a notebook (an instructor's clicks must not ship to trainees)."""

    enabled = Bool(True).tag(config=True)  # nbconvert preprocessors are off unless enabled

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                out.get("data", {}).pop("application/vnd.jupyter.widget-view+json", None)
        return nb, resources


__all__ = ["StripWidgetState"]
