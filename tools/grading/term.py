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

An assignment with manual questions always gets their pages (`manual/` beside the
feedback). Everything that can be refused is refused before the first notebook runs, so a
bad roster or manual.csv leaves nothing half-written. `Plan` holds what the run decided;
its default (no options) changes nothing.
"""

import dataclasses
import json
import queue
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grading import answers, gradebook, manual, roster, students, variants
from grading.assignment import Assignment, BadAssignment


def add_arguments(parser):
    parser.add_argument("--roster", help="the class list (CSV: id,name; or Canvas's/Moodle's)")
    parser.add_argument("--manual", help="points and comments given by hand (manual.csv)")
    parser.add_argument("--lms", help="also write the gradebook file: canvas or moodle")


@dataclasses.dataclass
class Plan:
    """The run's roster, variants and manual grades; the default changes nothing."""

    roster: object = None
    lms: str = ""
    manual_path: str = ""
    groups: dict = dataclasses.field(default_factory=dict)
    questions: dict = dataclasses.field(default_factory=dict)  # the manual questions
    manual_columns: list = dataclasses.field(default_factory=list)  # when MANUAL= is given
    manual_grades: dict = dataclasses.field(default_factory=dict)  # {key: {q: (points, comment)}}
    keys: dict = dataclasses.field(default_factory=dict)  # {item name: answer key}
    variant_assignments: dict = dataclasses.field(default_factory=dict)  # {student: Assignment}

    def student_key(self, relative):
        """The student of a file: roster.owner_key with a roster, else students.student_key."""
        if self.roster is None:
            return students.student_key(relative)
        return roster.owner_key(self.roster)(relative)

    def assignment_for(self, student, assignment):
        """The Assignment (with references) that `student`'s files are graded against."""
        return self.variant_assignments.get(student, assignment)

    def merge_manual(self, item, row, text):
        """The feedback of a file with its manual points merged into it and its row (MANUAL=)."""
        if not self.manual_columns:
            return text
        given = self.manual_grades.get(self.keys.get(item.name), {})
        return manual.merge(row, text, self.questions, given)

    def maximum(self, assignment):
        extra = sum(s["points"] for s in self.questions.values()) if self.manual_columns else 0
        return sum(assignment.questions.values()) + extra

    def finish(self, rows, items, assignment, csv_path, feedback_dir):
        """After grading: the manual pages, the roster summary, unmatched files, the LMS file."""
        written = []
        if self.questions:
            folder = feedback_dir.with_name(feedback_dir.name.replace("feedback", "manual", 1))
            entries = [
                (self.keys.get(item.name) or manual.submission_key(item), item,
                 answers.read_cells(item.path))
                for item in items
                if item.notebook is not None
            ]  # fmt: skip
            handout = answers.read_cells(assignment.handout)
            manual.write_pages(folder, assignment.name, self.questions, entries, handout)
            print(f"manual questions ({', '.join(self.questions)}): pages in {folder}")
            written.append(folder)
        if self.roster is None:
            return written
        by_name = {row["submission"]: row for row in rows}
        unmatched = [
            by_name[i.name]
            for i in sorted(items, key=lambda i: i.name)
            if i.name in by_name and roster.is_unmatched(i.student)
        ]
        rows_by_student = {
            student: [by_name[i.name] for i in self.groups.get(student, []) if i.name in by_name]
            for student in self.roster.students
        }
        return written + gradebook.export(
            csv_path,
            self.roster,
            self.lms,
            rows_by_student,
            unmatched,
            assignment.name,
            self.maximum(assignment),
        )


def start(args):
    """The Plan of a run from its arguments, or exit with the reason (nothing written)."""
    try:
        found = roster.read_roster(args.roster) if args.roster else None
        gradebook.check_lms(args.lms, found)
    except (roster.RosterError, gradebook.ExportError) as error:
        sys.exit(f"Cannot grade: {error}")
    if found is not None:
        print(f"Roster {args.roster}: {len(found)} students ({found.kind} format).")
    return Plan(roster=found, lms=args.lms or "", manual_path=args.manual or "")


def prepare(plan, groups, assignment, sandbox, references, uid_base, jobs):
    """Checks that need the assignment and the files, before grading; exit on a problem.

    `references(assignment, sandbox, uid)` is grade.py's: it runs a solution notebook in
    the sandbox and sets the assignment's reference values.
    """
    plan.groups = groups
    plan.questions = manual.read_questions(assignment.folder)
    items = [item for mine in groups.values() for item in mine]
    try:
        if plan.manual_path:
            if not plan.questions:
                raise manual.ManualError(f"{assignment.name} has no question graded by hand")
            plan.keys = {i.name: manual.submission_key(i) for i in items if i.notebook}
            plan.manual_grades = manual.read_grades(
                plan.manual_path, plan.questions, set(plan.keys.values())
            )
            plan.manual_columns = list(plan.questions)
        if plan.roster is not None:
            gradebook.check_lms(plan.lms, plan.roster, plan.maximum(assignment))
            prepare_variants(plan, groups, assignment, sandbox, references, uid_base, jobs)
    except (manual.ManualError, gradebook.ExportError, variants.VariantError) as error:
        sys.exit(f"Cannot grade: {error}")


