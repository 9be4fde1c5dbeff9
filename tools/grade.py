"""Grade a folder of submitted notebooks in a sandbox: `make grade SUBMISSIONS=folder`.

Every file under the folder, in subfolders too and whatever its name, gets one row of the
CSV: `submission` (its path in the folder), `student` (tools/grading/students.py), one
column per question, `total`, `status` and `review`. Each student's files are graded one
after the other within the student's budget of files and sandbox time.

A file that is a notebook has its code cells run by a plain Python process in a
bubblewrap sandbox (tools/grading/sandbox.py), which then evaluates each check's probe (the
inputs and calls of assignments/<name>/checks.py) with the student's functions and sends
the values back as JSON. The scores are decided here, outside, by comparing those values
with the solution notebook's (tools/grading/assignment.py, values.py): no test and no
expected value ever enters the sandbox, so a notebook that patches NumPy, otter, doctest or
builtins changes nothing but its own values.

Statuses (our words only: an exception's type and a cell number, never a message):

    graded                                   the checks ran; the scores are in the row
    graded; first failing cell: cell 7 NameError; failing cells: 2-5
                                             the first cell that raised, or that stopped a
                                             run ("stopped: CPU time limit"), and how many
    graded; a check stopped the run (…)      a probe hung or crashed; the rest were kept
    graded; N cell(s) of the handout missing (ids …)
    not graded: …                            not a notebook (why), another assignment, over
                                             the student's budget, unreadable within limits

`review` lists what an instructor may want to look at: imports of otter, pickle, ctypes,
subprocess..., changes to imported modules, magics that were not run, more than one
notebook from a student, and what happened at run time (CPU time, wall-clock or memory
limit, a crash). tools/grading/session.py runs a notebook cell by cell and again without a
cell that stopped it, so a late failure costs only what it prevented.

The rows are written one by one to `<csv>.partial` and renamed into place at the end, so a
killed run keeps the rows done. An existing CSV is never replaced: the run writes
`<name>-2.csv` (then -3...) instead, and says so. Feedback for each submission (its scores
and its public tests' results, never a hidden check) is written to
`_build/grades/<assignment>/feedback/` (`feedback-2/`... beside a numbered CSV).
"""

import argparse
import concurrent.futures
import csv
import dataclasses
import datetime
import math
import os
import queue
import re
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grading import notebook as nb  # noqa: E402
from grading import reader, session, students, term  # noqa: E402
from grading.assignment import Assignment, BadAssignment, known_assignments  # noqa: E402
from grading.sandbox import (  # noqa: E402
    MEGABYTE,
    Limits,
    Sandbox,
    bwrap_problem,
    cpu_isolation,
    make_font_cache,
)

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ROOT / "_build" / "assignments"
GRADES = ROOT / "_build" / "grades"
UID_BASE = 64000  # sandbox n runs as uid UID_BASE + n (unused by Debian's ranges)
UNSAFE_NOTE = "UNSAFE: graded without a sandbox"


@dataclasses.dataclass
class Item:
    """One file of the folder: its name for the CSV, its student, and what reading it found."""

    path: Path
    name: str
    relative: str = ""  # its path in the folder, as given (students.student_key reads it)
    modified: float = 0.0
    student: str = ""
    notebook: object = None
    problem: str = ""
    findings: list = dataclasses.field(default_factory=list)  # from reading it


def display_name(relative):
    """The path as text a CSV and a terminal can show: no control or undecodable characters."""
    text = os.fsencode(relative).decode("utf-8", "replace")
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    # No spreadsheet formulas, even behind spaces or in a full-width form (＝, ＋...).
    first = unicodedata.normalize("NFKC", text.lstrip()[:1])
    return "'" + text if first in ("=", "+", "-", "@") else text


