"""The homework: handouts without solutions or hidden tests, and grading that is fair and robust.

`tools/assignments.py` (make assignments) turns each instructor notebook into a handout and
an autograder; `tools/grade.py` (make grade) grades a folder of submissions into one CSV.
The submissions graded here are written to _build/test-submissions/<assignment>/, so that
`make grade SUBMISSIONS=_build/test-submissions/central_difference` can be run by hand.
"""

import ast
import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILT = ROOT / "_build" / "assignments"
SUBMISSIONS = ROOT / "_build" / "test-submissions"
ASSIGNMENTS = sorted(p.parent.name for p in (ROOT / "assignments").glob("*/*.ipynb"))
# Seconds per submission. A sound submission takes 5 to 15 s, more on a loaded machine, so
# its limit is far above that: no submission in these tests may time out because the machine
# is busy. The infinite loop is graded on its own, with a short limit that it always reaches.
TIMEOUT = 600
LOOP_TIMEOUT = 5


def cells(path):
    return json.loads(Path(path).read_text())["cells"]


def source(cell):
    return "".join(cell["source"])


def instructor(name):
    return ROOT / "assignments" / name / f"{name}.ipynb"


def solution_notebook(name):
    return BUILT / name / "autograder" / f"{name}.ipynb"


def handout(name):
    return BUILT / name / "student" / f"{name}.ipynb"


def cases_of(folder):
    """{question: (points, [(hidden, code), ...])} from otter's OK-format test files."""
    tests = {}
    for path in sorted(folder.glob("*.py")):
        test = ast.literal_eval(path.read_text().split("test = ", 1)[1])
        cases = [(c["hidden"], c["code"]) for s in test["suites"] for c in s["cases"]]
        tests[test["name"]] = (test["points"], cases)
    return tests