def roster_variants(plan, assignment, spec):
    """{id: (tag, values)} of every roster student, from the secret or else variants.csv."""
    key = variants.existing_secret(assignment.folder)
    table = variants.read_table(assignment.folder / variants.TABLE, spec)
    if key is None and not table:
        return None
    found, disagree = {}, []
    for student in plan.roster.students:
        if key is not None:
            found[student] = (
                variants.tag(key, assignment.name, student),
                variants.parameters(key, assignment.name, student, spec),
            )
            if student in table and table[student] != found[student]:
                disagree.append(student)
        elif student in table:
            found[student] = table[student]
        else:
            raise variants.VariantError(
                f"student {student} has no row in {variants.TABLE} and the secret is gone"
            )
    if disagree:
        raise variants.VariantError(
            f"{variants.TABLE} and the secret disagree for {len(disagree)} students "
            f"({', '.join(disagree[:5])}): the secret changed since make handouts"
        )
    return found


def prepare_variants(plan, groups, assignment, sandbox, references, uid_base, jobs):
    """Each roster student's Assignment with their variant's references; review notes.

    The solution runs once per variant that a student with a file has, `jobs` at a time.
    """
    handout = json.loads(Path(assignment.handout).read_text())
    spec = variants.declared(handout)
    if not spec:
        return
    cell_id = handout["cells"][variants.parameters_cell(handout)]["id"]
    owner_variants = roster_variants(plan, assignment, spec)
    if owner_variants is None:  # no handouts were made: no secret, no variants.csv
        carried = [
            item.name
            for items in groups.values()
            for item in items
            if item.notebook is not None
            and "variant" in answers.read_cells(item.path, answers.MAX_FILE * 4).metadata
        ]
        if carried:
            raise variants.VariantError(
                f"{len(carried)} file(s) carry a student's variant (such as {carried[0]}), "
                f"but neither the secret nor {variants.TABLE} is in {assignment.folder}: "
                "put them back (or set $VARIANT_SECRET) to grade each against its variant"
            )
        print(
            f"{assignment.name} has variants, but no handouts were made (no secret, no "
            f"{variants.TABLE}): every file is graded against the instructor's own values."
        )
        return
    tags = {tag: student for student, (tag, _) in owner_variants.items()}
    owners = [s for s in groups if s in owner_variants]
    by_values = {}
    for student in owners:
        by_values.setdefault(repr(owner_variants[student][1]), []).append(student)
    solution = json.loads(Path(assignment.solution).read_text())
    uids = queue.Queue()
    for n in range(jobs):
        uids.put(uid_base + n)

    def referenced(path):
        variant = Assignment(assignment.name, assignment.folder.parent)
        variant.solution = path
        uid = uids.get()
        try:
            references(variant, sandbox, uid)
        finally:
            uids.put(uid)
        return variant

    with tempfile.TemporaryDirectory(prefix="variants-") as scratch:
        paths = []
        for n, students_of_variant in enumerate(by_values.values()):
            values = owner_variants[students_of_variant[0]][1]
            made = variants.with_parameters(solution, values, "# a variant")
            paths.append(Path(scratch) / f"variant{n}.ipynb")
            paths[-1].write_text(json.dumps(made))
        try:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                made = list(pool.map(referenced, paths))
        except BadAssignment as error:
            raise variants.VariantError(f"a variant's solution fails: {error}") from None
    for variant, students_of_variant in zip(made, by_values.values(), strict=True):
        for student in students_of_variant:
            plan.variant_assignments[student] = variant
    print(
        f"Variants: {len(owners)} students with files, {len(made)} different variants, "
        "each student's files graded against their own."
    )
    for student, items in groups.items():
        for item in items:
            if item.notebook is None:
                continue
            if student not in owner_variants:
                item.findings.append(
                    "no roster student owns it: graded against the instructor's own values "
                    f"({variants.shown(variants.defaults(spec))})"
                )
                continue
            tag, values = owner_variants[student]
            cells = answers.read_cells(item.path, max_file=answers.MAX_FILE * 4)
            if cells.problem:
                item.findings.append(
                    f"its variant could not be read ({cells.problem}); graded against "
                    f"{student}'s variant ({variants.shown(values)})"
                )
                continue
            item.findings += variants.review(
                cells, student, tag, values, assignment.name, spec, cell_id, tags
            )