def collect(folder):
    """Every file under `folder`, not following links, sorted by path.

    A link (to a folder too) is a file here, and so is a folder that cannot be listed: each
    gets a row. The walk keeps its own stack: os.walk recurses, and a folder 1,000 levels
    deep stopped the run with a RecursionError.
    """
    items, folders = [], [Path(folder)]
    while folders:
        directory = folders.pop()
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError as error:
            if directory != Path(folder):
                relative = directory.relative_to(folder).as_posix()
                problem = f"a folder ({type(error).__name__})"
                items.append(Item(directory, display_name(relative), relative, problem=problem))
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                folders.append(path)
                continue
            relative = path.relative_to(folder).as_posix()
            try:
                modified = entry.stat(follow_symlinks=False).st_mtime
            except OSError:
                modified = 0.0
            items.append(Item(path, display_name(relative), relative, modified))
    items.sort(key=lambda item: item.name)
    taken = {item.name for item in items}
    counts = {}
    for item in items:  # two names that display the same get a suffix no other file has
        counts[item.name] = counts.get(item.name, 0) + 1
        if counts[item.name] > 1:
            n = counts[item.name]
            while f"{item.name} #{n}" in taken:
                n += 1
            counts[item.name] = n
            item.name = f"{item.name} #{n}"
            taken.add(item.name)
    return items


def read_all(groups, jobs, files_per_student):
    """Read each student's files, newest first, each in a child process with limits.

    A student's files are read one after the other, up to four times the files they may have
    graded and `reader.READ_BUDGET` seconds of reading CPU; their later files are not read.
    """

    def one_student(items):
        spent, count = 0.0, 0
        for item in items:
            if item.problem:
                continue
            if count >= 4 * files_per_student or spent >= reader.READ_BUDGET:
                item.problem = f"{students.OVER_BUDGET} ({count} files read)"
                continue
            reading = reader.read_limited(item.path)
            count, spent = count + 1, spent + reading.cpu_seconds
            item.notebook, item.problem = reading.notebook, reading.problem
            item.findings = reading.findings

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one_student, groups.values()))


def guess_assignment(groups, folder):
    """The assignment named by more than half of the students, one vote each; or exit.

    Each student's files vote once, for the name most of them give (see students.py): a
    flat Canvas folder of one student's many notebooks naming another assignment outvoted
    the whole class when every file was a vote.
    """
    names = {
        student: [item.notebook.assignment for item in items if item.notebook]
        for student, items in groups.items()
    }
    names = {student: [n for n in given if n] for student, given in names.items()}
    try:
        best, count, voters = students.decide_assignment(names, set(known_assignments(folder)))
    except students.NoAssignment as reason:
        sys.exit(f"Cannot tell the assignment: {reason}; give ASSIGNMENT=name.")
    print(f"Assignment {best}: named by {count} of the {voters} students.")
    return best


@dataclasses.dataclass
class Options:
    """What the instructor chose for the whole run."""

    override: bool = False  # ASSIGNMENT= given: grade notebooks whatever their metadata says
    latest: bool = False  # LATEST=1: grade only each student's newest notebook
    student_files: int = 5
    release: object = None  # RELEASE=: a datetime.date before which per-check results wait
    student_seconds: float = 180.0
    plan: object = dataclasses.field(default_factory=term.Plan)  # ROSTER=, MANUAL=, LMS=


def grade_student(items, assignment, sandbox, uids, options):
    """[(item, row, feedback)] of one student's files (newest first), within their budget."""
    budget = students.Budget(options.student_files, options.student_seconds)
    notebooks = [item for item in items if item.notebook is not None]
    done = []
    for item in items:
        findings = []
        if len(notebooks) > 1 and item.notebook is not None:
            which = "the newest" if item is notebooks[0] else "one"
            findings.append(f"{which} of {len(notebooks)} notebooks from this student")
        if options.latest and item.notebook is not None and item is not notebooks[0]:
            item.problem = students.NOT_NEWEST
        try:
            row, text = grade_item(item, assignment, sandbox, uids, options, budget, findings)
        except Exception as error:  # noqa: BLE001 - a bug on one file must not stop the run
            row = {"submission": item.name, "student": display_name(item.student)}
            row.update(dict.fromkeys(assignment.questions, 0.0), total=0.0)
            row.update(status=f"the grader failed ({type(error).__name__})", review="")
            text = None
        done.append((item, row, text))
    return done


