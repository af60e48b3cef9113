"""CSV files a trainer may open in a spreadsheet: no cell can start a formula.

Any text cell that begins with = + - @, a tab or a carriage return (what spreadsheets read as the start of
a formula, OWASP's list) is written with a leading apostrophe, which spreadsheets show as text. Numbers stay
numbers (a negative number is not a formula). Every CSV the pipeline writes goes through `write`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(x):
    """One cell as written: text that could start a formula gets a leading apostrophe."""
    return "'" + x if isinstance(x, str) and x.startswith(FORMULA_START) else x


def protect(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells cannot start a formula (other columns unchanged)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(cell)
    out.columns = [cell(str(c)) for c in out.columns]
    return out


def write(df: pd.DataFrame, path: Path) -> None:
    """`df` as CSV at `path` (no index), formula-safe."""
    protect(df).to_csv(path, index=False)
