"""Print the times that matter to a reader, a student and CI, measured on this machine.

Run with `make bench`. It prints, in order:

0. the accuracy table: the relative error and the number of evaluations of f for each
   `diffops` method at its default step, beside `scipy.differentiate.derivative` and
   `numdifftools.Derivative` in the same run, checked against the book's promised bounds
   (the same cases and bounds as tests/test_finite_differences.py);
0b. the cost wall: at n = 10,000, the time of f = sum(x**2) + sum(sin x), of its gradient
   by forward differences (diffops) and of its reverse-mode gradient (autograd), and the
   ratios (timings: shown, with a note below a ratio of 1,000, never a failure);
0c. grading throughput: 40 copies of each homework solution graded by `make grade`'s script,
   in the sandbox and with --unsafe, in submissions per minute (tools/grading/bench.py;
   budget: 30 a minute, a class of 300 in 10 minutes);
1. installing requirements.txt into a new virtual environment, with pip's cache off;
2. a clean `make book` (the build folders removed first);
3. `make pdf` right after it (the single-page build and the printing);
4. `make preview CHAPTER=03` right after that (one chapter run and its page rebuilt);
5. `make test` with the environment already installed;
6. each notebook in _toc.yml executed alone (`jupyter nbconvert --execute`): its time and
   the peak resident memory of the process and its kernel;
7. the fixed cost of a chapter, measured the same way: a notebook with one empty cell
   (nbconvert and the kernel's start) and one with chapter 1's setup cell (that plus the
   imports every chapter makes); a chapter's own work is its time less the second.

Budgets on a 2-core machine (BUDGETS below): clean `make book` <= 60 s, `make test` <=
180 s after the install, `make pdf` <= 30 s after `make book`, `make preview` <= 15 s,
each chapter alone <= 15 s and <= 1 GB. A missed budget or accuracy bound is printed
under MISSED, with the amount by which it was missed, and the exit status is then 1.

`--only PARTS` (comma-separated: accuracy, costwall, grading, install, book, pdf,
preview, test, chapters, fixed) runs only those parts, and `--chapters 01,03` only those
chapters; `make bench` runs everything.
"""

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

import autograd.numpy as anp
import nbformat
import numdifftools
import numpy as np
from autograd import grad
from scipy.differentiate import derivative as scipy_derivative

import diffops

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
# Shared with the tests, so that the bench and the tests check the same promise.
from grading.bench import grading_throughput  # noqa: E402 (tools/grading/, beside this file)
from test_book import remove_build_output, toc_notebooks  # noqa: E402
from test_finite_differences import BOUNDS, CASES  # noqa: E402

BUDGETS = {
    "book": 60,
    "test": 180,
    "pdf": 30,
    "preview": 15,
    "chapter seconds": 15,
    "chapter megabytes": 1000,
}
PARTS = (
    "accuracy", "costwall", "grading", "install", "book", "pdf", "preview", "test",
    "chapters", "fixed",
)  # fmt: skip


def at_default_step(method):
    return lambda f, x: diffops.derivative(f, method=method)(x)


ROUTINES = {
    **{method: at_default_step(method) for method in BOUNDS},
    "richardson": lambda f, x: diffops.richardson(f, x).df,
    "scipy": lambda f, x: scipy_derivative(f, x).df,
    "numdifftools": lambda f, x: numdifftools.Derivative(f)(x),
}


def error_and_evaluations(routine, f, exact, x):
    """Relative error of `routine` on f at x, and how many points f was evaluated at."""
    count = 0

    def counted(t):
        nonlocal count
        count += np.size(t)
        return f(t)

    value = float(routine(counted, x))
    return abs(value - exact(x)) / abs(exact(x)), count


def accuracy_table():
    """Print the accuracy table; return the list of promises that were not kept."""
    results = {
        (name, case[0]): error_and_evaluations(routine, *case[1:])
        for name, routine in ROUTINES.items()
        for case in CASES
    }
    print("accuracy at the default step: relative error (evaluations of f)")
    print(f"  {'':13}" + "".join(f"{case[0]:>20}" for case in CASES) + "   promise")
    missed = []
    for name in ROUTINES:
        cells = "".join(
            f"{results[name, case[0]][0]:>14.1e} ({results[name, case[0]][1]:>2})"
            for case in CASES
        )
        if name in BOUNDS:
            promise = f"<= {BOUNDS[name]:.1e}"
            missed += [
                f"{name} on {case[0]}"
                for case in CASES
                if results[name, case[0]][0] > BOUNDS[name]
            ]
        elif name == "richardson":
            promise = "<= scipy, no more evaluations"
            missed += [
                f"richardson on {case[0]}"
                for case in CASES
                if results["richardson", case[0]][0] > results["scipy", case[0]][0]
                or results["richardson", case[0]][1] > results["scipy", case[0]][1]
            ]
        else:
            promise = "(reference)"
        print(f"  {name:13}{cells}   {promise}", flush=True)
    print("every bound met" if not missed else f"MISSED: {', '.join(missed)}", flush=True)
    return missed


def timed(command, **kwargs):
    """Run `command` and return its wall-clock time in seconds; on failure show its end."""
    start = time.perf_counter()
    result = subprocess.run(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs
    )
    if result.returncode != 0:
        print(result.stdout[-5000:])
        raise SystemExit(f"{' '.join(command)} failed with exit status {result.returncode}")
    return time.perf_counter() - start


