"""`make run`'s start: serve.py's warm-up (libraries, catalog of communes and the default
map) in a fresh Python process, as the first visitor depends on it. Three runs, best and median."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ("import time; t = time.perf_counter(); import serve; serve.preload(); "
          "print(time.perf_counter() - t)")


def main() -> None:
    times = sorted(float(subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True,
                                        text=True, check=True).stdout.split()[-1]) for _ in range(3))
    print(f"serve.py warm-up before the server opens: best {times[0]:.2f} s, median {times[1]:.2f} s")