def grade_item(item, assignment, sandbox, uids, options, budget, findings):
    """The row and the feedback of one file."""
    row = {"submission": item.name, "student": display_name(item.student)}
    row.update(dict.fromkeys(assignment.questions, 0.0), total=0.0)
    notes, outcome_checks = [], []
    if sandbox.unsafe:
        findings.insert(0, UNSAFE_NOTE)

    def not_graded(reason):
        row.update(status=f"not graded: {reason}", review="; ".join(findings))
        return row, feedback(item, assignment, row, [], row["status"])

    findings += item.findings
    if item.problem:
        return not_graded(item.problem)
    notebook = item.notebook
    if notebook.assignment not in (None, assignment.name):
        if not options.override:
            return not_graded("a notebook of another assignment (its metadata says so)")
        findings.append("its metadata names another assignment")
    if notebook.assignment is None:
        findings.append("no otter metadata")
    if not item.path.name.lower().endswith(".ipynb"):
        findings.append("its name does not end in .ipynb")
    findings += notebook.notes
    if notebook.magic_lines:
        findings.append(f"{notebook.magic_lines} IPython magic or shell line(s) not run")
    own = {n for n, code in notebook.cells if code.strip() not in assignment.given_code}
    findings += sorted({f for n in own for f in notebook.reviews.get(n, ())})
    if not budget.take():
        return not_graded(f"{students.OVER_BUDGET} ({budget.describe()})")
    result = session.run_notebook(sandbox, notebook.cells, assignment.probes, uids)
    budget.spend(result.seconds)
    scores, outcome_checks = assignment.scores(result.values)
    row.update(scores)
    row["total"] = sum(scores.values())
    if result.errors:
        notes.append(failing_cells(result.errors, notebook))
    if result.checks_stopped:
        notes.append(f"a check stopped the run ({result.checks_stopped[0]})")
    missing = assignment.missing_cells(notebook.ids)
    if missing:
        notes.append(f"{len(missing)} cell(s) of the handout missing (ids {', '.join(missing)})")
    findings += session.runtime_findings(result)
    row["status"] = "; ".join(["graded", *notes])
    row["review"] = "; ".join(dict.fromkeys(findings))
    return row, feedback(item, assignment, row, outcome_checks, row["status"])


def failing_cells(errors, notebook):
    """`first failing cell: cell 7 NameError; failing cells: 2-5`, and nothing more.

    A status is the student's to shape (which cells raise what), so it says little: the
    first failing cell and its error type, and how many cells failed in three buckets.
    It carries nothing of the probes, which reach the sandbox after the last cell.
    """
    count = len(errors)
    bucket = "1" if count == 1 else "2-5" if count <= 5 else "more than 5"
    return f"first failing cell: {cell_error(*errors[0], notebook)}; failing cells: {bucket}"


def cell_error(number, name, notebook):
    """`cell 3 ModuleNotFoundError (tqdm is not installed)`: the module from the cell's
    own imports (tools/grading/reader.py), never from the error's message."""
    missing = notebook.missing.get(number) if name == "ModuleNotFoundError" else None
    if not missing:
        return f"cell {number} {name}"
    module = missing[0] if re.fullmatch(r"[A-Za-z_]\w{0,39}", missing[0], re.ASCII) else "a module"
    return f"cell {number} {name} ({module} is not installed)"


