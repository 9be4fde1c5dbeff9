"""The grades of a run per roster student, and in the files Canvas and Moodle import.

Beside the grades CSV `<grades>.csv`, a run with a roster writes:

`<grades>-roster.csv`
    one row per roster student, in the roster's order: id, name, the file that counts,
    total and status ("no submission", with 0, for a student without a file);
`<grades>-unmatched.csv`
    the files that name no roster student (also printed), when there are any;
`<grades>-canvas.csv` (LMS=canvas)
    Canvas's gradebook import format: `Student`, `ID`, `SIS User ID`, `SIS Login ID`,
    `Section`, then one column for the assignment, and a "Points Possible" row. Canvas
    matches a row on `ID` (the Canvas user id), then `SIS User ID`, then `SIS Login ID`,
    then the name (canvas-lms app/models/gradebook_importer.rb). From a Canvas export
    roster these are copied; from a plain roster `ID` stays empty (a number of another
    system could be some other Canvas user's id) and `SIS User ID` is the roster's
    `sis_user_id`, or else its id. The column is the roster's own column for the assignment
    when it has one (`central_difference (1234)`), else the assignment's name, which Canvas
    imports as a new assignment;
`<grades>-moodle.csv` (LMS=moodle)
    Moodle's offline grading worksheet, from the worksheet the roster is: the same columns
    and rows, with `Grade`, `Status`, `Last modified (grade)` (now, so that Moodle does not
    skip the grade as older than its own) and `Feedback comments` (when the worksheet has
    the column) filled in. Moodle reads `Identifier`, `Grade`, `Last modified (grade)` and
    the feedback columns (mod/assign/feedback/offline/importgradeslib.php) and skips a grade
    above the assignment's maximum, so a worksheet whose `Maximum Grade` is not the
    homework's points is refused before grading.

A student's file that counts is their newest notebook that ran (graded, timed out or
stopped), else their newest file; the CSV holds a row for each of their files.
"""

import csv
import datetime
import re
from pathlib import Path

NO_SUBMISSION = "no submission"
LMS_KINDS = ("canvas", "moodle")


class ExportError(Exception):
    """The export cannot be made as asked; the message says why and what to do."""


def check_lms(lms, roster, maximum=None):
    """Raise ExportError when LMS= cannot be written from this roster (before grading)."""
    if not lms:
        return
    if lms not in LMS_KINDS:
        raise ExportError(f"LMS={lms}: give LMS=canvas or LMS=moodle")
    if roster is None:
        raise ExportError(f"LMS={lms} needs ROSTER=: the export has a row per roster student")
    if lms == "moodle" and roster.kind != "moodle":
        raise ExportError(
            "LMS=moodle needs the grading worksheet that Moodle downloads (Assignment, "
            "View all submissions, Download grading worksheet) as ROSTER=: Moodle matches "
            "the rows on its Identifier column"
        )
    if lms == "moodle" and maximum is not None:
        column = find_column(roster.header, "maximum grade")
        for student in roster.students.values():
            given = cell(roster.header, student.row, column) if column else ""
            if given and not same_number(given, maximum):
                raise ExportError(
                    f"the Moodle assignment's maximum grade is {given}, the homework has "
                    f"{maximum:g} points: Moodle skips grades above its maximum, so set the "
                    f"assignment's maximum grade to {maximum:g} and download the worksheet again"
                )


def same_number(text, value):
    try:
        return abs(float(text.replace(",", ".")) - value) < 1e-9
    except ValueError:
        return False


def find_column(header, lowered):
    return next((name for name in header if name.lower() == lowered), None)


def cell(header, row, column):
    index = header.index(column)
    return row[index].strip() if index < len(row) else ""


def counting_row(rows):
    """The row that counts among a student's rows (newest first), or None."""
    ran = [row for row in rows if not row["status"].startswith("not graded")]
    return (ran or rows or [None])[0]


def summary(roster, rows_by_student):
    """[(student, row or None)] in the roster's order."""
    return [(s, counting_row(rows_by_student.get(s.id, []))) for s in roster.students.values()]


def number(value):
    """A number as the grades CSV writes it: 10, 7.5 (also from its text, "10.0")."""
    return f"{float(value):g}"


