"""Grading throughput: `python tools/grading/bench.py [copies] [assignment ...]`, also run by
`make bench` (every assignment, 40 copies).

For each assignment, grades `copies` copies of its solution notebook with tools/grade.py
(as many at a time as there are cores), once in the sandbox and once with --unsafe, and
prints submissions per minute. It also times the sandbox alone: a job with no code, run
20 times with and without bubblewrap, and what JAX, SymPy and Matplotlib cost a submission
that uses them: CPU seconds in the sandbox to import each, JAX's first operation and its
first compilations. The budget: a class of 300 in 10 minutes, so at least 30 submissions a
minute, sandbox included.
"""

import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grading import session  # noqa: E402
from grading.assignment import known_assignments  # noqa: E402
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
    job = b'{"cells": []}\n{"probes": []}\n'
    times = sorted(sandbox.run(job, 64900).seconds for _ in range(runs))
    return times[runs // 2]


# One submission's costs, in the order a notebook meets them: each stage's CPU seconds.
LIBRARY_STAGES = """
import resource
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
stages, start = {}, cpu()
def stage(name):
    global start
    stages[name], start = cpu() - start, cpu()
import numpy as np
stage("import numpy")
import matplotlib.pyplot
stage("import matplotlib.pyplot")
import sympy
stage("import sympy")
t = sympy.Symbol("t")
sympy.lambdify(t, sympy.diff(sympy.exp(sympy.sin(t)) / (1 + t**2), t), "numpy")(0.5)
stage("sympy: first diff and lambdify")
import jax
import jax.numpy as jnp
jax.config.update("jax_enable_x64", True)
stage("import jax")
jnp.ones(3) + 1
stage("jax: first operation (CPU backend)")
jax.jit(jax.grad(lambda x: jnp.sum(jnp.sin(x) ** 2)))(np.linspace(0, 1, 100))
stage("jax: compile and run jit(grad)")
A, B = np.ones((16, 3)), np.ones((20, 16))
jax.jit(jax.jacrev(lambda x: B @ jnp.tanh(A @ x)))(np.ones(3))
stage("jax: compile and run jit(jacrev)")
jax.jit(jax.grad(lambda x: jnp.sum(jnp.cos(x) ** 2)))(np.linspace(0, 1, 100))
stage("jax: one more jit(grad)")
"""


def library_costs(runs=5):
    """Median CPU seconds of each stage of LIBRARY_STAGES, run `runs` times in the sandbox."""
    sandbox, uids = Sandbox(Limits(timeout=60)), queue.Queue()
    uids.put(64900)
    seen = []
    for _ in range(runs):
        result = session.run_notebook(sandbox, [(1, LIBRARY_STAGES)], ["stages"], uids, runs=1)
        seen.append(result.values[0])
    return {name: sorted(run[name] for run in seen)[runs // 2] for name in seen[0]}


def grading_throughput(copies=40, names=None):
    """Print the throughput table; return the budgets missed."""
    missed = []
    print(f"grading {copies} copies of each solution, {os.cpu_count()} at a time:", flush=True)
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as scratch:
        folder = Path(scratch)
        build(folder / "built")
        for name in names or known_assignments(folder / "built"):
            sandboxed = grading_seconds(folder / "built", name, copies, folder, False)
            unsafe = grading_seconds(folder / "built", name, copies, folder, True)
            per_minute = 60 * copies / sandboxed
            print(
                f"  {name:20} {per_minute:6.0f} submissions/min in the sandbox "
                f"({sandboxed:5.1f} s), {60 * copies / unsafe:6.0f}/min with --unsafe "
                f"({unsafe:5.1f} s): the sandbox adds {(sandboxed - unsafe) / copies:+.3f} s "
                f"a submission; a class of 300 in {300 / per_minute:4.1f} min",
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
    print("  a submission's CPU seconds in the sandbox, median of 5 runs, stage by stage:")
    for name, seconds in library_costs().items():
        print(f"    {name:36} {seconds:5.2f} s", flush=True)
    return missed


if __name__ == "__main__":
    arguments = sys.argv[1:]
    copies = int(arguments.pop(0)) if arguments and arguments[0].isdigit() else 40
    missed = grading_throughput(copies, arguments)
    if missed:
        sys.exit(f"MISSED: {', '.join(missed)}")