def library_versions():
    """The versions the sandbox runs: its Python is the grader's, with the same packages."""
    from importlib import metadata

    shown = {"numpy": "NumPy", "scipy": "SciPy", "matplotlib": "Matplotlib"}
    shown |= {"sympy": "SymPy", "jax": "JAX", "jaxlib": "jaxlib"}
    found = [f"Python {sys.version.split()[0]}"]
    for package, name in shown.items():
        try:
            found.append(f"{name} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found) + " (JAX on the CPU, in float64)"


def feedback(item, assignment, row, outcome_checks, status):
    """The Markdown feedback of one file: its scores, its public tests' results, the versions."""
    maximum = sum(assignment.questions.values())
    shown = item.name.replace("`", "'")  # a backtick in a name would end the code span
    lines = [
        f"# Feedback: {assignment.name}",
        "",
        f"Submission: `{shown}`",
        "",
        f"**Total: {number(row['total'])} / {number(maximum)}**",
        "",
        f"Status: {status}",
        "",
        f"Graded with {VERSIONS}.",
        "",
        "| question | score | points |",
        "|---|---|---|",
    ]
    lines += [f"| {q} | {number(row[q])} | {number(p)} |" for q, p in assignment.questions.items()]
    for question in assignment.questions:
        mine = [(c, ok) for c, ok in outcome_checks if c.question == question]
        lines += ["", f"## {question}"]
        if not mine:
            lines += ["", "Not checked (see the status above)."]
            continue
        for check, passed in mine:
            if not check.hidden:
                lines += ["", f"Public test: **{'passed' if passed else 'failed'}**", ""]
                lines += ["```python", check.public_code.rstrip(), "```"]
        hidden = [ok for c, ok in mine if c.hidden]
        if hidden:
            lines += ["", f"Further tests (not shown): {sum(hidden)} of {len(hidden)} passed."]
    return "\n".join(lines) + "\n"


VERSIONS = library_versions()


def feedback_bits(assignment, held=False):
    """The most a file's feedback can tell about the hidden probes, in bits.

    A student's code may read the probes in its own process, and then choose what the
    feedback shows: which public checks pass and how many further checks pass, question by
    question (`held`: only each question's score), and whether and why a check stopped the
    run. Nothing else in it depends on the probes: they reach the sandbox after the last
    cell, so the cells' statuses are decided before they are there.
    """
    bits = math.log2(len(session.stop_reasons()) + 1)
    for question in assignment.questions:
        checks = [c for c in assignment.checks if c.question == question]
        if held:
            sums = {0.0}
            for check in checks:
                sums |= {round(s + check.points, 9) for s in sums}
            bits += math.log2(len(sums))
        else:
            hidden = sum(c.hidden for c in checks)
            bits += len(checks) - hidden + math.log2(hidden + 1)
    return bits


def held_back_folder(feedback_dir, release):
    """Where the feedback with per-check results waits for RELEASE=, or None (no wait)."""
    if release is None or release <= datetime.date.today():
        return None
    return feedback_dir.with_name(f"{feedback_dir.name}-release-{release.isoformat()}")


def hold_back(text, release):
    """The feedback without its per-check results (public tests, counts of further tests).

    Which checks pass is what a student who read the hidden probes in their own process
    can choose, so before the release date the feedback gives the scores and the status
    only; the full feedback waits in `held_back_folder`.
    """
    kept, skip = [], False
    for line in text.split("\n"):
        if line.startswith("Public test: **"):
            skip = True  # the test's code block follows
            continue
        if skip:
            skip = line != "```"
            continue
        if not line.startswith("Further tests (not shown):"):
            kept.append(line)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept))
    note = f"The result of each test will be given on {release.isoformat()}."
    return text.replace("\n| question |", f"\n{note}\n\n| question |", 1)


def number(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def numbered(path, feedback_dir):
    """`path` and its feedback folder, or the first `-2`, `-3`... pair not yet used."""
    n = 1
    while True:
        suffix = "" if n == 1 else f"-{n}"
        csv_path = path.with_name(f"{path.stem}{suffix}{path.suffix}")
        folder = feedback_dir.with_name(feedback_dir.name + suffix)
        partial = csv_path.with_name(csv_path.name + ".partial")
        if not (csv_path.exists() or partial.exists() or folder.exists()):
            return csv_path, folder
        n += 1


def feedback_file_name(name, used):
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")[:120] or "submission"
    candidate, n = f"{base}.md", 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}.md"
    used.add(candidate)
    return candidate


