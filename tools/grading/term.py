"""What a term adds to a grading run (tools/grade.py): roster, variants, manual questions, export.

`make grade` options, all optional; without them a run is what it always was:

ROSTER=roster.csv (`--roster`)
    files belong to roster students (roster.py); a roster summary and the list of files of
    no roster student are written beside the grades; with variants (variants.py), each
    student's files are graded against the student's own variant;
MANUAL=manual.csv (`--manual`)
    the points and comments given by hand to the questions marked manual (manual.py) are
    merged: a column per manual question, in the totals and the feedback;
LMS=canvas|moodle (`--lms`)
    the gradebook file to import (gradebook.py).

Everything that can be refused is refused before the first notebook runs, so that a bad
roster or manual.csv leaves nothing half-written. `Plan` holds what the run decided; its
default (no options) changes nothing.
"""

import dataclasses
import sys

from grading import gradebook, roster


def add_arguments(parser):
    parser.add_argument("--roster", help="the class list (CSV: id,name; or Canvas's/Moodle's)")
    parser.add_argument("--manual", help="points and comments given by hand (manual.csv)")
    parser.add_argument("--lms", help="also write the gradebook file: canvas or moodle")


@dataclasses.dataclass
class Plan:
    """The run's roster, variants and manual grades; the default changes nothing."""

    roster: object = None
    lms: str = ""
    manual_columns: list = dataclasses.field(default_factory=list)
    variant_assignments: dict = dataclasses.field(default_factory=dict)  # {student: Assignment}

    def student_key(self, relative):
        """The student of a file (roster.owner_key with a roster, else students.student_key)."""
        return self.key(relative)

    def __post_init__(self):
        from grading import students

        self.key = roster.owner_key(self.roster) if self.roster else students.student_key

    def assignment_for(self, student, assignment):
        """The Assignment (with references) that `student`'s files are graded against."""
        return self.variant_assignments.get(student, assignment)

    def merge_manual(self, item, row, text):
        """The row and feedback of a file with its manual points merged (when MANUAL=)."""
        return text

    def finish(self, rows, items, assignment, csv_path, feedback_dir):
        """After grading: the roster summary, unmatched files and the LMS file."""
        if self.roster is None:
            return []
        by_name = {row["submission"]: row for row in rows}
        rows_by_student, unmatched = {}, []
        for item in sorted(items, key=lambda i: i.name):
            row = by_name.get(item.name)
            if row is None:
                continue
            if roster.is_unmatched(item.student):
                unmatched.append(row)
        for student in self.roster.students:
            mine = [i for i in self.groups.get(student, []) if i.name in by_name]
            rows_by_student[student] = [by_name[i.name] for i in mine]
        maximum = sum(assignment.questions.values()) + self.manual_points()
        return gradebook.export(
            csv_path, self.roster, self.lms, rows_by_student, unmatched, assignment.name, maximum
        )

    def manual_points(self):
        return 0.0


def start(args):
    """The Plan of a run from its arguments, or exit with the reason (nothing written)."""
    try:
        found = roster.read_roster(args.roster) if args.roster else None
        gradebook.check_lms(args.lms, found)
    except (roster.RosterError, gradebook.ExportError) as error:
        sys.exit(f"Cannot grade: {error}")
    if found is not None:
        print(f"Roster {args.roster}: {len(found)} students ({found.kind} format).")
    return Plan(roster=found, lms=args.lms or "")


def prepare(plan, groups, assignment, sandbox, references, uid_base, jobs):
    """Checks that need the assignment and the files, before grading; exit on a problem.

    `references(assignment, sandbox, uid)` is grade.py's: it runs a solution notebook in
    the sandbox and sets the assignment's reference values.
    """
    plan.groups = groups
    try:
        if plan.roster is not None:
            maximum = sum(assignment.questions.values()) + plan.manual_points()
            gradebook.check_lms(plan.lms, plan.roster, maximum)
    except gradebook.ExportError as error:
        sys.exit(f"Cannot grade: {error}")