def cost_wall(n=10_000):
    """Print the cost-wall timings at n variables (timings: shown, never a failure)."""

    def f(x):
        return anp.sum(x**2) + anp.sum(anp.sin(x))

    x = np.random.default_rng(1).uniform(-1, 1, size=n)

    def seconds(function, number):
        return min(timeit.repeat(lambda: function(x), number=number, repeat=3)) / number

    f_time = seconds(f, 200)
    reverse_time = seconds(grad(f), 20)
    differences_time = seconds(diffops.gradient(f), 1)
    ratio = differences_time / reverse_time
    print(
        f"cost wall at n = {n}: f {f_time:.1e} s, reverse mode {reverse_time:.1e} s, "
        f"forward differences {differences_time:.1e} s"
    )
    print(
        f"  finite differences / f = {differences_time / f_time:.0f}, "
        f"reverse mode / f = {reverse_time / f_time:.1f}, "
        f"finite differences / reverse mode = {ratio:.0f}",
        flush=True,
    )
    if ratio < 1000:
        print(f"  note: the ratio {ratio:.0f} is below the 1000 the book leads one to expect")


def install_seconds():
    with tempfile.TemporaryDirectory() as folder:
        venv = Path(folder) / "venv"
        start = time.perf_counter()
        base_python = os.environ.get("PYTHON", "python3")  # as in the Makefile
        subprocess.run([base_python, "-m", "venv", venv], check=True)
        pip = [
            venv / "bin" / "python",
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-cache-dir",
            "--disable-pip-version-check",
            "-r",
            "requirements.txt",
        ]
        subprocess.run(
            pip, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        return time.perf_counter() - start


def clean_build_seconds():
    remove_build_output()
    return timed(["make", "--no-print-directory", "book"], cwd=ROOT)


def notebook_seconds_and_megabytes(path):
    """Execute one notebook alone; return its wall time and its peak memory in MB.

    The memory is the peak resident set of the largest process of the run, which is the
    kernel: wait4 reports the largest of nbconvert and the processes it waited for."""
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryFile() as errors:
        command = [
            shutil.which("jupyter", path=Path(sys.executable).parent),
            "nbconvert", "--to", "notebook", "--execute", "--output-dir", folder,
            ROOT / path,
        ]  # fmt: skip
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"{path} failed:\n{errors.read().decode()[-3000:]}")
    return seconds, usage.ru_maxrss / 1024


def make(*targets):
    return timed(["make", "--no-print-directory", *targets], cwd=ROOT)


def over(label, seconds, budget):
    """The missed-budget line for `label`, or nothing."""
    if seconds <= BUDGETS[budget]:
        return []
    extra = seconds - BUDGETS[budget]
    return [f"{label} took {seconds:.0f} s, {extra:.0f} s over its {BUDGETS[budget]} s"]


def fixed_cost():
    """Seconds and MB of an empty notebook and of one with chapter 1's setup cell."""
    chapter = nbformat.read(ROOT / toc_notebooks()[0], as_version=4)
    setup = next(
        c for c in chapter.cells if c.cell_type == "code" and c.get("id") != "colab-install"
    )
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, source in (("empty cell", ""), ("chapter 1's setup cell", setup.source)):
            notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
            notebook.metadata = chapter.metadata
            path = Path(folder) / "fixed.ipynb"
            nbformat.write(notebook, path)
            results[name] = notebook_seconds_and_megabytes(path)
    return results


def main(argv):
    parts = set(PARTS)
    if "--only" in argv:
        parts = set(argv[argv.index("--only") + 1].split(","))
        assert parts <= set(PARTS), f"--only takes some of {PARTS}"
    chapters = toc_notebooks()
    if "--chapters" in argv:
        wanted = argv[argv.index("--chapters") + 1].split(",")
        chapters = [p for p in chapters if Path(p).name.split("_")[0] in wanted]
    print(
        f"benchmark: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}",
        flush=True,
    )
    missed = []
    if "accuracy" in parts:
        missed += accuracy_table()
    if "costwall" in parts:
        cost_wall()
    if "grading" in parts:
        missed += grading_throughput()
    steps = [
        ("install", "install requirements.txt from nothing (no pip cache)", install_seconds),
        ("book", "clean build, make book", clean_build_seconds),
        ("pdf", "make pdf, after make book", lambda: make("pdf")),
        ("preview", "make preview CHAPTER=03, after make book", lambda: make(
            "preview", "CHAPTER=03")),
        ("test", "make test, after install", lambda: make("test")),
    ]  # fmt: skip
    for part, label, measure in steps:
        if part in parts:
            seconds = measure()
            print(f"{label:<56} {seconds:7.1f} s", flush=True)
            if part in BUDGETS:
                missed += over(label, seconds, part)
    if "chapters" in parts:
        print("each notebook executed alone: seconds, peak memory of its largest process")
        for path in chapters:
            seconds, megabytes = notebook_seconds_and_megabytes(path)
            print(f"  {path:<54} {seconds:7.1f} s {megabytes:7.0f} MB", flush=True)
            missed += over(path, seconds, "chapter seconds")
            if megabytes > BUDGETS["chapter megabytes"]:
                extra = megabytes - BUDGETS["chapter megabytes"]
                missed.append(f"{path} peaked at {megabytes:.0f} MB, {extra:.0f} MB over")
    if "fixed" in parts:
        print("fixed cost of a chapter (nbconvert, kernel start, imports), executed alone:")
        for name, (seconds, megabytes) in fixed_cost().items():
            print(f"  {name:<54} {seconds:7.1f} s {megabytes:7.0f} MB", flush=True)
    if missed:
        print(f"MISSED: {', '.join(missed)}")
        sys.exit(1)
    print(f"every budget measured was met: {BUDGETS}")


if __name__ == "__main__":
    main(sys.argv[1:])
