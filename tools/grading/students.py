"""Which student each submitted file belongs to, and what each student may use of the grader.

A file's student is decided by `student_key`, the one place that maps a file to a student
(a roster can replace it):

- a file in a subfolder belongs to the folder at the top of the submissions folder, as
  Moodle and Canvas's per-student folders download them;
- a file at the top whose name Canvas made, `name_<user id>_<submission id>_<file>` or
  `name_LATE_<user id>_<submission id>_<file>`, belongs to that Canvas user id (the first
  such group in the name: a student's own file name, which comes after it, cannot
  change it);
- any other file at the top is a student of its own.

Everything a student can spend is counted per student, never per file: one vote on the
assignment's name, a number of files graded and seconds of sandbox time (`Budget`).
Past either, the student's remaining files get the row "not graded: over this student's
budget", and no classmate is affected.
"""

import dataclasses
import re
import threading
from pathlib import PurePosixPath

CANVAS_NAME = re.compile(r"^.*?_(?:LATE_)?(\d+)_(\d+)_.", re.DOTALL)
OVER_BUDGET = "over this student's budget"
NOT_NEWEST = "not this student's newest notebook (LATEST=1)"


class NoAssignment(Exception):
    """The assignment cannot be told from the students' notebooks; the message says why."""


def student_key(relative):
    """The student of the file at `relative` (its path in the submissions folder, as text)."""
    parts = PurePosixPath(relative).parts
    if len(parts) > 1:
        return parts[0]
    match = CANVAS_NAME.match(parts[0])
    return f"Canvas user {match.group(1)}" if match else parts[0]


def canvas_submission(relative):
    """The Canvas submission id in a top-level file's name (0 if none): newer is larger."""
    parts = PurePosixPath(relative).parts
    match = CANVAS_NAME.match(parts[0]) if len(parts) == 1 else None
    return int(match.group(2)) if match else 0


def assign_students(items, key=student_key):
    """Set each item's `student` to `key(item.relative)`; return {student: [items]}.

    Students are sorted, and each one's items are newest first (`newest_first`).
    """
    groups = {}
    for item in items:
        item.student = key(item.relative)
        groups.setdefault(item.student, []).append(item)
    return {student: newest_first(groups[student]) for student in sorted(groups)}


def newest_first(items):
    """Items sorted newest first: Canvas submission id, then modification time, then name."""
    return sorted(
        items,
        key=lambda item: (canvas_submission(item.relative), item.modified, item.name),
        reverse=True,
    )


def decide_assignment(groups, known):
    """The assignment named by more than half of the students (one vote each).

    `groups` is {student: [names given by the metadata of that student's notebooks]}. A
    student votes for the name most of their notebooks give (ties: the first by name), so a
    student's many files are one vote. Raises NoAssignment, naming the candidates, when no
    name has a majority or two names tie.
    """
    votes = {}
    for names in groups.values():
        if names:
            vote = max(sorted(set(names)), key=names.count)
            votes[vote] = votes.get(vote, 0) + 1
    voters = sum(votes.values())
    counts = {name: n for name, n in votes.items() if name in known}
    found = ", ".join(f"{n} ({c} student{'s' * (c != 1)})" for n, c in sorted(counts.items()))
    top = max(counts.values(), default=0)
    leaders = sorted(name for name, n in counts.items() if n == top)
    if len(leaders) > 1:
        raise NoAssignment(f"a tie between {', '.join(leaders)} (found: {found})")
    if not leaders or 2 * top <= voters:
        raise NoAssignment(
            f"no assignment is named by more than half of the {voters} students "
            f"(found: {found or 'none'})"
        )
    return leaders[0], top, voters


@dataclasses.dataclass
class Budget:
    """What one student may use: `files` graded in the sandbox and `seconds` of sandbox time.

    A file starts only while both are left, and then runs with its full time limit, so the
    most one student can take is `seconds` plus one file's limit.
    """

    files: int
    seconds: float
    used_files: int = 0
    used_seconds: float = 0.0
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock, repr=False)

    def take(self):
        """Whether one more file may run; counts it if so."""
        with self.lock:
            if self.used_files >= self.files or self.used_seconds >= self.seconds:
                return False
            self.used_files += 1
            return True

    def spend(self, seconds):
        with self.lock:
            self.used_seconds += seconds

    def describe(self):
        return f"{self.files} files or {self.seconds:g} s of sandbox time"
