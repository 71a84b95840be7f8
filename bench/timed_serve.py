"""`serve.py` with each script run timed on the server: the browser benchmark starts the app
through this file to report the server's own time per click (issue 14: p90 ≤ 300 ms under
10 concurrent sessions), apart from what the browsers and the network add.

Every run of a page script (whole page or fragment) appends its wall-clock duration and
the CPU time of its thread, in milliseconds, one line each, to the file named by
$CPTS_BENCH_RUN_LOG: on a loaded machine the first includes waiting for a core, the second
is the server's own work. Bench-only: the app itself is not changed.
"""

import os
import runpy
import sys
import time
from pathlib import Path

from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

LOG = os.environ["CPTS_BENCH_RUN_LOG"]
_run_script = ScriptRunner._run_script


def _timed_run_script(self, rerun_data):
    start, cpu = time.perf_counter(), time.thread_time()
    try:
        return _run_script(self, rerun_data)
    finally:
        with open(LOG, "a") as out:
            out.write(f"{(time.perf_counter() - start) * 1000:.1f} {(time.thread_time() - cpu) * 1000:.1f}\n")


ScriptRunner._run_script = _timed_run_script
SERVE = Path(__file__).resolve().parents[1] / "serve.py"
sys.path.insert(0, str(SERVE.parent))
sys.argv = [str(SERVE), *sys.argv[1:]]
runpy.run_path(str(SERVE), run_name="__main__")
