"""The class list: who the students are, and which of them each submitted file belongs to.

`read_roster` reads one of three CSV files, told apart by their header:

- a plain roster, with at least the columns `id` and `name` (any case; more columns are
  kept, and `sis_user_id`, `sis_login_id`, `section` are used by the Canvas export);
- a Canvas gradebook export (`Student`, `ID`, and usually `SIS User ID`, `SIS Login ID`,
  `Section`, then the assignments): a student's id is the Canvas user id, the number Canvas
  puts in its download names; the "Points Possible" row is skipped;
- a Moodle grading worksheet (`Identifier`, `Full name`, ...): a student's id is the
  participant number of `Participant 123`, the number Moodle puts in its download folders.

Bad input is a `RosterError` that names the file, the line and what is wrong: a missing
column, an empty or duplicate id, an id that cannot be a file name.

`owner_key` maps a file's path in the submissions folder to its student's id, for
`students.assign_students`, from what the path carries: a folder or a file named by the id,
a Canvas download name (`students.CANVAS_NAME`: `name_<user id>_<submission id>_<file>`,
with `LATE`), a Moodle folder (`Full Name_<participant>_assignsubmission_file_`), or a name
that starts with the id and `_`, `-` or `.`. A file that names no roster student keeps the
key `students.student_key` gives it, after `UNMATCHED`, and is listed as unmatched.
"""

import csv
import dataclasses
import io
import re
from pathlib import Path, PurePosixPath

from grading import students

UNMATCHED = "unmatched: "
SAFE_ID = re.compile(r"^[A-Za-z0-9@][A-Za-z0-9@._-]{0,99}$")
MOODLE_FOLDER = re.compile(r"^.*?_(\d+)_assign(?:submission|feedback)_", re.DOTALL)
MOODLE_PARTICIPANT = re.compile(r"^\s*\D*?(\d+)\s*$")
MAX_ROSTER = 16 * 2**20


class RosterError(Exception):
    """The roster cannot be used; the message names the file, the line and the problem."""


@dataclasses.dataclass(frozen=True)
class Student:
    """One student of the roster; `row` is their row as read (for the Moodle worksheet)."""

    id: str
    name: str
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    row: tuple = ()


@dataclasses.dataclass
class Roster:
    """The students in the roster's order; `kind` is "plain", "canvas" or "moodle"."""

    path: Path
    kind: str
    header: list
    students: dict  # {id: Student}

    def __len__(self):
        return len(self.students)


