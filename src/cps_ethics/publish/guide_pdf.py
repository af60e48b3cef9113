"""Print an HTML page to PDF with headless Chromium (a real browser engine), or say how to get one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from cps_ethics.errors import CourseError

ENGINE_ENV = "CPS_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--no-pdf-header-footer"]
TIMEOUT = 180


def engine() -> str | None:
    """The Chromium program: $CPS_CHROMIUM, else the first browser of CANDIDATES on PATH."""
    if os.environ.get(ENGINE_ENV):
        path = shutil.which(os.environ[ENGINE_ENV])
        return path
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


def pages(pdf: Path) -> int:
    """The number of pages of a PDF Chromium wrote (its page objects are not compressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


def print_pdf(html: str, out: Path) -> int:
    """Write `html` as the PDF `out`; returns its page count."""
    out.parent.mkdir(parents=True, exist_ok=True)
    exe = engine()
    if exe is None:
        keep = out.with_suffix(".html")
        keep.write_text(html, encoding="utf-8")
        where = f"${ENGINE_ENV} ({os.environ[ENGINE_ENV]})" if os.environ.get(ENGINE_ENV) else "no Chromium on PATH"
        raise CourseError(
            f"the study guide is printed to PDF by the Chromium web browser, which was not found ({where}). "
            "Install it (Debian or Ubuntu: `sudo apt-get install chromium`; `bash scripts/main.sh` does this), "
            f"or set {ENGINE_ENV} to a Chromium or Google Chrome program, then run the command again. "
            f"Meanwhile the guide is in {keep}: open it in any browser and print it to PDF.")
    with tempfile.TemporaryDirectory(prefix="cps-guide-") as tmp:
        page, pdf = Path(tmp) / "study_guide.html", Path(tmp) / "study_guide.pdf"
        page.write_text(html, encoding="utf-8")
        cmd = [exe, *FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={pdf}", page.as_uri()]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise CourseError(f"Chromium ({exe}) did not finish printing the study guide in {TIMEOUT} s.") from None
        if not pdf.is_file() or not pdf.read_bytes().startswith(b"%PDF"):
            tail = "\n".join((res.stderr or "").strip().splitlines()[-5:])
            raise CourseError(f"Chromium ({exe}) did not write the study guide (exit {res.returncode}).\n{tail}")
        shutil.move(str(pdf), out)
    return pages(out)
