"""The homework: handouts without solutions or hidden tests, and autograders.

`tools/assignments.py` (make assignments) turns each instructor notebook into a handout and
an autograder. Grading (`tools/grade.py`, make grade) is tested in tests/test_grading.py.
"""

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILT = ROOT / "_build" / "assignments"
ASSIGNMENTS = sorted(p.parent.name for p in (ROOT / "assignments").glob("*/*.ipynb"))


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
        assert (BUILT / name / "autograder" / "checks.py").exists()
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


def edited(notebook, find, replace):
    """A copy of `notebook` with `find` replaced in the one code cell that holds it."""
    copy = json.loads(json.dumps(notebook))
    holding = [c for c in copy["cells"] if find in source(c)]
    assert len(holding) == 1, f"{find!r} is in {len(holding)} cells"
    holding[0]["source"] = source(holding[0]).replace(find, replace)
    return copy


# --- grading: tests/test_grading.py grades hostile and honest submissions -----------------


def points(name):
    return {q: p for q, (p, _) in cases_of(BUILT / name / "autograder" / "tests").items()}


# --- the homework of chapters 4-5, 8-10 and 12-14: partial credit, attacks, what they check --

# Typical mistakes made in a copy of each solution (find, replace, in one cell each), and the
# score of each question they touch; every other question keeps its full points. The grader
# gives the solution full marks and the handout zero in tests/test_grading.py.
PARTLY_WRONG = {
    "richardson_and_noise": (
        [
            # every column divided by 3, the one-step weight: the second column stays right
            ("/ (4**k - 1)", "/ 3"),
            # the model forgets the sqrt(2) of the noise term: only the model's line is wrong
            (
                "model = m3 * steps**2 / 6 + sigma / (np.sqrt(2) * steps)",
                "model = m3 * steps**2 / 6 + sigma / steps",
            ),
        ],
        {"q4": 4, "q7": 2},
    ),
    "four_ways": (
        [
            # a sign error in the rule for cos: the value and log stay right
            ("-np.sin(self.value) * self.dot", "np.sin(self.value) * self.dot"),
            # dL/dW transposed: the bias and input adjoints stay right
            (
                "return np.outer(z_bar, u), z_bar, W.T @ z_bar",
                "return np.outer(u, z_bar), z_bar, W.T @ z_bar",
            ),
            # always reverse mode: right values, but 20 passes for the tall map instead of 3
            ("return jax.jacfwd(f) if n <= m else jax.jacrev(f)", "return jax.jacrev(f)"),
        ],
        {"q2": 3, "q3": 3, "q4": 4},
    ),
    "sparse_and_solvers": (
        [
            # a valid coloring, one color a column: it costs n + 1 evaluations
            ("colors[j] = min(c for c in range(j + 1) if c not in used)", "colors[j] = j"),
            # a forgotten division by the step: the evaluations are still counted right
            ("difference = (F(x + h * group) - base) / h", "difference = F(x + h * group) - base"),
            # a sign error in the adjoint gradient: the solves and the differences stay right
            ("return -adjoint * x", "return adjoint * x"),
        ],
        {"q1": 1, "q2": 2, "q5": 4},
    ),
}
NEW_ASSIGNMENTS = sorted(PARTLY_WRONG)
# Right answers written another way than the solution's (find, replace): full marks each.
HONEST_VARIANTS = {
    "richardson_and_noise": [
        # a NumPy x, a product by 1 / h: math.sin then loses the imaginary part with only a
        # warning, so "math_sin" is silently wrong too
        ("return np.imag(f(x + 1j * h)) / h", "return f(np.asarray(x) + 1j * h).imag * (1 / h)"),
        ('silently_wrong = {"abs", "conj"}', 'silently_wrong = {"abs", "conj", "math_sin"}'),
        # a root mean square in place of np.std
        ("np.std(np.diff(y, n=k))", "np.sqrt(np.mean(np.diff(y, n=k) ** 2))"),
    ],
    "four_ways": [
        # the Jacobian function compiled: its passes sit one jaxpr down
        (
            "return jax.jacfwd(f) if n <= m else jax.jacrev(f)",
            "return jax.jit(jax.jacfwd(f) if n <= m else jax.jacrev(f))",
        ),
    ],
    "sparse_and_solvers": [
        # the relative noise divided by the closed form's f(r0), as chapter 14 does
        (
            "eps_f = diffops.estimate_noise(simulate, r0) / abs(simulate(r0))",
            "eps_f = diffops.estimate_noise(simulate, r0) / abs(K / (1 + a * np.exp(-r0 * T)))",
        ),
    ],
}
UID_BASE = {"richardson_and_noise": 64700, "four_ways": 64720, "sparse_and_solvers": 64740}


