"""Grade a folder of submitted notebooks without Docker: `make grade SUBMISSIONS=folder`.

Each `*.ipynb` in the folder is graded by otter-grader's `otter run` against the
autograder that `make assignments` made, in a child process of its own with a
time limit. The result is one CSV: a row per submission, a column per question,
the total, and a `status` that says what went wrong, if anything:

    not valid JSON / not a notebook       nothing was run; every score is 0
    not this assignment                   nothing was run; every score is 0
    cells missing                         graded as handed in, missing cells named
    cells raised errors                   graded; the first error of each cell named
    timed out                             stopped after the time limit; every score is 0
    the grader failed                     otter itself failed twice (a kernel that would
                                          not start, say); every score is 0

One bad submission never stops the others. The folder itself is only read:
otter grades a copy of each notebook in a temporary folder.
"""

import argparse
import ast
import csv
import functools
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

# Imported once here, so that each forked grading process starts without the wait.
from otter.run import main as otter_run

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ROOT / "_build" / "assignments"


def handout_of(assignment):
    return ASSIGNMENTS / assignment / "student" / f"{assignment}.ipynb"


@functools.cache
def questions_of(assignment):
    """The question names and their points, from the autograder's test files."""
    questions = {}
    for path in (ASSIGNMENTS / assignment / "autograder" / "tests").glob("*.py"):
        test = ast.literal_eval(path.read_text().split("test = ", 1)[1])
        questions[test["name"]] = test["points"]
    return dict(sorted(questions.items(), key=lambda item: int(item[0].lstrip("q"))))


def read_submission(path, assignment):
    """Return (notebook, None) or (None, why it cannot be graded)."""
    try:
        notebook = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"not valid JSON ({error}); not graded"
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return None, "not a Jupyter notebook (no list of cells); not graded"
    name = notebook.get("metadata", {}).get("otter", {}).get("assignment_name")
    if name != assignment:
        return None, f"not a {assignment} notebook (its assignment is {name!r}); not graded"
    return notebook, None


@functools.cache
def handout_cells(assignment):
    return json.loads(handout_of(assignment).read_text())["cells"]


def missing_cells(notebook, assignment):
    """The handout's cells that the submission no longer has, each with its question."""
    kept = {cell.get("id") for cell in notebook["cells"]}
    missing, question = [], None
    for cell in handout_cells(assignment):
        source = "".join(cell["source"])
        prompt = re.match(r"\*\*Question (\d+)", source)
        question = f"q{prompt.group(1)}" if prompt else question
        if cell["id"] not in kept:
            missing.append(f"{cell['id']} (in {question})" if question else cell["id"])
        if "grader.check(" in source:
            question = None
    return missing


def run_otter(submission, autograder, workdir):
    """In the child: grade with otter, keep results.json and the cells' errors."""
    os.setsid()  # one process group with the kernel, so a timeout can stop both
    os.environ["TMPDIR"] = str(workdir)
    tempfile.tempdir = None
    log = open(workdir / "otter.log", "w")
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    results = otter_run(
        str(submission), autograder=str(autograder), output_dir=str(workdir), no_logo=True
    )
    errors = []
    for cell in getattr(results, "notebook", {}).get("cells", []):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append(f"{output['ename']}: {output['evalue']}"[:120])
    (workdir / "errors.json").write_text(json.dumps(errors))


def scores_from(workdir, questions):
    results = json.loads((workdir / "results.json").read_text())
    scores = {test["name"]: test.get("score") for test in results["tests"]}
    return {name: scores.get(name, 0) or 0 for name in questions}