class Writer:
    """CSV rows, in order, to `<target>.partial`; renamed to `target` at the end."""

    def __init__(self, target, questions):
        self.target = target
        self.partial = target.with_name(target.name + ".partial")
        target.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(self.partial, "x", newline="", encoding="utf-8")
        self.fields = ["submission", "student", *questions, "total", "status", "review"]
        self.writer = csv.DictWriter(self.file, fieldnames=self.fields)
        self.writer.writeheader()
        self.file.flush()

    def write(self, row):
        self.writer.writerow({k: number(v) for k, v in row.items()})
        self.file.flush()

    def finish(self):
        self.file.close()
        os.replace(self.partial, self.target)


def grade(groups, assignment, sandbox, csv_target, feedback_dir, jobs, options, uid_base):
    """Grade each student's files (`collect`ed, `read_all`, grouped); return the rows.

    A student's files run one after the other (their budget is counted as they go), and
    up to `jobs` students at a time; the rows are written student by student.
    """
    uids = queue.Queue()
    for n in range(jobs):
        uids.put(uid_base + n)
    try:
        writer = Writer(csv_target, [*assignment.questions, *options.plan.manual_columns])
        feedback_dir.mkdir(parents=True)
        held = held_back_folder(feedback_dir, options.release)
        if held:
            held.mkdir()
    except OSError as error:
        sys.exit(f"Cannot write the grades ({type(error).__name__}: {error}).")
    used, rows = set(), []
    maximum = options.plan.maximum(assignment)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = [
            pool.submit(
                grade_student,
                items,
                options.plan.assignment_for(student, assignment),
                sandbox,
                uids,
                options,
            )
            for student, items in groups.items()
        ]
        for future in futures:
            for item, row, text in future.result():
                text = options.plan.merge_manual(item, row, text)
                writer.write(row)
                rows.append(row)
                if text is not None:
                    name = feedback_file_name(item.name, used)
                    if held:
                        (held / name).write_text(text, encoding="utf-8")
                        text = hold_back(text, options.release)
                    (feedback_dir / name).write_text(text, encoding="utf-8")
                print(
                    f"{row['submission'][:40]:40} {number(row['total']):>5} / "
                    f"{number(maximum)}  {row['status'][:100]}"
                )
    except KeyboardInterrupt:
        # Leave at once: bubblewrap's --die-with-parent then kills the running sandboxes.
        print(f"Interrupted: the rows done are in {writer.partial}", file=sys.stderr)
        sys.stderr.flush()
        os._exit(130)
    pool.shutdown()
    writer.finish()
    return rows


def references(assignment, sandbox, uid):
    """Run the solution notebook in the sandbox; fill in the checks' expected values."""
    solution = nb.read_notebook(assignment.solution)
    uids = queue.Queue()
    uids.put(uid)
    result = session.run_notebook(sandbox, solution.cells, assignment.probes, uids, runs=1)
    if result.reasons:
        raise BadAssignment(f"the solution notebook did not finish ({result.reasons[0]})")
    if result.errors:
        raise BadAssignment(f"the solution notebook raised in cell(s) {result.errors}")
    assignment.set_references(result.values)


