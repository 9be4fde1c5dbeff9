"""Print the times that matter to a reader, a student and CI, measured on this machine.

Run with `make bench`. It prints, in order:

0. the accuracy table: the relative error and the number of evaluations of f for each
   `diffops` method at its default step, beside `scipy.differentiate.derivative` and
   `numdifftools.Derivative` in the same run, checked against the book's promised bounds
   (the same cases and bounds as tests/test_finite_differences.py);
0b. the cost wall: at n = 10,000, the time of f = sum(x**2) + sum(sin x), of its gradient
   by forward differences (diffops) and of its reverse-mode gradient (autograd), and the
   ratios (finite differences / reverse mode must be at least 1,000);
1. installing requirements.txt into a new virtual environment, with pip's cache off;
2. a clean `make book` (the build folders removed first);
3. `make test` with the environment already installed;
4. the execution time of each notebook in _toc.yml, run alone with nbclient.

Targets on a 2-core machine: clean build <= 90 s and `make test` <= 90 s after install.
"""

import os
import platform
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
from nbclient import NotebookClient
from scipy.differentiate import derivative as scipy_derivative

import diffops

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
# Shared with the tests, so that the bench and the tests check the same promise.
from test_book import remove_build_output, toc_notebooks  # noqa: E402
from test_finite_differences import BOUNDS, CASES  # noqa: E402


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
    """Print the cost-wall timings at n variables; return the promises not kept."""

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
        f"finite differences / reverse mode = {ratio:.0f} (promise: >= 1000)",
        flush=True,
    )
    return [] if ratio >= 1000 else [f"cost-wall ratio {ratio:.0f} < 1000"]


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


def notebook_seconds(path):
    notebook = nbformat.read(ROOT / path, as_version=4)
    folder = str((ROOT / path).parent)
    client = NotebookClient(notebook, timeout=600, resources={"metadata": {"path": folder}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main():
    print(
        f"benchmark: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}",
        flush=True,
    )
    missed = accuracy_table() + cost_wall()
    rows = [
        ("install requirements.txt from nothing (no pip cache)", install_seconds()),
        ("clean build, make book", clean_build_seconds()),
        ("make test, after install", timed(["make", "--no-print-directory", "test"], cwd=ROOT)),
    ]
    for label, seconds in rows:
        print(f"{label:<56} {seconds:7.1f} s", flush=True)
    if rows[1][1] > 90:
        missed.append(f"clean build took {rows[1][1]:.0f} s > 90 s")
    print("notebook execution, each run alone:")
    for path in toc_notebooks():
        print(f"  {path:<54} {notebook_seconds(path):7.1f} s", flush=True)
    if missed:
        print(f"MISSED: {', '.join(missed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