class Job:
    """One submission being graded in a child process."""

    def __init__(self, path, assignment, questions, timeout, scratch):
        self.path, self.questions, self.timeout = path, questions, timeout
        self.row = {"submission": path.name, **dict.fromkeys(questions, 0), "total": 0}
        self.runnable, self.notes = False, []
        notebook, problem = read_submission(path, assignment)
        if problem:
            self.row["status"] = problem
            return
        missing = missing_cells(notebook, assignment)
        if missing:
            self.notes.append(
                f"{len(missing)} cell(s) of the handout missing (ids {', '.join(missing)})"
            )
        self.workdir = Path(tempfile.mkdtemp(dir=scratch))
        # A copy under the handout's name, which the notebook's `otter.Notebook` cell opens.
        copy = self.workdir / "submission" / handout_of(assignment).name
        copy.parent.mkdir()
        shutil.copyfile(path, copy)
        autograder = ASSIGNMENTS / assignment / "autograder" / "autograder.zip"
        self.arguments, self.tries, self.runnable = (copy, autograder, self.workdir), 0, True

    def start(self):
        self.tries += 1
        self.started = time.monotonic()
        context = multiprocessing.get_context("fork")
        self.process = context.Process(target=run_otter, args=self.arguments)
        self.process.start()

    def finished(self):
        if self.process.is_alive():
            if time.monotonic() - self.started < self.timeout:
                return False
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.join()
            self.row["status"] = f"timed out after {self.timeout:g} s; every score is 0"
            return True
        self.process.join()
        if not (self.workdir / "results.json").exists():
            if self.tries < 2:  # a kernel can fail to start on a busy machine: once more
                self.start()
                return False
            log = (self.workdir / "otter.log").read_text().strip().splitlines()
            self.row["status"] = f"the grader failed: {log[-1] if log else 'no output'}"
            return True
        self.row.update(scores_from(self.workdir, self.questions))
        self.row["total"] = sum(self.row[name] for name in self.questions)
        errors = json.loads((self.workdir / "errors.json").read_text())
        if errors:
            self.notes.append(f"{len(errors)} cell(s) raised: " + "; ".join(errors))
        self.row["status"] = "; ".join(["graded", *self.notes])
        return True


def grade(folder, assignment, timeout=60.0, jobs=None):
    """Grade every notebook in `folder`; return the rows, sorted by file name."""
    questions = questions_of(assignment)
    jobs = jobs or os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as scratch:
        everything = [
            Job(path, assignment, questions, timeout, scratch)
            for path in sorted(folder.glob("*.ipynb"))
        ]
        waiting = [job for job in everything if job.runnable]
        running = []
        while waiting or running:
            while waiting and len(running) < jobs:
                running.append(waiting.pop(0))
                running[-1].start()
            running = [job for job in running if not job.finished()]
            time.sleep(0.05)
    return [job.row for job in everything]


def guess_assignment(folder):
    names = set()
    for path in folder.glob("*.ipynb"):
        try:
            names.add(json.loads(path.read_bytes())["metadata"]["otter"]["assignment_name"])
        except (ValueError, KeyError, TypeError):
            continue
    if len(names) != 1:
        found = ", ".join(sorted(names)) or "none"
        sys.exit(f"Cannot tell the assignment (found: {found}); give ASSIGNMENT=name.")
    return names.pop()


def write_csv(rows, questions, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as out:
        fields = ["submission", *questions, "total", "status"]
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        for row in rows:  # scores as 3 and 0.5, not 3.0
            writer.writerow({k: f"{v:g}" if isinstance(v, float) else v for k, v in row.items()})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path, help="folder of submitted .ipynb files")
    parser.add_argument("--assignment", help="assignment name (default: from the notebooks)")
    parser.add_argument("--csv", type=Path, help="where to write the grades")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per submission")
    parser.add_argument("--jobs", type=int, help="submissions at a time (default: cores)")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        sys.exit(f"SUBMISSIONS={args.submissions} is not a folder.")
    assignment = args.assignment or guess_assignment(args.submissions)
    if not handout_of(assignment).exists():
        sys.exit(f"No autograder for {assignment!r}: run `make assignments` first.")
    started = time.monotonic()
    rows = grade(args.submissions, assignment, args.timeout, args.jobs)
    questions = questions_of(assignment)
    target = args.csv or ROOT / "_build" / "grades" / f"{assignment}.csv"
    write_csv(rows, questions, target)
    maximum = sum(questions.values())
    for row in rows:
        print(f"{row['submission']:30} {row['total']:>5g} / {maximum:g}  {row['status']}")
    took = time.monotonic() - started
    print(f"{len(rows)} submission(s) graded in {took:.1f} s; grades in {target}")


if __name__ == "__main__":
    main()
