"""The benchmark script runs end to end on a tiny cohort (so it cannot rot); timings are not asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_benchmark_script_tiny_cohort(tmp_path):
    res = subprocess.run([sys.executable, str(REPO / "benchmarks" / "pipeline_vs_export.py"), "--trainees", "20",
                          "--keep", str(tmp_path / "bench")], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "0 differ" in res.stdout and "ratio (export / pipeline)" in res.stdout
