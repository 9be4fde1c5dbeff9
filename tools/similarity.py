"""Flag students whose answer code is alike: `make similarity SUBMISSIONS=folder ASSIGNMENT=x`.

Reads every file of the folder as `make grade` finds them (tools/grade.py's `collect`; a
file's student from students.py, or from ROSTER= as roster.py says), takes each student's
newest notebook, and compares the code they wrote, with the handout's code as boilerplate
(tools/grading/similarity.py). Writes `_build/similarity/<name>/report.html` and
`pairs.csv`. Nothing is run and no grade changes: the report is for a person to read.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import grade  # noqa: E402
from grading import answers, roster, similarity, students  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "_build" / "similarity"


def student_codes(folder, handout, key):
    """{student: (file, answer code)} from each student's newest readable notebook."""
    items = grade.collect(folder)
    codes = {}
    for student, mine in students.assign_students(items, key=key).items():
        for item in mine:
            if item.problem:
                continue
            cells = answers.read_cells(item.path)
            if cells.problem or not cells.cells:
                continue
            codes[student] = (item.name, answers.answer_code(cells, handout))
            break
    return codes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path, help="folder of submitted notebooks")
    parser.add_argument("--assignment", required=True, help="the assignment's name")
    parser.add_argument("--assignments", type=Path, default=grade.ASSIGNMENTS)
    parser.add_argument("--out", type=Path, help="folder for report.html and pairs.csv")
    parser.add_argument("--roster", help="the class list, to name each file's student")
    parser.add_argument(
        "--threshold",
        type=float,
        default=similarity.THRESHOLD,
        help=f"list pairs whose larger share reaches this (default {similarity.THRESHOLD})",
    )
    args = parser.parse_args(argv)
    folder = args.submissions
    if not folder.is_dir():
        sys.exit(f"SUBMISSIONS={folder} is not a folder.")
    handout_path = args.assignments / args.assignment / "student" / f"{args.assignment}.ipynb"
    handout = answers.read_cells(handout_path)
    if handout.problem:
        sys.exit(f"No handout {handout_path} ({handout.problem}): run `make assignments`.")
    key = students.student_key
    if args.roster:
        try:
            key = roster.owner_key(roster.read_roster(args.roster))
        except roster.RosterError as error:
            sys.exit(f"Cannot compare: {error}")
    codes = student_codes(folder, handout, key)
    boilerplate = "\n".join(c.source for c in handout.cells if c.type == "code")
    pairs, scores = similarity.compare(codes, boilerplate, args.threshold)
    out = args.out or OUTPUT / args.assignment
    written_code = sum(bool(code.strip()) for _, code in codes.values())
    written = similarity.write_pairs(out / "pairs.csv", pairs)
    report = similarity.write_report(
        out / "report.html", args.assignment, pairs, written_code, args.threshold
    )
    print(
        f"{written_code} students compared (of {len(codes)} with a notebook; the others wrote "
        f"no code), {len(scores)} pairs; {len(pairs)} pair(s) flagged:"
    )
    for pair in pairs:
        print(f"  {pair.a} and {pair.b}: {pair.share_a:.0%} / {pair.share_b:.0%}")
    print(f"report: {report}")
    print(f"pairs:  {written}")
    print("A flag for a person to read, not a verdict; no score was changed.")


if __name__ == "__main__":
    main()
