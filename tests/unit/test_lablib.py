"""The browser tests' notebook reader: Jupyter's save writes the file in place, so a read can find it empty."""

from __future__ import annotations

import lablib
import nbformat
import pytest


def test_a_notebook_caught_mid_save_is_read_again_until_whole(tmp_path, monkeypatch):
    path = tmp_path / "n.ipynb"
    path.write_text("")  # what a read finds while Jupyter writes the file
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("saved")])
    waits = []

    def save_finishes(seconds):  # Jupyter finishes writing while the reader waits
        waits.append(seconds)
        nbformat.write(nb, path)

    monkeypatch.setattr(lablib.time, "sleep", save_finishes)
    assert lablib.read_notebook(path).cells[0].source == "saved"
    assert len(waits) == 1


def test_a_notebook_that_stays_broken_still_fails(tmp_path):
    path = tmp_path / "n.ipynb"
    path.write_text('{"cells": [')
    with pytest.raises(ValueError):
        lablib.read_notebook(path, limit=0.5)
