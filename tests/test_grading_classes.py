"""`make grade` on whole classes: files belong to students, and no student harms another.

The module fixture builds the assignments and grades, at the same time, small classes with
tools/grade.py, each downloaded as Canvas and Moodle download them (Canvas names such as
`alice_1001_5001_network_gradient.ipynb` in one flat folder, or a folder per student):

- "canvas": no ASSIGNMENT=; honest students; one who hands in more notebooks naming
  another assignment than the class has students (one vote all the same); one with seven
  guesses (three are graded, the rest are over the student's budget); one whose infinite
  loops use up the student's own sandbox time;
- "latest": LATEST=1, two students with older and newer notebooks.
"""

import json
import os
import subprocess
import sys

import pytest
from test_grading import ROOT, dump, edited, read_rows, run_grader

sys.path.insert(0, str(ROOT / "tools"))

from grading import students  # noqa: E402

TIMEOUT = 8
UID_BASE = {"canvas": 64600, "latest": 64610}


def write_canvas_class(folder, built):
    """An honest class and three students who try the grader; returns the loop student's id."""
    solution = json.loads((built / "autograder" / "network_gradient.ipynb").read_text())
    wrong = edited(solution, "scale = np.linalg.norm(a) + np.linalg.norm(b)", "scale = 1.0")
    text = dump(solution)
    (folder / "alice_1001_5001_network_gradient.ipynb").write_text(text)
    (folder / "bob_LATE_1002_5002_network_gradient.ipynb").write_text(text)
    (folder / "carol_1003_5003_network_gradient.ipynb").write_text(dump(wrong))
    (folder / "dave").mkdir()
    (folder / "dave" / "network_gradient.ipynb").write_text(text)
    # Mallory: more tiny notebooks naming another assignment than the class has students.
    tiny = {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": "1"}],
        "metadata": {"otter": {"assignment_name": "central_difference"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    for n in range(9):
        (folder / f"mallory_1004_5004_vote{n}.ipynb").write_text(json.dumps(tiny))
    # Eve: seven guesses, one of which is right.
    for n in range(7):
        guess = solution if n == 3 else wrong
        (folder / f"eve_1005_5005_guess{n}.ipynb").write_text(dump(guess))
    # Lou: three infinite loops.
    loop = edited(solution, "import numpy as np\n", "import numpy as np\nwhile True:\n    pass\n")
    for n in range(3):
        (folder / f"lou_1006_5006_loop{n}.ipynb").write_text(dump(loop))


def write_latest_class(folder, built):
    """Two students, each with an older handout and a newer solution (by id or by time)."""
    solution = (built / "autograder" / "network_gradient.ipynb").read_text()
    handout = (built / "student" / "network_gradient.ipynb").read_text()
    (folder / "ann_2001_6001_network_gradient.ipynb").write_text(handout)
    (folder / "ann_2001_6002_network_gradient-1.ipynb").write_text(solution)
    (folder / "ben").mkdir()
    (folder / "ben" / "a_final.ipynb").write_text(solution)
    (folder / "ben" / "b_draft.ipynb").write_text(handout)
    os.utime(folder / "ben" / "b_draft.ipynb", (1_700_000_000, 1_700_000_000))
    os.utime(folder / "ben" / "a_final.ipynb", (1_700_000_100, 1_700_000_100))


@pytest.fixture(scope="module")
def classes(tmp_path_factory):
    base = tmp_path_factory.mktemp("classes")
    built = base / "built"
    make = [sys.executable, ROOT / "tools" / "assignments.py", built]
    result = subprocess.run(make, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    folders = {name: base / name for name in UID_BASE}
    for folder in folders.values():
        folder.mkdir()
    write_canvas_class(folders["canvas"], built / "network_gradient")
    write_latest_class(folders["latest"], built / "network_gradient")
    common = ["--assignments", built, "--jobs", "2", "--timeout", str(TIMEOUT)]
    options = {
        "canvas": ["--student-files", "3", "--student-seconds", str(TIMEOUT)],
        "latest": ["--latest", "--assignment", "network_gradient"],
    }
    runs = {
        name: run_grader(
            folders[name],
            *common,
            *options[name],
            *("--csv", base / f"{name}.csv", "--uid-base", str(UID_BASE[name])),
        )
        for name in UID_BASE
    }
    outputs = {}
    for name, process in runs.items():
        out, err = process.communicate(timeout=600)
        outputs[name] = dict(stdout=out, stderr=err, returncode=process.returncode)
        assert process.returncode == 0, (name, outputs[name])
    rows = {
        name: {r["submission"]: r for r in read_rows(base / f"{name}.csv")} for name in UID_BASE
    }
    return dict(base=base, outputs=outputs, rows=rows)


# --- files belong to students ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "student"),
    [
        ("alice_1001_5001_hw.ipynb", "Canvas user 1001"),
        ("bob_LATE_1002_5002_hw.ipynb", "Canvas user 1002"),
        ("mallory_1004_5004_victim_1001_5001_hw.ipynb", "Canvas user 1004"),
        ("o_brien_1007_5007_hw_2.ipynb", "Canvas user 1007"),
        (
            "Alice Smith_123_assignsubmission_file_/hw.ipynb",
            "Alice Smith_123_assignsubmission_file_",
        ),
        ("dave/sub/hw.ipynb", "dave"),
        ("hw.ipynb", "hw.ipynb"),
        ("1001_5001.ipynb", "1001_5001.ipynb"),
    ],
)
def test_each_file_has_one_student(relative, student):
    assert students.student_key(relative) == student


def test_the_assignment_is_decided_one_vote_a_student():
    known = {"central_difference", "network_gradient"}
    mallory = ["central_difference"] * 9
    groups = {"a": ["network_gradient"], "b": ["network_gradient"], "m": mallory}
    assert students.decide_assignment(groups, known) == ("network_gradient", 2, 3)
    with pytest.raises(students.NoAssignment, match="a tie between central_difference, network"):
        students.decide_assignment({"a": ["network_gradient"], "m": mallory}, known)
    three = {"a": ["network_gradient"], "b": ["other"], "c": ["another"]}
    with pytest.raises(students.NoAssignment, match="more than half of the 3 students"):
        students.decide_assignment(three, known)


def test_a_budget_counts_files_and_seconds():
    budget = students.Budget(files=2, seconds=10)
    assert budget.take() and budget.take() and not budget.take()
    budget = students.Budget(files=5, seconds=10)
    assert budget.take()
    budget.spend(10.5)  # a file that started with time left ran to its own limit
    assert not budget.take() and budget.used_files == 1


def test_one_student_cannot_flip_the_assignment_of_a_flat_canvas_folder(classes):
    rows = classes["rows"]["canvas"]
    assert (
        "Assignment network_gradient: named by 6 of the 7 students"
        in (classes["outputs"]["canvas"]["stdout"])
    )
    for name in (
        "alice_1001_5001_network_gradient.ipynb",
        "bob_LATE_1002_5002_network_gradient.ipynb",
        "dave/network_gradient.ipynb",
    ):
        assert float(rows[name]["total"]) == 10 and rows[name]["status"] == "graded", rows[name]
    assert float(rows["carol_1003_5003_network_gradient.ipynb"]["total"]) == 8
    votes = [row for name, row in rows.items() if name.startswith("mallory")]
    assert len(votes) == 9
    assert all(r["status"].startswith("not graded: a notebook of another") for r in votes)
    assert {r["student"] for r in votes} == {"Canvas user 1004"}
    assert rows["dave/network_gradient.ipynb"]["student"] == "dave"


def test_many_guesses_are_flagged_and_over_the_budget(classes):
    rows = [r for name, r in classes["rows"]["canvas"].items() if name.startswith("eve")]
    graded = [r for r in rows if r["status"].startswith("graded")]
    over = [r for r in rows if r["status"].startswith(f"not graded: {students.OVER_BUDGET}")]
    assert len(graded) == 3 and len(over) == 4
    assert all("of 7 notebooks from this student" in r["review"] for r in rows)
    assert sum("the newest of 7" in r["review"] for r in rows) == 1


def test_a_students_loops_use_only_their_own_sandbox_time(classes):
    rows = [r for name, r in classes["rows"]["canvas"].items() if name.startswith("lou")]
    stopped = [r for r in rows if not r["status"].startswith("not graded")]
    over = [r for r in rows if r["status"].startswith(f"not graded: {students.OVER_BUDGET}")]
    assert len(stopped) == 1 and len(over) == 2, rows
    assert all(float(r["total"]) == 0 for r in rows)
    honest = classes["rows"]["canvas"]["alice_1001_5001_network_gradient.ipynb"]
    assert honest["status"] == "graded"


def test_latest_grades_only_each_students_newest_notebook(classes):
    rows = classes["rows"]["latest"]
    assert float(rows["ann_2001_6002_network_gradient-1.ipynb"]["total"]) == 10
    assert float(rows["ben/a_final.ipynb"]["total"]) == 10
    for older in ("ann_2001_6001_network_gradient.ipynb", "ben/b_draft.ipynb"):
        assert rows[older]["status"] == f"not graded: {students.NOT_NEWEST}", rows[older]
    assert "the newest of 2 notebooks" in rows["ben/a_final.ipynb"]["review"]
    assert "only each student's newest notebook" in classes["outputs"]["latest"]["stdout"]
