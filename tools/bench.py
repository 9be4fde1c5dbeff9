"""Print the times that matter to a reader, a student and CI, measured on this machine.

Run with `make bench`. It measures, in order:

1. installing requirements.txt into a new virtual environment, with pip's cache off;
2. a clean `make book` (the build folders removed first);
3. `make test` with the environment already installed;
4. the execution time of each notebook in _toc.yml, run alone with nbclient.

Targets on a 2-core machine: clean build <= 60 s and `make test` <= 90 s after install.
"""

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_book import remove_build_output, toc_notebooks  # noqa: E402  (shared with tests)


def timed(command, **kwargs):
    """Run `command` (failing loudly) and return its wall-clock time in seconds."""
    start = time.perf_counter()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs
    )
    return time.perf_counter() - start


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
    rows = [
        ("install requirements.txt from nothing (no pip cache)", install_seconds()),
        ("clean build, make book", clean_build_seconds()),
        ("make test, after install", timed(["make", "--no-print-directory", "test"], cwd=ROOT)),
    ]
    for label, seconds in rows:
        print(f"{label:<56} {seconds:7.1f} s", flush=True)
    print("notebook execution, each run alone:")
    for path in toc_notebooks():
        print(f"  {path:<54} {notebook_seconds(path):7.1f} s", flush=True)


if __name__ == "__main__":
    main()
