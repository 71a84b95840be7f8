"""Layers that once blew up (issue 11): N features all claiming one commune (Albi), each
under its own name, read and analysed by `cpts-coverage` (cli.coverage) in a fresh process;
time and peak memory (max RSS) printed. Beyond MAX_PERIMETERS the layer is refused with
a message (exit 2) instead of being analysed.

Run it against another checkout to compare: `python -m bench.hostile_bench /work/main`.
The inputs are BENCHMARK INPUTS (invented names over a real commune)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A small square inside Albi: every feature also carries a contour, as real layers do.
ALBI = {"type": "Polygon", "coordinates": [[[2.14, 43.92], [2.16, 43.92], [2.16, 43.93], [2.14, 43.93],
                                             [2.14, 43.92]]]}
SIZES = (100, 500, 1_000, 2_000, 10_000)


def layer(features: int) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nom": f"Essai {i}", "communes": ["81004"]}, "geometry": ALBI}
        for i in range(features)]}).encode()


# The child reports its own peak memory, even when it fails (MemoryError under the cap).
CHILD = """import resource, runpy, sys
code = 0
try:
    runpy.run_module("cli.coverage", run_name="__main__")
except SystemExit as exc:
    code = exc.code
except MemoryError:
    code = "MemoryError"
finally:
    print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code if isinstance(code, int) else 3)
"""


def run(root: Path, path: Path, limit_gb: float = 4.0) -> tuple[float, float, int]:
    """(seconds, peak MB, exit status) of geo.coverage on `path`, memory capped at `limit_gb`."""
    cap = int(limit_gb * 2**30)

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), "--departement", "81", "--json"],
                         cwd=root, capture_output=True, text=True, preexec_fn=limit, timeout=900, check=False)
    seconds = time.perf_counter() - start
    peak = next((int(line.split()[1]) for line in out.stderr.splitlines() if line.startswith("PEAK_KB")), 0)
    return seconds, peak / 1024, out.returncode


def main(root: str | None = None) -> None:
    root_path = Path(root) if root else ROOT
    with tempfile.TemporaryDirectory() as tmp:
        for n in SIZES:
            path = Path(tmp) / f"albi_{n}.geojson"
            path.write_bytes(layer(n))
            seconds, peak, status = run(root_path, path)
            print(f"  {n:>6} features claiming Albi: {seconds:6.1f} s, peak {peak:6.0f} MB, exit {status}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