def read_roster(path):
    """The `Roster` in the CSV file at `path`; raises RosterError."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RosterError(f"cannot read the roster {path} ({type(error).__name__})") from None
    if len(data) > MAX_ROSTER:
        raise RosterError(f"{path}: larger than {MAX_ROSTER // 2**20} MB, not a roster")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(f"{path}: not UTF-8 text (save the roster as CSV UTF-8)") from None
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise RosterError(f"{path}: not a CSV file ({error})") from None
    numbered = [(n, row) for n, row in enumerate(lines, start=1) if any(c.strip() for c in row)]
    if not numbered:
        raise RosterError(f"{path}: empty; a roster needs a header and a row per student")
    header = [cell.strip() for cell in numbered[0][1]]
    kind, columns = roster_kind(path, header)
    found, where = {}, {}
    for line, row in numbered[1:]:
        cells = dict(zip(header, (cell.strip() for cell in row), strict=False))
        student = make_student(kind, columns, cells, tuple(row), path, line)
        if student is None:
            continue
        if student.id in found:
            raise RosterError(
                f"{path}, line {line}: the id {student.id!r} is also on line "
                f"{where[student.id]}; every student needs an id of their own"
            )
        found[student.id], where[student.id] = student, line
    if not found:
        raise RosterError(f"{path}: no student rows under the header")
    return Roster(path, kind, header, found)


def roster_kind(path, header):
    """("plain" | "canvas" | "moodle", {role: column name}); raises RosterError."""
    lower = {name.lower(): name for name in header}
    if "student" in lower and "id" in lower and header[:1] == ["Student"]:
        columns = {"id": "ID", "name": "Student"}
        for role, name in (
            ("sis_user_id", "SIS User ID"),
            ("sis_login_id", "SIS Login ID"),
            ("section", "Section"),
        ):
            if name in header:
                columns[role] = name
        return "canvas", columns
    if "identifier" in lower:
        if "full name" not in lower:
            raise RosterError(
                f"{path}: a Moodle grading worksheet needs an 'Full name' column beside "
                f"'Identifier' (found: {', '.join(header)})"
            )
        return "moodle", {"id": lower["identifier"], "name": lower["full name"]}
    missing = [name for name in ("id", "name") if name not in lower]
    if missing:
        raise RosterError(
            f"{path}: no {' and no '.join(repr(m) for m in missing)} column (found: "
            f"{', '.join(header) or 'nothing'}). A roster is a CSV file with the columns id "
            "and name, a Canvas gradebook export (Student, ID, SIS User ID, SIS Login ID, "
            "Section, ...) or a Moodle grading worksheet (Identifier, Full name, ...)."
        )
    columns = {role: lower[role] for role in ("id", "name")}
    for role in ("sis_user_id", "sis_login_id", "section"):
        if role in lower:
            columns[role] = lower[role]
    return "plain", columns


def make_student(kind, columns, cells, row, path, line):
    """The Student of one roster row, or None for a row that is not a student's."""
    name = cells.get(columns["name"], "")
    raw_id = cells.get(columns["id"], "")
    if kind == "canvas" and name == "Points Possible":
        return None  # Canvas's second row gives each assignment's points
    if kind == "moodle":
        match = MOODLE_PARTICIPANT.match(raw_id)
        if not match:
            raise RosterError(
                f"{path}, line {line}: the Identifier {raw_id!r} is not 'Participant <number>'"
            )
        raw_id = match.group(1)
    if not raw_id:
        raise RosterError(f"{path}, line {line}: no id (column {columns['id']!r} is empty)")
    if not SAFE_ID.match(raw_id):
        raise RosterError(
            f"{path}, line {line}: the id {raw_id!r} cannot name a file (use letters, "
            "digits and . _ - @, at most 100, not starting with . _ or -)"
        )
    extra = {role: cells.get(column, "") for role, column in columns.items()}
    return Student(
        id=raw_id,
        name=name,
        sis_user_id=extra.get("sis_user_id", ""),
        sis_login_id=extra.get("sis_login_id", ""),
        section=extra.get("section", ""),
        row=row,
    )


def candidate_ids(relative):
    """The ids a file's path may carry, most specific first (see the module's docstring)."""
    parts = PurePosixPath(relative).parts
    first = parts[0] if parts else ""
    found = []
    if len(parts) > 1:
        found.append(first)
        moodle = MOODLE_FOLDER.match(first)
        if moodle:
            found.append(moodle.group(1))
    else:
        canvas = students.CANVAS_NAME.match(first)
        if canvas:
            found.append(canvas.group(1))
        found.append(PurePosixPath(first).stem)
        found.append(first)
    return found, first


def owner_of(relative, roster):
    """The id of the roster student the file at `relative` names, or None."""
    found, first = candidate_ids(relative)
    for candidate in found:
        if candidate in roster.students:
            return candidate
    prefixed = [
        student
        for student in roster.students
        if len(first) > len(student) and first.startswith(student) and first[len(student)] in "_-."
    ]
    return max(prefixed, key=len) if prefixed else None


def owner_key(roster):
    """A `key` for `students.assign_students`: the roster id, or UNMATCHED + the usual key."""

    def key(relative):
        owner = owner_of(relative, roster)
        return owner if owner is not None else UNMATCHED + students.student_key(relative)

    return key


def is_unmatched(key):
    return key.startswith(UNMATCHED)
