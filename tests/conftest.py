"""The real build of the book, shared by every test module and every xdist worker.

`make test` runs the tests in two or more pytest-xdist workers. The tests of the built
site are spread over them, but the book must be built only once per run: the first
worker that asks builds it while holding a lock on _build/.tests.lock, and the others
wait for the lock and reuse its build. A marker file records the run's id (the
`testrun_uid` that xdist gives every worker of one run) and when the build started.
The student edition is made the same way, after the real build.

nbval runs every notebook of the book as a test. Its notebooks are collected first, and
each one that runs without an error is written, with the outputs nbval received (nbval
joins a cell's printed text into one output per stream; tools/build_book.py does the
same to the notebooks it runs, so the pages do not depend on how a kernel split it), to
_build/.tests-nbval/<run id>/; the real build then caches those as they are (the
`--executed` option of tools/build_book.py) and runs only the notebooks that nbval has
not finished yet. So a test run executes each notebook about once, not twice, and the
figures of the real build still come from this run. `make book` runs every notebook
itself, and tests/test_build_guards.py builds copies that way.

The browser tests are collected last, so that a worker reaches them after the build and
never waits for it while other work is left.
"""

import copy
import fcntl
import functools
import gc
import http.server
import json
import shutil
import subprocess
import sys
import threading
import time
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path

import nbval.kernel
import pytest
from ipykernel.ipkernel import IPythonKernel
from nbval.kernel import start_new_kernel
from test_book import (
    ROOT,
    build,
    build_book,
    build_failure,
    build_flags,
    git_status,
    remove_build_output,
)

BUILD = ROOT / "_build"
NBVAL_OUTPUTS = BUILD / ".tests-nbval"


def run_id(config):
    """The id of this test run, the same in every xdist worker."""
    if hasattr(config, "workerinput"):
        return config.workerinput["testrunuid"]
    if not hasattr(config, "book_run_id"):
        config.book_run_id = uuid.uuid4().hex
    return config.book_run_id


def is_notebook_cell(item):
    return type(item).__name__ == "IPyNbCell"


class NotebookRecorder:
    """Writes out each notebook that nbval has run. A plugin, not a conftest hook: the
    hooks of tests/conftest.py would only see the items under tests/, not book/."""

    @staticmethod
    def pytest_runtest_teardown(item, nextitem):
        """After the last cell of a notebook, keep the notebook nbval executed, if it ran clean."""
        if not is_notebook_cell(item) or (nextitem is not None and nextitem.parent is item.parent):
            return
        notebook = item.parent
        cell_items = [i for i in item.session.items if i.parent is notebook]
        executed = copy.deepcopy(notebook.nb)
        code_cells = [cell for cell in executed.cells if cell.cell_type == "code"]
        outputs = [i.test_outputs for i in cell_items]
        if len(outputs) != len(code_cells) or any(
            out is None or any(o.get("output_type") == "error" for o in out) for out in outputs
        ):
            return  # not run to the end without an error: the build runs it itself
        for count, (cell, out) in enumerate(zip(code_cells, outputs, strict=True), start=1):
            cell.outputs = out
            cell.execution_count = count
        # As nbclient records it from the kernel: it picks the highlighting of the code.
        executed.metadata["language_info"] = IPythonKernel.language_info
        folder = NBVAL_OUTPUTS / run_id(item.config)
        for old in NBVAL_OUTPUTS.glob("*"):  # earlier runs'
            if old != folder:
                shutil.rmtree(old, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        name = build_book.executed_name(Path(str(notebook.fspath)).relative_to(ROOT))
        partial = folder / f".{name}.partial"
        partial.write_text(json.dumps(executed))
        partial.rename(folder / name)  # whole or absent for a build that starts meanwhile


def start_new_kernel_with_retries(*args, **kwargs):
    """nbval's kernel start, tried up to three times.

    Kernels that start at the same moment choose TCP ports independently, and two can pick
    the same one: the loser dies before it replies ("Kernel died before replying to
    kernel_info"). That is a property of the machine's load, not of the notebook.
    """
    for attempt in range(3):
        try:
            return start_new_kernel(*args, **kwargs)
        except RuntimeError:
            if attempt == 2:
                raise
            with warnings.catch_warnings():  # close the dead kernel's files quietly
                warnings.simplefilter("ignore", ResourceWarning)
                gc.collect()


def pytest_configure(config):
    config.pluginmanager.register(NotebookRecorder(), "book-notebook-recorder")
    nbval.kernel.start_new_kernel = start_new_kernel_with_retries


@contextmanager
def build_lock():
    BUILD.mkdir(exist_ok=True)
    with open(BUILD / ".tests.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def once_per_run(name, run_id, make):
    """Call `make()` the first time any worker of this run asks; return its start time."""
    marker = BUILD / f".tests-{name}"
    with build_lock():
        if marker.exists():
            made_by, started = marker.read_text().split()
            if made_by == run_id:
                return float(started)
        marker.unlink(missing_ok=True)
        started = time.time()
        make()
        marker.write_text(f"{run_id} {started}")
        return started


@pytest.fixture(scope="session")
def built_site(request):
    """The real book, built from clean as `make book` does, but with the notebooks nbval has
    already run in this test run taken as executed; git status must stay put."""

    def make():
        remove_build_output()
        before = git_status()
        result = build(ROOT, executed=NBVAL_OUTPUTS / run_id(request.config))
        assert result.returncode == 0, build_failure(result)
        assert git_status() == before, "building the book changed files that git sees"

    started = once_per_run("book", run_id(request.config), make)
    return BUILD / "html", started


@pytest.fixture(scope="session")
def student_site(built_site, request):
    """`make book-student` after the real build: same pages, solutions removed."""

    def make():
        result = subprocess.run(
            [sys.executable, ROOT / "tools" / "student_site.py", *build_flags()],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, build_failure(result)
        assert "Executing notebook" not in result.stdout, "the student build ran notebooks"

    once_per_run("student", run_id(request.config), make)
    return BUILD / "student" / "_build" / "html"


# --- the built site in a browser (tests/test_browser*.py) ---------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder):
    """A started server of `folder` on a free localhost port; shut it down when done."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def site_url(built_site):
    """Serve the built site on a free localhost port for the length of the session."""
    html, _ = built_site
    server = serve(html)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "run `make test`, which installs Debian's chromium"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def pytest_collection_modifyitems(items):
    # nbval's notebooks first (the real build reuses them), the browser tests last.
    items.sort(
        key=lambda item: (
            0
            if is_notebook_cell(item)
            else 2
            if item.nodeid.startswith("tests/test_browser")
            else 1
        )
    )