def write_rows(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def beside(csv_path, suffix):
    return csv_path.with_name(f"{csv_path.stem}-{suffix}.csv")


def write_roster_summary(csv_path, roster, counted):
    rows = []
    for student, row in counted:
        if row is None:
            rows.append([student.id, student.name, "", "0", NO_SUBMISSION])
        else:
            total = number(row["total"])
            rows.append([student.id, student.name, row["submission"], total, row["status"]])
    header = ["id", "name", "submission", "total", "status"]
    return write_rows(beside(csv_path, "roster"), header, rows)


def write_unmatched(csv_path, unmatched):
    """List the files of no roster student in a file and on the console; return the path."""
    if not unmatched:
        print("Every file belongs to a roster student.")
        return None
    print(f"{len(unmatched)} file(s) match no roster student (not in the gradebook export):")
    for row in unmatched:
        print(f"  {row['submission']}  ({number(row['total'])} points, {row['status'][:60]})")
    header = ["submission", "student", "total", "status"]
    rows = [[r["submission"], r["student"], number(r["total"]), r["status"]] for r in unmatched]
    path = write_rows(beside(csv_path, "unmatched"), header, rows)
    print(f"  listed in {path}")
    return path


def canvas_column(roster, assignment):
    """The roster's own column for the assignment (`name (id)`), else the name."""
    if roster.kind == "canvas":
        pattern = re.compile(rf"^{re.escape(assignment)}\s*\(\d+\)$")
        own = [name for name in roster.header if pattern.match(name) or name == assignment]
        if len(own) == 1:
            return own[0]
    return assignment


def write_canvas(csv_path, roster, counted, assignment, maximum):
    column = canvas_column(roster, assignment)
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column]
    rows = [["    Points Possible", "", "", "", "", number(maximum)]]
    for student, row in counted:
        total = number(row["total"]) if row is not None else "0"
        if roster.kind == "canvas":
            ids = [student.id, student.sis_user_id]
        else:
            ids = ["", student.sis_user_id or student.id]
        rows.append([student.name, *ids, student.sis_login_id, student.section, total])
    return write_rows(beside(csv_path, "canvas"), header, rows)


def write_moodle(csv_path, roster, counted, maximum, now=None):
    header = list(roster.header)
    modified = find_column(header, "last modified (grade)")
    for name in ("Grade", "Status") + (() if modified else ("Last modified (grade)",)):
        if find_column(header, name.lower()) is None:
            header.append(name)
    grade, status = find_column(header, "grade"), find_column(header, "status")
    modified = find_column(header, "last modified (grade)")
    comments = find_column(header, "feedback comments")
    stamp = (now or datetime.datetime.now()).strftime("%Y-%m-%d %H:%M:%S")
    rows = []
    for student, row in counted:
        values = list(student.row) + [""] * (len(header) - len(student.row))
        total = number(row["total"]) if row is not None else "0"
        said = row["status"] if row is not None else NO_SUBMISSION
        values[header.index(grade)] = total
        values[header.index(status)] = said
        values[header.index(modified)] = stamp
        if comments:
            values[header.index(comments)] = f"{total} / {number(maximum)} points: {said}"
        rows.append(values[: len(header)])
    return write_rows(beside(csv_path, "moodle"), header, rows)


def export(csv_path, roster, lms, rows_by_student, unmatched, assignment, maximum):
    """Write the roster summary, the unmatched list and the LMS file; return their paths."""
    csv_path = Path(csv_path)
    counted = summary(roster, rows_by_student)
    written = [write_roster_summary(csv_path, roster, counted)]
    missing = sum(row is None for _, row in counted)
    print(f"{len(roster) - missing} of {len(roster)} roster students handed in; the others get 0.")
    written.append(write_unmatched(csv_path, unmatched))
    if lms == "canvas":
        written.append(write_canvas(csv_path, roster, counted, assignment, maximum))
    elif lms == "moodle":
        written.append(write_moodle(csv_path, roster, counted, maximum))
    for path in written[2:]:
        print(f"{lms} gradebook file: {path}")
    return [path for path in written if path is not None]
