"""Grading throughput: `python tools/grading/bench.py [copies] [assignment ...]`, also run by
`make bench` (every assignment, 40 copies).

For each assignment, grades `copies` copies of its solution notebook with tools/grade.py
(as many at a time as there are cores), once in the sandbox and once with --unsafe, and
prints submissions per minute. It also times the sandbox alone: a job with no code, run
20 times with and without bubblewrap, and what JAX, SymPy and Matplotlib cost a submission
that uses them: CPU seconds in the sandbox to import each, JAX's first operation and its
first compilations. The budget: a class of 300 in 10 minutes, so at least 30 submissions a
minute, sandbox included.

`python tools/grading/bench.py solutions [size] [assignment ...]` grades `size` (300) copies of
each assignment's solution in the sandbox only, at the default time limit: a whole class,
timed, rather than 40 copies scaled up.

`python tools/grading/bench.py class [size]` (and `make bench`, with 300) grades a realistic
class at the default time limit (`class_bench`): Canvas names, 80 % right, 15 % partly
wrong, 3 % with a cell that raises, 2 % with an infinite loop; then the same class with one
more student who hands in 12 notebooks that loop forever. Each must take 10 minutes or less.
"""

import csv
import json
import os
import queue
import random
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
CLASS_BUDGET = 600.0  # seconds for a class of 300, at the default time limit
CLASS_ASSIGNMENT = "central_difference"
# What some kinds of student do to the solution notebook: (text, replaced by).
WRONG = {
    "q3 exponent": ("** (1 / 3)", "** (1 / 2)"),
    "q1 forward difference": ("(f(x + h) - f(x - h)) / (2 * h)", "(f(x + h) - f(x)) / h"),
}
TYPO = ("steps = np.logspace", "steps = np.logspace(-12, -1, 45)\nsteps = np.lgspace")
LOOP = (
    "def optimal_step(f_value, third_derivative):",
    "while True:\n    pass\n\n\ndef optimal_step(f_value, third_derivative):",
)


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
    if result.returncode != 0:
        raise SystemExit(f"grading failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    with open(folder / f"{submissions.name}.csv", newline="") as table:
        totals = [row["total"] for row in csv.DictReader(table)]
    if len(totals) != copies or len(set(totals)) != 1 or float(totals[0]) <= 0:
        raise SystemExit(f"not every copy of the solution got the same full marks: {totals}")
    return seconds


def print_solution_classes(size=300, names=None):
    """Grade `size` copies of each solution in the sandbox; print the minutes; return misses."""
    missed = []
    with tempfile.TemporaryDirectory(prefix="grading-solutions-") as scratch:
        folder = Path(scratch)
        build(folder / "built")
        for name in names or known_assignments(folder / "built"):
            seconds = grading_seconds(folder / "built", name, size, folder, False)
            print(
                f"  a class of {size} ({name}, its solution, in the sandbox, TIMEOUT=60, "
                f"{len(os.sched_getaffinity(0))} cores): {seconds:.0f} s = "
                f"{seconds / 60:.1f} min, {seconds / size:.2f} s a student",
                flush=True,
            )
            if size >= 300 and seconds > CLASS_BUDGET:
                missed.append(f"class of {size} ({name}): {seconds:.0f} s > {CLASS_BUDGET:.0f} s")
    return missed


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


def grading_throughput(copies=40, names=None, whole_class=True):
    """Print the throughput table (and the class bench); return the budgets missed."""
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
    return missed + (print_class_bench(300) if whole_class else [])


def edited(notebook, find, replace):
    """A copy of `notebook` with `find` replaced in the one code cell that has it."""
    copy = json.loads(json.dumps(notebook))
    cells = [c for c in copy["cells"] if find in "".join(c["source"])]
    assert len(cells) == 1, find
    cells[0]["source"] = "".join(cells[0]["source"]).replace(find, replace, 1)
    return copy


def write_class(folder, solution, size, loop_student):
    """Canvas-named notebooks of a class of `size`; returns {file name: kind}."""
    shares = {"partly wrong": 0.15, "raises": 0.03, "infinite loop": 0.02}
    counts = {kind: max(1, round(size * share)) for kind, share in shares.items()}
    counts = {"right": size - sum(counts.values()), **counts}
    kinds = [kind for kind, count in counts.items() for _ in range(count)]
    random.Random(2026).shuffle(kinds)
    written = {}
    for n, kind in enumerate(kinds):
        late = "LATE_" if n % 17 == 0 else ""
        name = f"student{n:03d}_{late}{100000 + n}_{500000 + n}_{CLASS_ASSIGNMENT}.ipynb"
        notebook = solution
        if kind == "partly wrong":
            notebook = edited(solution, *list(WRONG.values())[n % len(WRONG)])
        elif kind == "raises":
            notebook = edited(solution, *TYPO)
        elif kind == "infinite loop":
            notebook = edited(solution, *LOOP)
        (folder / name).write_text(json.dumps(notebook))
        written[name] = kind
    for n in range(12 if loop_student else 0):
        name = f"looper_199999_599999_attempt{n:02d}.ipynb"
        (folder / name).write_text(json.dumps(edited(solution, *LOOP)))
        written[name] = "the loop student"
    return written


def class_bench(size=300, loop_student=False):
    """Seconds to grade a realistic class of `size` at the default time limit, and its rows."""
    with tempfile.TemporaryDirectory(prefix="grading-class-") as scratch:
        folder = Path(scratch)
        build(folder / "built")
        solution = folder / "built" / CLASS_ASSIGNMENT / "autograder" / f"{CLASS_ASSIGNMENT}.ipynb"
        submissions = folder / "class"
        submissions.mkdir()
        kinds = write_class(submissions, json.loads(solution.read_text()), size, loop_student)
        command = [sys.executable, ROOT / "tools" / "grade.py", submissions]
        command += ["--assignments", folder / "built", "--csv", folder / "class.csv"]
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(f"grading failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
        with open(folder / "class.csv", newline="") as table:
            rows = {row["submission"]: row for row in csv.DictReader(table)}
    by_kind = {}
    for name, kind in kinds.items():
        by_kind.setdefault(kind, []).append(float(rows[name]["total"]))
    return seconds, by_kind


def print_class_bench(size=300):
    """Print the class bench, with and without the loop student; return the budgets missed."""
    missed = []
    for loop_student in (False, True):
        seconds, by_kind = class_bench(size, loop_student)
        scores = ", ".join(
            f"{len(totals)} {kind} (mean {sum(totals) / len(totals):.1f})"
            for kind, totals in by_kind.items()
        )
        extra = " and one student's 12 extra loop files" if loop_student else ""
        print(
            f"  a class of {size}{extra} ({CLASS_ASSIGNMENT}, Canvas names, TIMEOUT=60, "
            f"{len(os.sched_getaffinity(0))} cores): {seconds:.0f} s = {seconds / 60:.1f} min, "
            f"{seconds / size:.2f} s a student; {scores}",
            flush=True,
        )
        if size >= 300 and seconds > CLASS_BUDGET:  # the loops cost the same in any class
            missed.append(f"class of {size}{extra}: {seconds:.0f} s > {CLASS_BUDGET:.0f} s")
    return missed


if __name__ == "__main__" and sys.argv[1:2] == ["solutions"]:
    arguments = sys.argv[2:]
    size = int(arguments.pop(0)) if arguments and arguments[0].isdigit() else 300
    missed = print_solution_classes(size, arguments)
    if missed:
        sys.exit(f"MISSED: {', '.join(missed)}")
elif __name__ == "__main__" and sys.argv[1:2] == ["class"]:
    missed = print_class_bench(int(sys.argv[2]) if len(sys.argv) > 2 else 300)
    if missed:
        sys.exit(f"MISSED: {', '.join(missed)}")
elif __name__ == "__main__":
    arguments = sys.argv[1:]
    copies = int(arguments.pop(0)) if arguments and arguments[0].isdigit() else 40
    missed = grading_throughput(copies, arguments, whole_class=False)
    if missed:
        sys.exit(f"MISSED: {', '.join(missed)}")
