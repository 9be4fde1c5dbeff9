"""An instructor's term, points 1 and 3 of issue 23: the roster and the gradebook export.

A class of ten (tests/term_class.py), listed in a Canvas gradebook export and downloaded as
Canvas names the files, is graded once with ROSTER= and LMS=canvas: nine students hand in,
one does not, and two files name no roster student. A Moodle class of three, in folders as
Moodle downloads them, is graded with its grading worksheet as roster and LMS=moodle. The
rosters' own errors are unit tests, and so are the runs refused before grading.
"""

import csv
import sys

import pytest
import term_class as tc

sys.path.insert(0, str(tc.TOOLS))

from grading import gradebook, roster  # noqa: E402

UID_BASE = {"canvas": 64800, "moodle": 64810}
WORKSHEET = [
    "Identifier",
    "Full name",
    "Email address",
    "Status",
    "Grade",
    "Maximum Grade",
    "Grade can be changed",
    "Last modified (submission)",
    "Last modified (grade)",
    "Feedback comments",
]


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def moodle_worksheet(path, maximum="10.00"):
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(WORKSHEET)
        for number, name in ((301, "Ann Smith"), (302, "Bob Jones"), (303, "Cy Ng")):
            writer.writerow(
                [f"Participant {number}", name, f"{name.split()[0].lower()}@uni.example",
                 "Submitted for grading", "", maximum, "Yes", "", "-", ""]
            )  # fmt: skip
    return path


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    base = tmp_path_factory.mktemp("term_roster")
    built = tc.build("network_gradient", base / "built")
    solution, handout = tc.solution_and_handout(built)
    canvas = base / "canvas"
    canvas.mkdir()
    for n, student in enumerate(tc.CLASS[:9]):
        work = handout if n == 4 else solution
        name = tc.canvas_name(student, "network_gradient.ipynb", late=n == 8)
        (canvas / name).write_text(tc.dump(work))
    (canvas / "stranger.ipynb").write_text(tc.dump(solution))
    (canvas / "zed_9999_7001_network_gradient.ipynb").write_text(tc.dump(solution))
    roster_csv = tc.canvas_roster(base / "canvas_roster.csv", "network_gradient")
    common = ["--assignments", built.parent, "--assignment", "network_gradient", "--jobs", 2]
    runs = {
        "canvas": tc.Run(
            canvas, *common, "--roster", roster_csv, "--lms", "canvas",
            "--csv", base / "canvas.csv", "--uid-base", UID_BASE["canvas"],
        ),
    }  # fmt: skip
    moodle = base / "moodle"
    for folder in ("Ann Smith_301_assignsubmission_file_", "Cy Ng_303_assignsubmission_file_"):
        (moodle / folder).mkdir(parents=True)
        (moodle / folder / "homework.ipynb").write_text(tc.dump(solution))
    worksheet = moodle_worksheet(base / "worksheet.csv")
    runs["moodle"] = tc.Run(
        moodle, *common, "--roster", worksheet, "--lms", "moodle",
        "--csv", base / "moodle.csv", "--uid-base", UID_BASE["moodle"],
    )  # fmt: skip
    hundred = moodle_worksheet(base / "worksheet100.csv", maximum="100.00")
    runs["max"] = tc.Run(
        moodle, *common, "--roster", hundred, "--lms", "moodle", "--csv", base / "never.csv"
    )
    runs["plain moodle"] = tc.Run(
        moodle, *common, "--roster", roster_csv, "--lms", "moodle", "--csv", base / "never.csv"
    )
    duplicate = write(base / "dup.csv", "id,name\ns1,Ann\ns2,Bob\ns1,Cy\n")
    runs["duplicate"] = tc.Run(moodle, *common, "--roster", duplicate, "--csv", base / "never.csv")
    return {"base": base, "runs": tc.results(runs)}


# --- the roster ------------------------------------------------------------------------------


def test_a_plain_roster_and_its_extra_columns(tmp_path):
    path = write(tmp_path / "r.csv", "\ufeffID,Name,Section\ns01,Ann Smith,A\n\ns02,Bob,B\n")
    found = roster.read_roster(path)
    assert found.kind == "plain" and list(found.students) == ["s01", "s02"]
    assert found.students["s01"].name == "Ann Smith"


def test_a_canvas_export_skips_the_points_possible_row(tmp_path):
    found = roster.read_roster(tc.canvas_roster(tmp_path / "c.csv", "hw"))
    assert found.kind == "canvas" and len(found) == 10
    first = found.students["2001"]
    assert (first.name, first.sis_user_id, first.sis_login_id) == ("Smith, Ann", "S2001", "ann")
    assert first.section == "Section 1"


