"""An assignment as the grader needs it, from the folder that `make assignments` made.

<name>/autograder/tests/q*.py    otter's test files: questions, points, test cases
<name>/autograder/checks.py      the checks that stand for those test cases (trusted)
<name>/autograder/<name>.ipynb   the solution notebook, run once for the references
<name>/student/<name>.ipynb      the handout: its cell ids, to name cells a submission lost
<name>/student/tests/q*.py       the public tests, quoted in the feedback
"""

import ast
import dataclasses
import json
import re
import runpy
from pathlib import Path

from grading import values

MISSING = object()


class BadAssignment(Exception):
    """The assignment's own files are wrong (an instructor's error); grading cannot start."""


@dataclasses.dataclass
class Check:
    question: str
    number: int  # 1-based, within the question
    hidden: bool
    points: float
    probe: str
    expected: object
    compare: object
    type: object
    public_code: str  # the public test's text, for the feedback ("" when hidden)

    def passes(self, got):
        """Whether the decoded value `got` passes; never raises."""
        if isinstance(got, (values.ProbeError, values.Invalid)):
            return False
        try:
            if self.type is not None and not isinstance(got, self.type):
                return False
            return bool(self.compare(got, self.expected))
        except Exception:  # noqa: BLE001 - a hostile value fails the check, nothing more
            return False


def test_files(folder):
    """{question: otter test dict}, in question order."""
    tests = {}
    for path in folder.glob("*.py"):
        test = ast.literal_eval(path.read_text().split("test = ", 1)[1])
        tests[test["name"]] = test
    return dict(sorted(tests.items(), key=lambda item: question_order(item[0])))


def question_order(name):
    digits = re.sub(r"\D", "", name)
    return (int(digits) if digits else 0, name)


def cases_of(test):
    return [case for suite in test["suites"] for case in suite["cases"]]


def case_points(test):
    """Each case's points, the way otter shares a question's points among its cases."""
    cases = cases_of(test)
    given = [case.get("points") for case in cases]
    total = test.get("points")
    if isinstance(total, list):
        return [float(p) for p in total]
    fixed = sum(p for p in given if p is not None)
    free = sum(p is None for p in given)
    share = ((total or 0) - fixed) / free if free else 0
    return [float(p) if p is not None else share for p in given]


def comparison(spec):
    compare = spec.get("compare", "close")
    if callable(compare):
        return compare
    if compare == "close":
        rtol, atol = spec.get("rtol", 1e-5), spec.get("atol", 1e-8)
        return lambda got, expected: values.close(got, expected, rtol, atol)
    if compare in values.COMPARISONS:
        return values.COMPARISONS[compare]
    raise BadAssignment(f"unknown comparison {compare!r}")


class Assignment:
    def __init__(self, name, folder):
        self.name = name
        self.folder = Path(folder) / name
        autograder = self.folder / "autograder"
        self.solution = autograder / f"{name}.ipynb"
        self.handout = self.folder / "student" / f"{name}.ipynb"
        needed = [autograder / "tests", autograder / "checks.py", self.solution, self.handout]
        for path in needed:
            if not path.exists():
                raise BadAssignment(f"{path} is missing: run `make assignments`")
        tests = test_files(autograder / "tests")
        public = test_files(self.folder / "student" / "tests")
        specs = runpy.run_path(str(autograder / "checks.py"))["CHECKS"]
        if list(specs) != list(tests):
            raise BadAssignment(
                f"checks.py has questions {list(specs)}, the tests have {list(tests)}"
            )
        self.questions = {q: float(sum(case_points(t))) for q, t in tests.items()}
        self.checks = []
        for question, test in tests.items():
            cases = cases_of(test)
            public_codes = (
                [c["code"] for c in cases_of(public[question])] if question in public else []
            )
            if len(specs[question]) != len(cases):
                raise BadAssignment(
                    f"{question}: {len(cases)} test cases in the tests, "
                    f"{len(specs[question])} checks in checks.py"
                )
            shown = iter(public_codes)
            for number, (case, points, spec) in enumerate(
                zip(cases, case_points(test), specs[question], strict=True), start=1
            ):
                kind = spec.get("type")
                self.checks.append(
                    Check(
                        question=question,
                        number=number,
                        hidden=bool(case.get("hidden")),
                        points=points,
                        probe=spec["probe"],
                        expected=spec.get("expected", MISSING),
                        compare=comparison(spec),
                        type=values.TYPES[kind] if kind else None,
                        public_code="" if case.get("hidden") else next(shown, case["code"]),
                    )
                )
        self.probes = list(dict.fromkeys(check.probe for check in self.checks))
        self.handout_cells = json.loads(self.handout.read_text())["cells"]
        self.given_code = {
            "".join(cell["source"]).strip()
            for cell in self.handout_cells
            if cell["cell_type"] == "code"
        }

    def set_references(self, probe_values):
        """Fill in the expected values from the solution's probe values; check the solution."""
        by_probe = dict(zip(self.probes, probe_values, strict=True))
        for check in self.checks:
            if check.expected is MISSING:
                check.expected = by_probe[check.probe]
                if isinstance(check.expected, (values.ProbeError, values.Opaque)):
                    raise BadAssignment(
                        f"check {check.number} of {check.question} gives no value on the "
                        f"solution notebook ({check.expected!r})"
                    )
            if not check.passes(by_probe[check.probe]):
                raise BadAssignment(
                    f"the solution notebook fails check {check.number} of {check.question}"
                )

    def scores(self, probe_values):
        """{question: score}, and [(check, passed)], from a submission's decoded values."""
        by_probe = dict(zip(self.probes, probe_values, strict=True))
        outcome = [(check, check.passes(by_probe.get(check.probe))) for check in self.checks]
        scores = dict.fromkeys(self.questions, 0.0)
        for check, passed in outcome:
            scores[check.question] += check.points if passed else 0.0
        return scores, outcome

    def missing_cells(self, ids):
        """The handout's cells whose ids a submission lacks, each with its question."""
        if not ids:
            return []  # nbformat 4.4 and older have no cell ids: nothing to compare
        missing, question = [], None
        for cell in self.handout_cells:
            source = "".join(cell["source"])
            prompt = re.match(r"\*\*Question (\d+)", source)
            question = f"q{prompt.group(1)}" if prompt else question
            if cell["id"] not in ids:
                missing.append(f"{cell['id']} (in {question})" if question else cell["id"])
            if "grader.check(" in source:
                question = None
        return missing


def known_assignments(folder):
    folder = Path(folder)
    return sorted(p.name for p in folder.glob("*") if (p / "autograder" / "checks.py").exists())
