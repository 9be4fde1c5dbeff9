"""Make the homework handouts and autograders: `make assignments`.

Every instructor notebook `assignments/<name>/<name>.ipynb` (questions,
solutions, public and hidden tests, in otter-grader's format) becomes

    _build/assignments/<name>/student/<name>.ipynb     the handout: no solutions,
                                                       public tests only
    _build/assignments/<name>/autograder/autograder.zip all tests, for otter's own grading
    _build/assignments/<name>/autograder/<name>.ipynb  the solutions, for instructors
    _build/assignments/<name>/autograder/checks.py     the checks `make grade` evaluates,
                                                       copied from assignments/<name>/

`otter assign` names the zip after the time of day and gives the cells it adds
(the otter set-up, one `grader.check` per question) random ids. Here the zip is
renamed `autograder.zip`, a name that does not change, and those cells get ids made from what
they do, so that a handout made again has the same cell ids as the one the
students hold: `make grade` names the handout cells a submission lost by id.
"""

import contextlib
import hashlib
import io
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "assignments"
OUTPUT = ROOT / "_build" / "assignments"


def instructor_notebooks():
    return sorted(p for p in SOURCES.glob("*/*.ipynb") if p.stem == p.parent.name)


def make_assignment(notebook, output=OUTPUT):
    from otter.assign import main as otter_assign

    target = output / notebook.stem
    from grading import variants

    kept = variants.keep_secret(target)  # the variants' secret and table outlive a rebuild
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    variants.restore_secret(target, kept)
    log = io.StringIO()
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        otter_assign(str(notebook), str(target), no_run_tests=True)
    (zip_file,) = (target / "autograder").glob("*.zip")
    zip_file.rename(zip_file.with_name("autograder.zip"))
    # The checks that `make grade` runs instead of otter's tests (tools/grade.py).
    shutil.copyfile(notebook.with_name("checks.py"), target / "autograder" / "checks.py")
    # The questions graded by a person (otter's `manual: true`), for make grade's pages.
    from grading import manual

    manual.write_questions(notebook, target / "autograder")
    for made in target.glob("*/*.ipynb"):
        give_stable_ids(made)
    return target


def give_stable_ids(path):
    """Replace the random ids of the cells otter added (ours all start with "cell-")."""
    notebook = json.loads(path.read_text())
    seen = {}
    for cell in notebook["cells"]:
        if cell["id"].startswith("cell-"):
            continue
        source = "".join(cell["source"])
        check = re.search(r'grader\.check\("(\w+)"\)', source)
        if "otter.Notebook(" in source:
            cell["id"] = "otter-init"
        elif check:
            cell["id"] = f"otter-check-{check.group(1)}"
        elif "grader.check_all()" in source:
            cell["id"] = "otter-check-all"
        else:
            # Named by its text, so that the handout and the solutions give a cell the same
            # id whatever solution cells come before it (a manual question's answer does).
            digest = hashlib.sha1(source.encode()).hexdigest()[:8]
            seen[digest] = seen.get(digest, 0) + 1
            cell["id"] = f"otter-{digest}" + (f"-{seen[digest]}" if seen[digest] > 1 else "")
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")


def main(argv=()):
    """`python tools/assignments.py [FOLDER]`: into FOLDER instead of _build/assignments."""
    output = Path(argv[0]).resolve() if argv else OUTPUT
    for notebook in instructor_notebooks():
        target = make_assignment(notebook, output)
        shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
        print(f"{notebook.relative_to(ROOT)} -> {shown}/")
        print(f"  hand out:  student/{notebook.name}")
        print("  grade with: make grade SUBMISSIONS=folder (sandboxed; autograder/checks.py)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