def release_date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"RELEASE={text!r} is not a date YYYY-MM-DD") from None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path, help="folder of submitted notebooks")
    parser.add_argument("--assignment", help="assignment name (default: from the notebooks)")
    parser.add_argument("--csv", type=Path, help="where to write the grades")
    parser.add_argument("--feedback", type=Path, help="folder for the feedback files")
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="CPU seconds per run of a submission (twice that on the clock)",
    )
    parser.add_argument("--memory", type=float, default=2048, help="MB per process (default 2048)")
    parser.add_argument("--jobs", type=int, help="submissions at a time (default: cores)")
    parser.add_argument(
        "--latest", action="store_true", help="grade only each student's newest notebook"
    )
    parser.add_argument(
        "--student-files", type=int, default=5, help="notebooks graded per student (default 5)"
    )
    parser.add_argument(
        "--release",
        type=release_date,
        help="YYYY-MM-DD: until then, the feedback gives scores but no per-check results",
    )
    parser.add_argument(
        "--student-seconds",
        type=float,
        help="seconds of sandbox time per student (default: 3 times --timeout)",
    )
    parser.add_argument("--assignments", type=Path, default=ASSIGNMENTS, help=argparse.SUPPRESS)
    parser.add_argument("--uid-base", type=int, default=UID_BASE, help=argparse.SUPPRESS)
    parser.add_argument(
        "--unsafe", action="store_true", help="run students' code WITHOUT the sandbox"
    )
    term.add_arguments(parser)
    args = parser.parse_args(argv)
    for stream in (sys.stdout, sys.stderr):  # a file's name must not stop the run
        stream.reconfigure(errors="backslashreplace")
    started = time.monotonic()
    folder = args.submissions
    if not folder.is_dir() or folder.is_symlink():
        sys.exit(f"SUBMISSIONS={folder} is not a folder.")
    limits = Limits(timeout=args.timeout, memory=int(args.memory * MEGABYTE))
    jobs, isolation = cpu_isolation(max(1, args.jobs or len(os.sched_getaffinity(0))))
    plan = term.start(args)
    with tempfile.TemporaryDirectory(prefix="grade-") as scratch:
        sandbox = Sandbox(limits, args.unsafe)
        if args.unsafe:
            print(
                "WARNING: UNSAFE=1: the students' code runs WITHOUT a sandbox, as "
                f"{'root' if os.getuid() == 0 else 'you'}, with only time and memory limits.",
                file=sys.stderr,
            )
        else:
            problem = bwrap_problem(sandbox)
            if problem:
                sys.exit(
                    f"Refusing to grade: {problem}. make grade installs bubblewrap "
                    "(apt-get install bubblewrap) and needs it to run. To grade without a "
                    "sandbox anyway, at your own risk: make grade UNSAFE=1 ..."
                )
        sandbox.font_cache = make_font_cache(Path(scratch))
        print(f"CPU isolation: {isolation}; too slow means {limits.cpu_seconds} s of its own CPU")
        items = collect(folder)
        groups = students.assign_students(items, key=plan.student_key)
        read_all(groups, jobs, args.student_files)
        name = args.assignment or guess_assignment(groups, args.assignments)
        try:
            assignment = Assignment(name, args.assignments)
            references(assignment, sandbox, args.uid_base)
        except BadAssignment as error:
            sys.exit(f"Cannot grade {name}: {error}")
        term.prepare(plan, groups, assignment, sandbox, references, args.uid_base, jobs)
        target = args.csv or GRADES / f"{name}.csv"
        feedback_dir = args.feedback or (
            GRADES / name / "feedback"
            if args.csv is None
            else target.with_name(f"{target.stem}-feedback")
        )
        for out in (target, feedback_dir):
            if out.resolve().is_relative_to(folder.resolve()):
                sys.exit(f"{out} is inside the submissions folder; choose another place.")
        csv_path, feedback_dir = numbered(target, feedback_dir)
        if csv_path != target:
            print(f"{target} exists: this run writes {csv_path} instead.")
        options = Options(
            override=bool(args.assignment),
            latest=args.latest,
            student_files=args.student_files,
            student_seconds=args.student_seconds or 3 * args.timeout,
            release=args.release,
            plan=plan,
        )
        print(
            f"{len(items)} file(s) from {len(groups)} student(s); each student may use "
            f"{students.Budget(options.student_files, options.student_seconds).describe()}"
            + ("; only each student's newest notebook is graded (LATEST=1)" if args.latest else "")
        )
        rows = grade(
            groups, assignment, sandbox, csv_path, feedback_dir, jobs, options, args.uid_base
        )
        plan.finish(rows, items, assignment, csv_path, feedback_dir)
    took = time.monotonic() - started
    print(f"{len(rows)} file(s) graded in {took:.1f} s; grades in {csv_path}")
    print(f"feedback in {feedback_dir}")
    held = held_back_folder(feedback_dir, args.release)
    if held:
        print(
            f"Per-check results held back until {args.release.isoformat()}: the feedback in "
            f"{feedback_dir} gives scores and statuses; hand out {held} on that date."
        )
    if args.unsafe:
        print("WARNING: graded WITHOUT a sandbox (UNSAFE=1).", file=sys.stderr)


if __name__ == "__main__":
    main()