def test_a_moodle_worksheet_gives_the_participant_numbers(tmp_path):
    found = roster.read_roster(moodle_worksheet(tmp_path / "w.csv"))
    assert found.kind == "moodle" and list(found.students) == ["301", "302", "303"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,email\nAnn,a@x\n", "no 'id' column (found: name, email)"),
        ("id,email\ns1,a@x\n", "no 'name' column"),
        ("student,mail\nAnn,a\n", "no 'id' and no 'name' column"),
        ("id,name\ns1,Ann\ns2,Bob\ns1,Cy\n", "line 4: the id 's1' is also on line 2"),
        ("id,name\n,Ann\n", "line 2: no id"),
        ("id,name\n../x,Ann\n", "line 2: the id '../x' cannot name a file"),
        ("id,name\n", "no student rows"),
        ("", "empty"),
        ("Identifier,Full name\nNobody,Ann\n", "line 2: the Identifier 'Nobody' is not"),
    ],
)
def test_roster_errors_name_the_line_and_the_problem(tmp_path, text, message):
    with pytest.raises(roster.RosterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        roster.read_roster(write(tmp_path / "bad.csv", text))


def test_a_roster_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"id,name\n\xff\xfe\x00s1,Ann\n")
    with pytest.raises(roster.RosterError, match="not UTF-8"):
        roster.read_roster(path)


@pytest.mark.parametrize(
    ("relative", "owner"),
    [
        ("smith_2001_7001_network_gradient.ipynb", "2001"),
        ("jones_LATE_2002_7002_hw.ipynb", "2002"),
        ("mallory_2003_7003_smith_2001_7001_hw.ipynb", "2003"),
        ("2004/anything/hw.ipynb", "2004"),
        ("2005.ipynb", "2005"),
        ("2006_final.ipynb", "2006"),
        ("Ann Smith_2007_assignsubmission_file_/hw.ipynb", "2007"),
        ("stranger.ipynb", None),
        ("zed_9999_7001_hw.ipynb", None),
        ("20011_hw.ipynb", None),
    ],
)
def test_the_owner_of_a_file_comes_from_its_name(tmp_path, relative, owner):
    found = roster.read_roster(tc.canvas_roster(tmp_path / "c.csv", "hw"))
    assert roster.owner_of(relative, found) == owner
    key = roster.owner_key(found)(relative)
    assert key == owner if owner else key.startswith(roster.UNMATCHED)


# --- the export ------------------------------------------------------------------------------


def test_the_canvas_file_has_canvas_import_columns_and_every_student(term):
    run = term["runs"]["canvas"]
    assert run.returncode == 0, run.stderr
    lines = tc.lines_of(term["base"] / "canvas-canvas.csv")
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "network_gradient (555)"]
    assert lines[0] == header
    assert lines[1] == ["    Points Possible", "", "", "", "", "10"]
    assert [line[1] for line in lines[2:]] == [s["id"] for s in tc.CLASS]
    grades = {r["student"]: r for r in tc.rows_of(term["base"] / "canvas.csv")}
    for line in lines[2:]:
        expected = gradebook.number(grades[line[1]]["total"]) if line[1] in grades else "0"
        assert line[5] == expected, line
    assert lines[2][:5] == ["Smith, Ann", "2001", "S2001", "ann", "Section 1"]
    assert float(lines[2][5]) == 10 and float(lines[6][5]) == 0  # Eli handed in the handout


def test_a_student_without_a_file_gets_0_and_no_submission(term):
    summary = {r["id"]: r for r in tc.rows_of(term["base"] / "canvas-roster.csv")}
    assert list(summary) == [s["id"] for s in tc.CLASS]
    assert summary["2010"]["total"] == "0" and summary["2010"]["status"] == "no submission"
    assert summary["2009"]["submission"].startswith("ida_LATE_2009_")
    assert all(summary[s["id"]]["status"] == "graded" for s in tc.CLASS[:9])


def test_files_of_no_roster_student_are_listed_and_printed(term):
    unmatched = tc.rows_of(term["base"] / "canvas-unmatched.csv")
    names = {"stranger.ipynb", "zed_9999_7001_network_gradient.ipynb"}
    assert {r["submission"] for r in unmatched} == names
    stdout = term["runs"]["canvas"].stdout
    assert "2 file(s) match no roster student" in stdout
    assert all(name in stdout for name in names)
    grades = tc.rows_of(term["base"] / "canvas.csv")
    assert len(grades) == 11  # a row for every file, matched or not


def test_the_moodle_worksheet_comes_back_with_grades(term):
    run = term["runs"]["moodle"]
    assert run.returncode == 0, run.stderr
    lines = tc.lines_of(term["base"] / "moodle-moodle.csv")
    assert lines[0] == WORKSHEET
    rows = {line[0]: dict(zip(WORKSHEET, line, strict=True)) for line in lines[1:]}
    assert set(rows) == {"Participant 301", "Participant 302", "Participant 303"}
    assert rows["Participant 301"]["Grade"] == "10" and rows["Participant 303"]["Grade"] == "10"
    assert rows["Participant 302"]["Grade"] == "0"
    assert rows["Participant 302"]["Status"] == "no submission"
    assert rows["Participant 301"]["Last modified (grade)"][:2] == "20"
    assert rows["Participant 301"]["Feedback comments"] == "10 / 10 points: graded"


@pytest.mark.parametrize(
    ("run", "message"),
    [
        ("max", "the Moodle assignment's maximum grade is 100.00, the homework has 10 points"),
        ("plain moodle", "LMS=moodle needs the grading worksheet"),
        ("duplicate", "line 4: the id 's1' is also on line 2"),
    ],
)
def test_a_run_that_cannot_export_stops_before_grading(term, run, message):
    result = term["runs"][run]
    assert result.returncode != 0 and message in result.stderr, result.stderr
    assert not list(term["base"].glob("never*"))