def hostile_cases(name):
    """{file name: (code, base, review finding or None)} of tests/hostile/<name>/*.txt."""
    found = {}
    for path in sorted((ROOT / "tests" / "hostile" / name).glob("*.txt")):
        code = path.read_text()
        assert re.search(r"^# attack: .+$", code, re.MULTILINE), path
        base = re.search(r"^# base: (handout|solution)$", code, re.MULTILINE).group(1)
        review = re.search(r"^# review: (.+)$", code, re.MULTILINE)
        found[f"hostile_{path.stem}.ipynb"] = (code, base, review and review.group(1))
    return found


def with_cell(notebook, code):
    copy = json.loads(json.dumps(notebook))
    cell = {"cell_type": "code", "id": "hostile", "metadata": {}, "outputs": [], "source": code}
    copy["cells"].append({**cell, "execution_count": None})
    return copy


def read_rows(path):
    import csv

    with open(path, newline="") as table:
        return {row["submission"]: row for row in csv.DictReader(table)}


@pytest.fixture(scope="module")
def new_graded(made, tmp_path_factory):
    """Each new assignment's partly wrong notebook and its attacks, graded in the sandbox."""
    base = tmp_path_factory.mktemp("new-assignments")
    runs = {}
    for name in NEW_ASSIGNMENTS:
        folder = base / name
        folder.mkdir()
        solution = json.loads(solution_notebook(name).read_text())
        student = json.loads(handout(name).read_text())
        wrong = solution
        for find, replace in PARTLY_WRONG[name][0]:
            wrong = edited(wrong, find, replace)
        (folder / "partly_wrong.ipynb").write_text(json.dumps(wrong))
        honest = solution
        for find, replace in HONEST_VARIANTS[name]:
            honest = edited(honest, find, replace)
        (folder / "honest_variant.ipynb").write_text(json.dumps(honest))
        for file_name, (code, kind, _) in hostile_cases(name).items():
            attacked = with_cell(solution if kind == "solution" else student, code)
            (folder / file_name).write_text(json.dumps(attacked))
        command = [sys.executable, ROOT / "tools" / "grade.py", folder, "--assignments", BUILT]
        command += ["--assignment", name, "--csv", base / f"{name}.csv", "--jobs", "2"]
        command += ["--uid-base", str(UID_BASE[name])]
        runs[name] = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    outputs = {name: run.communicate(timeout=600)[0].decode() for name, run in runs.items()}
    for name, run in runs.items():
        assert run.returncode == 0, outputs[name]
    rows = {name: read_rows(base / f"{name}.csv") for name in NEW_ASSIGNMENTS}
    feedback = {
        name: (base / f"{name}-feedback" / "partly_wrong.ipynb.md").read_text()
        for name in NEW_ASSIGNMENTS
    }
    return {**rows, "feedback": feedback}


@pytest.mark.parametrize("name", NEW_ASSIGNMENTS)
def test_typical_mistakes_cost_only_the_checks_they_fail(new_graded, name):
    row = new_graded[name]["partly_wrong.ipynb"]
    expected = {q: PARTLY_WRONG[name][1].get(q, p) for q, p in points(name).items()}
    assert {q: float(row[q]) for q in expected} == expected, row
    assert 0 < float(row["total"]) < sum(points(name).values())
    assert row["status"].startswith("graded"), row  # a cell of its own may raise


@pytest.mark.parametrize("name", NEW_ASSIGNMENTS)
def test_right_answers_written_another_way_get_full_marks(new_graded, name):
    row = new_graded[name]["honest_variant.ipynb"]
    assert float(row["total"]) == sum(points(name).values()), row
    assert row["status"].startswith("graded"), row


@pytest.mark.parametrize("name", NEW_ASSIGNMENTS)
def test_attacks_with_jax_and_sympy_gain_nothing(new_graded, name):
    cases = hostile_cases(name)
    assert any(
        re.search(r"^import (jax|sympy)", code, re.MULTILINE) for code, _, _ in cases.values()
    )
    full = sum(points(name).values())
    for file_name, (_, kind, finding) in cases.items():
        row = new_graded[name][file_name]
        assert float(row["total"]) == (full if kind == "solution" else 0), (file_name, row)
        assert row["status"].startswith("graded"), (file_name, row)
        if finding:
            assert finding in row["review"], (file_name, row["review"])


def pinned(package):
    """The version requirements.txt pins for `package`."""
    text = (ROOT / "requirements.txt").read_text()
    return re.search(rf"^{package}==(\S+)$", text, re.MULTILINE).group(1)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_handouts_state_the_jax_and_sympy_versions_they_expect(made, name):
    student = cells(handout(name))
    code = "\n".join(source(c) for c in student if c["cell_type"] == "code")
    text = "\n".join(source(c) for c in student if c["cell_type"] == "markdown")
    for package, shown in (("jax", "JAX"), ("sympy", "SymPy")):
        if re.search(rf"^import {package}\b", code, re.MULTILINE):
            assert f"{shown} {pinned(package)}" in text, (name, package)


