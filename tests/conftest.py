"""The real build of the book, shared by every test module and every xdist worker.

`make test` runs the tests in two or more pytest-xdist workers. The tests of the built
site are spread over them, but the book must be built only once per run: the first
worker that asks builds it while holding a lock on _build/.tests.lock, and the others
wait for the lock and reuse its build. A marker file records the run's id (the
`testrun_uid` that xdist gives every worker of one run) and when the build started.
The student edition is made the same way, after the real build.

The browser tests are collected last, so that a worker reaches them after the build and
never waits for it while other work is left.
"""

import fcntl
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
from test_book import ROOT, build, build_failure, build_flags, git_status, remove_build_output

BUILD = ROOT / "_build"


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
def built_site(testrun_uid):
    """The real book, built from clean as `make book` does; git status must stay put."""

    def make():
        remove_build_output()
        before = git_status()
        result = build(ROOT)
        assert result.returncode == 0, build_failure(result)
        assert git_status() == before, "building the book changed files that git sees"

    started = once_per_run("book", testrun_uid, make)
    return BUILD / "html", started


@pytest.fixture(scope="session")
def student_site(built_site, testrun_uid):
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

    once_per_run("student", testrun_uid, make)
    return BUILD / "student" / "_build" / "html"


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.nodeid.startswith("tests/test_browser.py"))
