"""Grading throughput: `python tools/grading/bench.py [copies]`, also run by `make bench`.

For each assignment, grades `copies` copies of its solution notebook with tools/grade.py
(as many at a time as there are cores), once in the sandbox and once with --unsafe, and
prints submissions per minute. It also times the sandbox alone: a job with no code, run
20 times with and without bubblewrap. The budget: a class of 300 in 10 minutes, so at
least 30 submissions a minute, sandbox included.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grading.sandbox import Limits, Sandbox  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PER_MINUTE_BUDGET = 30


def build(folder):
    """`make assignments`, into `folder`."""
    make = [sys.executable, ROOT / "tools" / "assignments.py", folder]
    subprocess.run(make, check=True, capture_output=True)


def grading_seconds(built, name, copies, folder, unsafe):
    submissions = folder / f"{name}-{'unsafe' if unsafe else 'sandbox'}"
    submissions.mkdir()
    solution = built / name / "autograder" / f"{name}.ipynb"
    for n in range(copies):
        shutil.copyfile(solution, submissions / f"student{n:03d}.ipynb")
    command = [sys.executable, ROOT / "tools" / "grade.py", submissions, "--assignments", built]
    command += ["--csv", folder / f"{submissions.name}.csv", *(["--unsafe"] if unsafe else [])]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0 or result.stdout.count(" graded") < copies:
        raise SystemExit(f"grading failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return seconds


def sandbox_alone(unsafe, runs=20):
    """Median seconds of one empty job (Python starts, reads the job, answers)."""
    sandbox = Sandbox(Limits(timeout=60), unsafe=unsafe)
    job = json.dumps({"cells": [], "probes": []}).encode()
    times = sorted(sandbox.run(job, 64900).seconds for _ in range(runs))
    return times[runs // 2]


def grading_throughput(copies=40):
    """Print the throughput table; return the budgets missed."""
    missed = []
    print(f"grading {copies} copies of each solution, {os.cpu_count()} at a time:", flush=True)
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as scratch:
        folder = Path(scratch)
        build(folder / "built")
        for name in ("network_gradient", "central_difference"):
            sandboxed = grading_seconds(folder / "built", name, copies, folder, False)
            unsafe = grading_seconds(folder / "built", name, copies, folder, True)
            per_minute = 60 * copies / sandboxed
            print(
                f"  {name:20} {per_minute:6.0f} submissions/min in the sandbox "
                f"({sandboxed:5.1f} s), {60 * copies / unsafe:6.0f}/min with --unsafe "
                f"({unsafe:5.1f} s): the sandbox adds {(sandboxed - unsafe) / copies:+.3f} s "
                "a submission",
                flush=True,
            )
            if per_minute < PER_MINUTE_BUDGET:
                missed.append(f"grading {name}: {per_minute:.0f}/min < {PER_MINUTE_BUDGET}")
    bwrap, plain = sandbox_alone(False), sandbox_alone(True)
    print(
        f"  an empty job: {bwrap:.3f} s in bubblewrap, {plain:.3f} s without "
        f"(the sandbox itself: {bwrap - plain:+.3f} s)",
        flush=True,
    )
    return missed


if __name__ == "__main__":
    missed = grading_throughput(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
    if missed:
        sys.exit(f"MISSED: {', '.join(missed)}")
