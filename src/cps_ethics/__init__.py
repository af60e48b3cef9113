"""Interactive, auto-graded course on the Massachusetts CPS Code of Ethics: what notebooks import."""

__all__ = ["show", "progress"]
__version__ = "0.1.0"


def show(ref: str):
    """Display one question or scenario of this notebook's module (a trainee's one-line cell)."""
    from cps_ethics.notebook.widgets import show as _show

    return _show(ref)


def progress():
    """Display the 'your progress' panel for this notebook's module."""
    from cps_ethics.notebook.widgets import progress as _progress

    return _progress()
