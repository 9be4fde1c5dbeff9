"""A handout for each student: `make handouts ASSIGNMENT=name ROSTER=roster.csv [SOLUTIONS=1]`.

From the handout and solutions that `make assignments` made, writes into
`_build/assignments/<name>/`:

    handouts/<id>.ipynb    each roster student's handout: their own parameters (variants.py)
                           in the parameters cell and shown above it, their id and tag in
                           its metadata; handouts/tests/ holds the public tests
    solutions/<id>.ipynb   (SOLUTIONS=1) each student's variant solved, for the instructor
    variants.csv           id, name, tag and values of every student
    variant-secret         the secret (mode 0600), made on first use unless $VARIANT_SECRET
"""

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grading import roster, variants  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ROOT / "_build" / "assignments"


def dump(notebook):
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def make_handouts(name, roster_path, folder, solutions=False):
    """Write the handouts (and solutions) and the table; return {id: values}."""
    folder = Path(folder) / name
    handout_path = folder / "student" / f"{name}.ipynb"
    if not handout_path.exists():
        raise variants.VariantError(f"{handout_path} is missing: run `make assignments`")
    handout = json.loads(handout_path.read_text())
    solution = json.loads((folder / "autograder" / f"{name}.ipynb").read_text())
    spec = variants.declared(handout)
    if not spec:
        raise variants.VariantError(
            f"{name} declares no parameters (no code cell tagged 'parameters'): every "
            f"student gets the same handout, {handout_path}"
        )
    students = roster.read_roster(roster_path)
    key = variants.secret(folder)
    out = folder / "handouts"
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(handout_path.parent / "tests", out / "tests")
    if solutions:
        shutil.rmtree(folder / "solutions", ignore_errors=True)
        (folder / "solutions").mkdir()
    rows, made = [], {}
    for student in students.students.values():
        values = variants.parameters(key, name, student.id, spec)
        student_tag = variants.tag(key, name, student.id)
        made[student.id] = values
        rows.append((student.id, student.name, student_tag, values))
        args = (name, student.id, student.name, values, student_tag)
        (out / f"{student.id}.ipynb").write_text(dump(variants.student_notebook(handout, *args)))
        if solutions:
            solved = variants.student_notebook(solution, *args)
            (folder / "solutions" / f"{student.id}.ipynb").write_text(dump(solved))
    table = variants.write_table(folder / variants.TABLE, name, spec, rows)
    distinct = len({tuple(v.items()) for v in made.values()})
    print(f"{len(made)} handouts of {name} in {out}/, {distinct} different variants")
    for student, student_name, _, values in rows[:3]:
        print(f"  {student} ({student_name}): {variants.shown(values)}")
    if solutions:
        print(f"their solutions in {folder / 'solutions'}/")
    print(f"the variant of each student: {table}")
    return made


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", help="the assignment's name")
    parser.add_argument("--roster", required=True, help="the class list (roster.py's formats)")
    parser.add_argument("--solutions", action="store_true", help="also each student's solutions")
    parser.add_argument("--assignments", type=Path, default=ASSIGNMENTS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        make_handouts(args.assignment, args.roster, args.assignments, args.solutions)
    except (variants.VariantError, roster.RosterError) as error:
        sys.exit(f"Cannot make the handouts: {error}")


if __name__ == "__main__":
    main()