@pytest.fixture(scope="module")
def made():
    """Run `make assignments` (its script) from clean."""
    shutil.rmtree(BUILT, ignore_errors=True)
    result = subprocess.run(
        [sys.executable, ROOT / "tools" / "assignments.py"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_make_assignments_writes_a_handout_and_an_autograder_for_each(made):
    assert len(ASSIGNMENTS) >= 2
    for name in ASSIGNMENTS:
        assert handout(name).exists() and (handout(name).parent / "tests").is_dir()
        assert (BUILT / name / "autograder" / "autograder.zip").exists()
        assert solution_notebook(name).exists()
        assert f"assignments/{name}/{name}.ipynb" in made


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_questions_have_points_public_and_hidden_tests(made, name):
    tests = cases_of(BUILT / name / "autograder" / "tests")
    assert len(tests) >= 3, "an assignment has several questions"
    for question, (points, cases) in tests.items():
        assert points > 0, question
        assert any(not hidden for hidden, _ in cases), f"{question} has no public test"
        assert any(hidden for hidden, _ in cases), f"{question} has no hidden test"
        check = f'grader.check("{question}")'
        assert any(source(c) == check for c in cells(handout(name))), f"no {check} cell"


def code_lines(text):
    """Stripped lines that say something (not just brackets or `...`)."""
    lines = (line.strip() for line in text.splitlines())
    return {line for line in lines if re.search(r"\w", line)}


def solution_lines(name):
    """Lines the instructor marked as solution, and the lines given to students anyway."""
    secret, given = set(), set()
    for cell in cells(instructor(name)):
        inside = False
        for line in source(cell).splitlines():
            if line.strip() == "# BEGIN SOLUTION":
                inside = True
            elif line.strip() == "# END SOLUTION":
                inside = False
            elif inside or line.rstrip().endswith("# SOLUTION"):
                secret |= code_lines(line.replace("# SOLUTION", ""))
            else:
                given |= code_lines(line)
    return secret, given


def student_text(name):
    folder = handout(name).parent
    notebook = "\n".join(source(c) for c in cells(handout(name)))
    tests = "\n".join(p.read_text() for p in (folder / "tests").glob("*.py"))
    return notebook, tests


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_no_solution_line_reaches_the_handout(made, name):
    secret, given = solution_lines(name)
    assert len(secret) >= 8, "the solutions were found"
    notebook, tests = student_text(name)
    student_lines = code_lines(notebook) | code_lines(tests)
    leaked = (secret - given) & student_lines
    assert not leaked, f"solution lines in the {name} handout: {sorted(leaked)}"


def doctest_lines(text):
    """The code lines of OK-format test text, without the `>>> ` and `... ` prompts."""
    return {line.removeprefix(">>> ").removeprefix("... ") for line in code_lines(text)}


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_no_hidden_test_reaches_the_handout(made, name):
    tests = cases_of(BUILT / name / "autograder" / "tests")
    hidden, public = set(), set()
    for _, cases in tests.values():
        for is_hidden, code in cases:
            (hidden if is_hidden else public).update(doctest_lines(code))
    assert hidden
    notebook, test_files = student_text(name)
    shown = code_lines(notebook) | doctest_lines(test_files)
    leaked = (hidden - public) & shown
    assert not leaked, f"hidden tests in the {name} handout: {sorted(leaked)}"
    for question, (_, cases) in cases_of(handout(name).parent / "tests").items():
        assert all(not h for h, _ in cases), f"the handout's {question} test has hidden cases"


def test_instructor_page_lists_every_question_with_its_points(made):
    page = (ROOT / "book" / "instructors.md").read_text()
    for name in ASSIGNMENTS:
        section = page.split(f"`assignments/{name}`", 1)[1].split("\n\n`", 1)[0]
        listed = dict(re.findall(r"^\| (q\d+) \|.*\| (\d+) \|$", section, re.MULTILINE))
        assert {q: int(p) for q, p in listed.items()} == points(name), name


def test_make_check_homework_runs_the_public_tests_in_the_handout_folder(made, tmp_path):
    # A student's notebook with a wrong q3, checked where the handout was unpacked.
    folder = tmp_path / "handout"
    shutil.copytree(handout("central_difference").parent, folder)
    solved = json.loads(solution_notebook("central_difference").read_text())
    wrong = edited(solved, "** (1 / 3)", "** (1 / 2)")
    (folder / "central_difference.ipynb").write_text(json.dumps(wrong))
    result = subprocess.run(
        ["make", "-s", "check-homework", f"NOTEBOOK={folder / 'central_difference.ipynb'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = result.stdout + result.stderr
    assert "q3 results:" in report and "q1 results: All test cases passed!" in report, report
    assert "q3 results: All test cases passed!" not in report, report


# --- grading --------------------------------------------------------------------------------


def edited(notebook, find, replace):
    """A copy of `notebook` with `find` replaced in the one code cell that holds it."""
    copy = json.loads(json.dumps(notebook))
    holding = [c for c in copy["cells"] if find in source(c)]
    assert len(holding) == 1, f"{find!r} is in {len(holding)} cells"
    holding[0]["source"] = source(holding[0]).replace(find, replace)
    return copy


def without_cell(notebook, find):
    copy = json.loads(json.dumps(notebook))
    (gone,) = [c for c in copy["cells"] if c["cell_type"] == "code" and find in source(c)]
    copy["cells"].remove(gone)
    return copy, gone["id"]


def write_submissions(name):
    """The example submissions, by file name; returns what the tests expect of each."""
    folder = SUBMISSIONS / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    solved = json.loads(solution_notebook(name).read_text())
    shutil.copyfile(solution_notebook(name), folder / "solution.ipynb")
    shutil.copyfile(handout(name), folder / "unchanged_handout.ipynb")
    if name == "central_difference":
        wrong = edited(solved, "** (1 / 3)", "** (1 / 2)")  # q3: the forward step's exponent
        examples = {"wrong_q3.ipynb": wrong}
        forever = "x0 = 1.0\nimport time\nwhile True:\n    time.sleep(0.1)"
        loops = edited(solved, "x0 = 1.0", forever)
        loop_folder = SUBMISSIONS / "time-limit"
        shutil.rmtree(loop_folder, ignore_errors=True)
        loop_folder.mkdir(parents=True)
        (loop_folder / "00_infinite_loop.ipynb").write_text(json.dumps(loops, indent=1))
        raises = edited(solved, "steps = np.logspace", "raise RuntimeError('no steps')\nsteps = 0")
        examples["raises.ipynb"] = raises
        deleted, gone = without_cell(solved, "def optimal_step")
        examples["cell_deleted.ipynb"] = deleted
        (folder / "not_json.ipynb").write_text('{"cells": [{"cell_type": "code", ')
    else:
        wrong = edited(solved, "scale = np.linalg.norm(a) + np.linalg.norm(b)", "scale = 1.0")
        examples, gone = {"wrong_q3.ipynb": wrong}, None
    for file_name, notebook in examples.items():
        (folder / file_name).write_text(json.dumps(notebook, indent=1))
    return folder, gone


def snapshot(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@pytest.fixture(scope="module")
def graded(made):
    """Grade the example submissions of every assignment with `make grade`'s script.

    The assignments are graded at the same time, three submissions at a time each, and
    beside them the folder that holds only the infinite loop, with its short limit (it
    sleeps, so it holds a place but not a core).
    """
    runs = {}
    folders = {name: write_submissions(name) for name in ASSIGNMENTS}
    folders["time-limit"] = (SUBMISSIONS / "time-limit", None)
    for name, (folder, gone) in folders.items():
        grades = ROOT / "_build" / "grades" / f"test-{name}.csv"
        command = [sys.executable, ROOT / "tools" / "grade.py", folder, "--csv", grades]
        limit = LOOP_TIMEOUT if name == "time-limit" else TIMEOUT
        command += ["--timeout", str(limit), "--jobs", "3"]
        runs[name] = dict(folder=folder, before=snapshot(folder), gone=gone, grades=grades)
        runs[name]["process"] = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    for run in runs.values():
        output, _ = run["process"].communicate(timeout=3600)
        assert run["process"].returncode == 0, output
        print(output)
        with open(run["grades"], newline="") as table:
            run["rows"] = {row["submission"]: row for row in csv.DictReader(table)}
    return runs


def points(name):
    return {q: p for q, (p, _) in cases_of(BUILT / name / "autograder" / "tests").items()}


def score(row, question):
    return float(row[question])


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_csv_has_a_row_per_submission_a_column_per_question_and_the_total(graded, name):
    run = graded[name]
    assert set(run["rows"]) == {p.name for p in run["folder"].glob("*.ipynb")}
    for row in run["rows"].values():
        assert list(row) == ["submission", *points(name), "total", "status"]
        total = sum(score(row, q) for q in points(name))
        assert float(row["total"]) == total


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solution_scores_full_marks(graded, name):
    row = graded[name]["rows"]["solution.ipynb"]
    assert float(row["total"]) == sum(points(name).values()) > 0
    assert row["status"] == "graded", row["status"]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_unchanged_handout_scores_zero_without_crashing_the_grader(graded, name):
    row = graded[name]["rows"]["unchanged_handout.ipynb"]
    assert row["status"].startswith("graded"), row["status"]
    assert float(row["total"]) == 0


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_one_wrong_answer_loses_exactly_that_questions_points(graded, name):
    row = graded[name]["rows"]["wrong_q3.ipynb"]
    for question, most in points(name).items():
        assert score(row, question) == (0 if question == "q3" else most), question
    assert float(row["total"]) == sum(points(name).values()) - points(name)["q3"]


def test_a_file_that_is_not_json_gets_a_row_saying_so(graded):
    row = graded["central_difference"]["rows"]["not_json.ipynb"]
    assert row["status"].startswith("not valid JSON"), row["status"]
    assert float(row["total"]) == 0


def test_a_deleted_cell_is_named_and_only_its_question_scores_zero(graded):
    run = graded["central_difference"]
    row = run["rows"]["cell_deleted.ipynb"]
    assert f"{run['gone']} (in q3)" in row["status"], row["status"]
    assert score(row, "q3") == 0 and score(row, "q1") == points("central_difference")["q1"]


def test_code_that_raises_is_reported_and_the_rest_still_graded(graded):
    row = graded["central_difference"]["rows"]["raises.ipynb"]
    assert "raised: RuntimeError: no steps" in row["status"], row["status"]
    assert score(row, "q1") == points("central_difference")["q1"]


def test_an_infinite_loop_is_stopped_by_the_time_limit(graded):
    row = graded["time-limit"]["rows"]["00_infinite_loop.ipynb"]
    assert row["status"] == f"timed out after {LOOP_TIMEOUT} s; every score is 0"
    assert float(row["total"]) == 0


@pytest.mark.parametrize("name", [*ASSIGNMENTS, "time-limit"])
def test_grading_changes_nothing_in_the_submissions_folder(graded, name):
    run = graded[name]
    assert snapshot(run["folder"]) == run["before"]