def test_the_feedback_names_the_versions_the_grader_ran(new_graded):
    for name, text in new_graded["feedback"].items():
        versions = re.search(r"^Graded with (.+)\.$", text, re.MULTILINE).group(1)
        for package, shown in (("numpy", "NumPy"), ("sympy", "SymPy"), ("jax", "JAX")):
            assert f"{shown} {pinned(package)}" in versions, (name, versions)


def term_plan():
    page = (ROOT / "book" / "instructors.md").read_text()
    return page.split("### A term plan", 1)[1].split("\n### ", 1)[0]


def test_the_term_plan_counts_each_assignments_questions_points_and_checks(made):
    sys.path.insert(0, str(ROOT / "tools"))
    from grading.assignment import Assignment

    rows = re.findall(
        r"^\| \d+ \| `(\w+)` \| [^|]+ \| (\d+) \| (\d+) \| (\d+) \+ (\d+) \| [^|]+ \|$",
        term_plan(),
        re.MULTILINE,
    )
    assert sorted(name for name, *_ in rows) == ASSIGNMENTS
    for name, questions, total, public, hidden in rows:
        assignment = Assignment(name, BUILT)
        shown = (
            sum(not c.hidden for c in assignment.checks),
            sum(c.hidden for c in assignment.checks),
        )
        assert int(questions) == len(assignment.questions), name
        assert int(total) == sum(assignment.questions.values()), name
        assert (int(public), int(hidden)) == shown, name


def exercise_titles(number):
    """The exercise titles of the chapter whose file name starts with `number`, lower case."""
    titles = []
    for path in (ROOT / "book").glob(f"{number:02d}_*.ipynb"):
        text = "\n".join(source(c) for c in cells(path))
        titles += re.findall(r"^```\{exercise\} [★ ]+\w[\w -]*: (.+)$", text, re.MULTILINE)
    return [title.lower() for title in titles]


def test_the_exercises_the_term_plan_names_are_in_the_chapters_it_says():
    chapter, named = None, 0
    bullets = "".join(
        re.findall(r"^- `\w+`:.*?(?=^- |\n\n)", term_plan(), re.MULTILINE | re.DOTALL)
    )
    for match in re.finditer(r'chapter (\d+)|"([^"]+)"', bullets):
        if match.group(1):
            chapter = int(match.group(1))
            continue
        title = " ".join(match.group(2).lower().split())  # the page wraps its lines
        assert title in exercise_titles(chapter), (chapter, title)
        named += 1
    assert named >= 15


@pytest.mark.parametrize(
    ("code", "found"),
    [
        ("def f_by_hand(W, g):\n    return jax.vjp(layer, W)[1](g)\n", True),
        ("from jax import vjp as pull\ndef f_by_hand(W, g):\n    return pull(layer, W)\n", True),
        ("def f_by_hand(x):\n    import sympy\n    return sympy.diff(x)\n", True),
        (
            "def f_by_hand(x):\n    def g_by_hand(y):\n        return jnp.sin(y)\n    return x\n",
            True,
        ),
        (
            "def f_by_hand(W, u, g):\n    return np.outer(g * (1 - np.tanh(W @ u) ** 2), u)\n",
            False,
        ),
        ("def f(x):\n    return jax.grad(jnp.sin)(x)\n", False),
    ],
)
def test_review_names_a_library_used_in_a_function_asked_by_hand(code, found):
    sys.path.insert(0, str(ROOT / "tools"))
    from grading import review

    findings = review.review_code([(1, code)])
    assert any("in a function asked by hand" in f for f in findings) == found, findings


@pytest.mark.parametrize("name", NEW_ASSIGNMENTS)
def test_each_new_assignment_has_the_checks_the_homework_needs(made, name):
    """5 questions or more, 12 checks or more and half of them hidden, a figure, counts."""
    sys.path.insert(0, str(ROOT / "tools"))
    from grading.assignment import Assignment

    assignment = Assignment(name, BUILT)
    checks = assignment.checks
    assert len(assignment.questions) >= 5 and all(assignment.questions.values())
    assert len(checks) >= 12 and 2 * sum(c.hidden for c in checks) >= len(checks)
    assert any("axes_data(" in c.probe for c in checks), "no check reads a figure's data"
    counting = ("calls", "points", "counts[", "make_jaxpr", "cost_analysis")
    assert sum(any(word in c.probe for word in counting) for c in checks) >= 2
