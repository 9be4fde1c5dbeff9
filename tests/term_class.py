"""A generated class for the tests of an instructor's term (tests/test_term_*.py).

Ten students with Canvas user ids 2001..2010, a Canvas gradebook export as their roster,
and helpers to build one assignment, run the grader and read what it wrote.
"""

import csv
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
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
    """Make one assignment (what `make assignments` makes) into `folder`; its path.

    otter assign takes seconds: the test modules share one build of each version of the
    sources, made under a lock in the system's temporary folder, and copy it.
    """
    sources = [ROOT / "assignments" / name / f"{name}.ipynb", ROOT / "assignments" / name /
               "checks.py", TOOLS / "assignments.py", TOOLS / "grading" / "manual.py"]  # fmt: skip
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:16]
    cache = Path(tempfile.gettempdir()) / "term-class-builds" / f"{name}-{digest}"
    cache.parent.mkdir(exist_ok=True)
    with open(cache.parent / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cache / name / "autograder" / "checks.py").exists():
            shutil.rmtree(cache, ignore_errors=True)
            code = (
                "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
                "from assignments import SOURCES, make_assignment; "
                "make_assignment(SOURCES / sys.argv[2] / (sys.argv[2] + '.ipynb'), "
                "Path(sys.argv[3]))"
            )
            result = subprocess.run(
                [sys.executable, "-c", code, TOOLS, name, cache], capture_output=True, text=True
            )
            assert result.returncode == 0, result.stderr
    shutil.copytree(cache / name, Path(folder) / name)
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

    def __init__(self, folder, *options, script="grade.py", env=None):
        self.process = subprocess.Popen(
            [sys.executable, TOOLS / script, folder, *map(str, options)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
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


def solution_and_handout(built):
    """The solved instructor notebook and the student's handout of a `build` folder."""
    name = Path(built).name
    return (
        notebook(Path(built) / "autograder" / f"{name}.ipynb"),
        notebook(Path(built) / "student" / f"{name}.ipynb"),
    )


def dump(notebook_json):
    return json.dumps(notebook_json, indent=1) + "\n"


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def with_answers(notebook_json, answers):
    """A copy with each code cell that holds a key of `answers` replaced by its value."""
    copy = json.loads(json.dumps(notebook_json))
    for cell in copy["cells"]:
        for key, new in answers.items():
            if cell["cell_type"] == "code" and key in source(cell):
                cell["source"] = new
    return copy


# network_gradient written another way: a loop over the points, np.eye, sums of squares.
INDEPENDENT = {
    "def loss_gradient": """def loss_gradient(theta):
    W1, b1, w2, b2 = unpack(theta)
    m = X.shape[0]
    gW1 = np.zeros((3, 4))
    gb1 = np.zeros(4)
    gw2 = np.zeros(4)
    gb2 = 0.0
    for i in range(m):
        a = np.tanh(X[i] @ W1 + b1)
        g = 2.0 * (a @ w2 + b2 - y[i]) / m
        gw2 += g * a
        gb2 += g
        dz = g * w2 * (1.0 - a * a)
        gW1 += np.outer(X[i], dz)
        gb1 += dz
    return np.concatenate([gW1.ravel(), gb1, gw2, [gb2]])
""",
    "def numerical_gradient": """def numerical_gradient(fun, theta, h=1e-6):
    out = np.empty(theta.size)
    for k, e in enumerate(np.eye(theta.size)):
        out[k] = (fun(theta + h * e) - fun(theta - h * e)) / (2 * h)
    return out
""",
    "def relative_error": """def relative_error(a, b):
    na, nb = np.sqrt(np.sum(a**2)), np.sqrt(np.sum(b**2))
    if na + nb == 0:
        return 0.0
    return np.sqrt(np.sum((a - b) ** 2)) / (na + nb)
""",
}

# The instructor's network_gradient solution, its names changed and its functions in the
# reverse order, in one cell.
COPIED = """def relative_error(u, v):
    total = np.linalg.norm(u) + np.linalg.norm(v)
    return 0.0 if total == 0 else np.linalg.norm(u - v) / total


def numerical_gradient(func, params, eps=1e-6):
    grad = np.zeros(len(params))
    for j in range(len(params)):
        shift = np.zeros(len(params))
        shift[j] = eps
        grad[j] = (func(params + shift) - func(params - shift)) / (2 * eps)
    return grad


def loss_gradient(params):
    A, c, v, d = unpack(params)
    act = np.tanh(X @ A + c)
    dp = 2 * (act @ v + d - y) / len(y)
    dz = np.outer(dp, v) * (1 - act**2)
    return np.concatenate(
        [
            (X.T @ dz).ravel(),
            dz.sum(axis=0),
            act.T @ dp,
            [dp.sum()],
        ]
    )
"""
