"""An instructor's term, point 2 of issue 23: written answers graded by question.

A class of ten (tests/term_class.py) hands in network_gradient, whose q5 is graded by hand
(otter's `manual: true`). The first run writes q5's page, index.csv and manual.csv; the
page shows every answer under a key, with its math typeset by the offline MathJax (in
chromium) and its figure, and nothing of a hostile answer that could run. The filled-in
manual.csv is merged by a second run (columns, totals, feedback, the Canvas file); a
manual.csv with a score too high, an unknown submission and an unknown question stops a
third run before it writes anything.
"""

import csv
import json
import subprocess
import sys

import pytest
import term_class as tc

sys.path.insert(0, str(tc.TOOLS))

from grading import manual  # noqa: E402

UID_BASE = {"pages": 64820, "merged": 64830, "refused": 64840}
PNG = (  # one pixel
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
HOSTILE = (
    "It is $1 - \\tanh^2 z$. <script>document.title='pwned'</script>"
    '<img src=x onerror="document.title=\'pwned\'"> <a href="javascript:alert(1)">x</a> '
    '<iframe src="http://example.org"></iframe><style>body{display:none}</style>'
    '<b onclick="alert(2)">bold</b> ![tracker](http://example.org/t.png)'
)


def answered(handout, text, figure=False):
    """The handout with `text` as the q5 answer (and a code cell that drew a figure)."""
    copy = json.loads(json.dumps(handout))
    cells = copy["cells"]
    (index,) = [
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "markdown" and "otter_answer_cell" in c["metadata"].get("tags", [])
    ]
    cells[index]["source"] = text
    if figure:
        output = {"output_type": "display_data", "data": {"image/png": PNG}, "metadata": {}}
        cells.insert(
            index + 1,
            {"cell_type": "code", "id": "my-figure", "metadata": {}, "execution_count": 1,
             "outputs": [output], "source": "plot_something()"},
        )  # fmt: skip
    return copy


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    base = tmp_path_factory.mktemp("term_manual")
    built = tc.build("network_gradient", base / "built")
    solution, handout = tc.solution_and_handout(built)
    folder = base / "canvas"
    folder.mkdir()
    work = (
        [
            answered(solution, "The factor $1 - \\tanh^2(z)$ is missing, $$W_1 \\ne 0$$", True),
            answered(handout, HOSTILE),
        ]
        + [solution] * 4
        + [handout] * 3
    )
    for student, notebook in zip(tc.CLASS, work, strict=False):  # the tenth hands in nothing
        (folder / tc.canvas_name(student, "network_gradient.ipynb")).write_text(tc.dump(notebook))
    roster = tc.canvas_roster(base / "roster.csv", "network_gradient")
    common = ["--assignments", built.parent, "--assignment", "network_gradient", "--jobs", 2]
    common += ["--roster", roster]
    first = tc.Run(folder, *common, "--csv", base / "pages.csv", "--uid-base", 64820).result()
    assert first.returncode == 0, first.stderr
    pages = base / "pages-manual"
    index = {r["file"]: r["submission"] for r in tc.rows_of(pages / "index.csv")}
    template = tc.rows_of(pages / "manual.csv")
    files = {key: file for file, key in index.items()}
    filled = []
    for row in template:
        points = {"ann_": "2", "bob_": "0.5"}.get(files[row["submission"]][:4], "1")
        filled.append({**row, "points": points, "comment": f"comment for {row['submission']}"})
    merged_csv = write_csv(base / "filled.csv", filled)
    ann = index[tc.canvas_name(tc.CLASS[0], "network_gradient.ipynb")]
    bad = filled[:1] + [
        {"submission": ann, "question": "q5", "points": "2.5", "comment": ""},
        {"submission": "A00000000", "question": "q5", "points": "1", "comment": ""},
        {"submission": ann, "question": "q4", "points": "1", "comment": ""},
    ]
    bad_csv = write_csv(base / "bad.csv", bad)
    runs = {
        "merged": tc.Run(
            folder, *common, "--manual", merged_csv, "--lms", "canvas",
            "--csv", base / "merged.csv", "--uid-base", UID_BASE["merged"],
        ),
        "refused": tc.Run(
            folder, *common, "--manual", bad_csv, "--csv", base / "refused.csv",
            "--uid-base", UID_BASE["refused"],
        ),
    }  # fmt: skip
    return {"base": base, "pages": pages, "index": index, "first": first, **tc.results(runs)}


def write_csv(path, rows):
    with open(path, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=["submission", "question", "points", "comment"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_two_assignments_have_a_question_graded_by_hand():
    for name in ("central_difference", "network_gradient"):
        notebook = json.loads((tc.ROOT / "assignments" / name / f"{name}.ipynb").read_text())
        questions = manual.questions_of(notebook)
        assert questions == {"q5": {"points": 2.0, "prompt": "cell-46"}}, name


def test_one_page_shows_every_answer_under_a_key(term):
    page = (term["pages"] / "q5.html").read_text()
    assert len(term["index"]) == 9 and all(key in page for key in term["index"].values())
    assert page.count("<section") == 9
    for student in tc.CLASS:  # names hidden: no name, login or id on the page
        assert student["last"] not in page and f"_{student['id']}_" not in page
    assert "The factor" in page and '<img src="data:image/png;base64,' in page
    assert '<span class="math inline">\\(1 - \\tanh^2(z)\\)</span>' in page
    template = tc.rows_of(term["pages"] / "manual.csv")
    assert {(r["submission"], r["question"]) for r in template} == {
        (key, "q5") for key in term["index"].values()
    }
    assert "manual questions (q5): pages in" in term["first"].stdout


def test_nothing_a_student_wrote_can_run(term):
    page = (term["pages"] / "q5.html").read_text()
    assert page.count("<script") == 2  # MathJax's configuration and MathJax itself
    for hostile in ("pwned", "onerror", "onclick", "javascript:", "<iframe", "<style>body",
                    "example.org"):  # fmt: skip
        assert hostile not in page, hostile
    assert "<b>bold</b>" in page


def test_the_math_is_typeset_offline(term):
    result = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--virtual-time-budget=10000",
         "--dump-dom", (term["pages"] / "q5.html").as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.stdout.count('<mjx-container class="MathJax') >= 20, result.stderr[-2000:]
    assert (term["pages"] / "mathjax" / "tex-chtml.js").stat().st_size > 1_000_000


def test_the_merge_adds_manual_points_to_rows_totals_and_feedback(term):
    assert term["merged"].returncode == 0, term["merged"].stderr
    rows = {r["submission"]: r for r in tc.rows_of(term["base"] / "merged.csv")}
    ann = rows[tc.canvas_name(tc.CLASS[0], "network_gradient.ipynb")]
    assert (ann["q5"], ann["total"]) == ("2", "12")
    bob = rows[tc.canvas_name(tc.CLASS[1], "network_gradient.ipynb")]
    assert (bob["q5"], bob["total"]) == ("0.5", "0.5")
    for row in rows.values():
        auto = sum(float(row[q]) for q in ("q1", "q2", "q3", "q4"))
        assert float(row["total"]) == auto + float(row["q5"])
    feedback = term["base"] / "merged-feedback"
    text = (feedback / f"{tc.canvas_name(tc.CLASS[0], 'network_gradient.ipynb')}.md").read_text()
    key = term["index"][tc.canvas_name(tc.CLASS[0], "network_gradient.ipynb")]
    assert "**Total: 12 / 12**" in text and f"comment for {key}" in text
    canvas = tc.lines_of(term["base"] / "merged-canvas.csv")
    assert canvas[1][5] == "12" and canvas[2][5] == "12" and canvas[11][5] == "0"


def test_a_bad_manual_csv_stops_the_run_and_merges_nothing(term):
    result = term["refused"]
    assert result.returncode != 0
    for message in ("3 problem(s), nothing merged", "2.5 points for q5, which has 2",
                    "no submission 'A00000000'", "'q4' is not a manual question"):  # fmt: skip
        assert message in result.stderr, result.stderr
    assert not list(term["base"].glob("refused*"))
