"""HTML pieces shared by the reports: the page, a table that is never typeset, a plot, text with its id."""

from __future__ import annotations

import html

import pandas as pd

from . import plots

CSS = """body{font-family:system-ui,sans-serif;max-width:70em;margin:1em auto;padding:0 1em;line-height:1.4}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}th,td{border:1px solid #ccc;padding:2px 6px;
text-align:left;vertical-align:top}th{background:#eef}img{max-width:100%}.bar{display:inline-block;height:.8em;
background:#3b6ea5}.flag{color:#a00}small.id{color:#666;font-size:.75em;display:block}
.summary{border:2px solid #3b6ea5;border-radius:6px;padding:.4em 1em;margin:.6em 0}.summary h2{margin:.4em 0 .2em}
.summary ol,.summary ul{margin:.2em 0 .6em}details{margin:.5em 0;border-top:1px solid #ccc;padding-top:.3em}
summary{cursor:pointer;font-weight:600;font-size:1.1em}nav.toc ol{columns:2}"""


def page(title: str, body: list[str]) -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>\n" + "\n".join(body) + "</body></html>")


# Trainee strings are shown as text only: pandas escapes HTML, and every table sits in an element that
# MathJax skips (mathjax_ignore: MathJax 3, as in JupyterLab 4; tex2jax_ignore: MathJax 2, as in nbconvert's
# HTML), so `$...$` or `\(...\)` in a trainee's string is never typeset where the HTML is shown.
NO_MATH = "<div class='tex2jax_ignore mathjax_ignore'>{}</div>"


def table(df: pd.DataFrame, cols: list[str] | None = None, max_rows: int | None = None, escape: bool = True) -> str:
    """A table as HTML for a report or the dashboard: text only, never typeset."""
    d = df[cols] if cols else df
    more = ""
    if max_rows is not None and len(d) > max_rows:
        d, more = d.head(max_rows), f"<p>(first {max_rows} of {len(d)} rows; all rows are in the CSV file)</p>"
    return NO_MATH.format(d.to_html(index=False, na_rep="", float_format=lambda x: f"{x:.3g}", escape=escape)) + more


def with_text(df: pd.DataFrame, key: str, texts: dict[str, str], label: str) -> pd.DataFrame:
    """`df` escaped for HTML, with a `label` column first: the text for `key`, its id in small print."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].map(lambda v: html.escape(str(v)) if isinstance(v, str) else v)
    shown = [f"{html.escape(texts.get(k, k))}<small class='id'>{html.escape(str(k))}</small>"
             for k in df[key].astype(str)]
    out.insert(0, label, shown)
    return out.drop(columns=[key])


def img(fig, alt: str) -> str:
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{plots.png(fig)}'>"


def collapsible(title: str, body: list[str], anchor: str, open_: bool = False) -> str:
    """A section a trainer opens when they need it."""
    return (f"<details id='{html.escape(anchor)}'{' open' if open_ else ''}><summary>{html.escape(title)}</summary>"
            + "\n".join(body) + "</details>")
