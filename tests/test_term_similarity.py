"""An instructor's term, point 4 of issue 23: copying flagged for a person (`make similarity`).

A class of ten (tests/term_class.py) hands in network_gradient, downloaded from Canvas:
Ann the instructor's solution, Bob a copy of it with every name changed and the functions
in reverse order, Cy a solution written independently, the seven others the handout as
given. Only Ann and Bob are flagged; the report is self-contained and says it is no
verdict.
"""

import pytest
import term_class as tc

THRESHOLD = 0.6


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    base = tmp_path_factory.mktemp("term_similarity")
    built = tc.build("network_gradient", base / "built")
    solution, handout = tc.solution_and_handout(built)
    work = [
        solution,
        tc.with_answers(handout, {"def loss_gradient": tc.COPIED}),
        tc.with_answers(solution, tc.INDEPENDENT),
    ] + [handout] * 7
    folder = base / "canvas"
    folder.mkdir()
    for student, notebook in zip(tc.CLASS, work, strict=True):
        (folder / tc.canvas_name(student, "network_gradient.ipynb")).write_text(tc.dump(notebook))
    roster = tc.canvas_roster(base / "roster.csv", "network_gradient")
    out = base / "similarity"
    run = tc.Run(
        folder, "--assignment", "network_gradient", "--assignments", built.parent,
        "--roster", roster, "--out", out, "--threshold", THRESHOLD, script="similarity.py",
    ).result()  # fmt: skip
    assert run.returncode == 0, run.stderr
    return {"out": out, "run": run}


def test_the_renamed_and_reordered_copy_is_flagged(report):
    pairs = tc.rows_of(report["out"] / "pairs.csv")
    assert [(p["student_a"], p["student_b"]) for p in pairs] == [("2001", "2002")]
    (pair,) = pairs
    assert max(float(pair["share_a"]), float(pair["share_b"])) >= 0.9, pair
    assert pair["file_b"].startswith("bob_2002_")


def test_independent_solutions_and_the_handout_are_not_flagged(report):
    pairs = tc.rows_of(report["out"] / "pairs.csv")
    flagged = {p["student_a"] for p in pairs} | {p["student_b"] for p in pairs}
    assert "2003" not in flagged  # Cy's own solution, beside Ann's and Bob's
    assert flagged.isdisjoint({s["id"] for s in tc.CLASS[3:]})  # the handout as given
    assert "3 students compared" in report["run"].stdout


def test_the_report_is_for_a_person_and_changes_no_score(report):
    page = (report["out"] / "report.html").read_text()
    assert "not a verdict" in page and "2001" in page and "2002" in page
    assert "<script" not in page and "http" not in page.replace('http-equiv="', "")
    assert "highlight-red" in page
    assert sorted(p.name for p in report["out"].iterdir()) == ["pairs.csv", "report.html"]
    assert "no score was changed" in report["run"].stdout
