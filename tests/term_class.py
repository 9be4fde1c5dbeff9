"""A generated class for the tests of an instructor's term (tests/test_term_*.py).

Ten students with Canvas user ids 2001..2010, a Canvas gradebook export as their roster,
and helpers to build one assignment, run the grader and read what it wrote.
"""

import csv
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
NAMES = [
    ("Ann", "Smith"),
    ("Bob", "Jones"),
    ("Cy", "Ng"),
    ("Dee", "Park"),
    ("Eli", "Roy"),
    ("Fay", "Ode"),
    ("Gus", "Lee"),
    ("Hal", "Kim"),
    ("Ida", "Moe"),
    ("Jo", "Wu"),
]
CLASS = [
    {"id": str(2001 + n), "first": first, "last": last, "login": first.lower()}
    for n, (first, last) in enumerate(NAMES)
]


def build(name, folder):
    """Make one assignment (what `make assignments` makes) into `folder`; its path."""
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
        "from assignments import SOURCES, make_assignment; "
        "make_assignment(SOURCES / sys.argv[2] / (sys.argv[2] + '.ipynb'), Path(sys.argv[3]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, TOOLS, name, folder], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return Path(folder) / name


def canvas_roster(path, assignment, students=CLASS):
    """A Canvas gradebook export of the class: a Points Possible row, the assignment's column."""
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{assignment} (555)"]
        )
        writer.writerow(["    Points Possible", "", "", "", "", "10"])
        for s in students:
            section = "Section 1" if int(s["id"]) % 2 else "Section 2"
            writer.writerow(
                [f"{s['last']}, {s['first']}", s["id"], f"S{s['id']}", s["login"], section, ""]
            )
    return path


def canvas_name(student, file, submission=5000, late=False):
    """The name Canvas gives a student's file in its download of all submissions."""
    late_part = "LATE_" if late else ""
    number = submission + int(student["id"])
    return f"{student['login']}_{late_part}{student['id']}_{number}_{file}"


class Run:
    """tools/grade.py started in the background; `result()` waits for it."""

    def __init__(self, folder, *options, script="grade.py"):
        self.process = subprocess.Popen(
            [sys.executable, TOOLS / script, folder, *map(str, options)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.done = None

    def result(self):
        if self.done is None:
            out, err = self.process.communicate(timeout=900)
            self.done = subprocess.CompletedProcess(self.process.args, self.process.returncode)
            self.done.stdout, self.done.stderr = out, err
        return self.done


def run(folder, *options):
    """Run tools/grade.py; the finished process (stdout and stderr as text)."""
    return Run(folder, *options).result()


def results(runs):
    """{name: finished process} of {name: Run}, waiting for each."""
    return {name: started.result() for name, started in runs.items()}


def rows_of(path):
    with open(path, newline="", encoding="utf-8") as table:
        return list(csv.DictReader(table))


def lines_of(path):
    with open(path, newline="", encoding="utf-8") as table:
        return list(csv.reader(table))


def notebook(path):
    return json.loads(Path(path).read_text())


def dump(notebook_json):
    return json.dumps(notebook_json, indent=1) + "\n"
