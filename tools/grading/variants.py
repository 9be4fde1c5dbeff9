"""A variant of a homework for each student: parameters from an HMAC, handouts, and checks.

An instructor notebook declares its parameters in one code cell tagged `parameters`, one
line each, with the instructor's own value and the values a student may get:

    x0 = 1.0  # variants: 0.5, 0.6, 0.9, 1.0, 1.1

A student's values are chosen by HMAC-SHA256, under the instructor's secret, of the
assignment's name, the student's id and the parameter's name (`parameters`); the
student's tag is the HMAC of the assignment and the id (`tag`). The secret is the
environment variable `VARIANT_SECRET` or, failing that, the file `variant-secret` in
`_build/assignments/<name>/`, made on first use with mode 0600 (`secret`) and kept when
`make assignments` rebuilds the folder (`keep_secret`). `variants.csv` beside it lists
every student's id, tag and values, so that losing the secret loses nothing already given.

A student's handout (`student_notebook`) has the values in its parameters cell, a line
above it that shows them, and `{"variant": {"assignment", "id", "tag"}}` in its metadata.
When grading, `review` compares what a submitted file says with its owner's variant.
"""

import ast
import copy
import csv
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

TAG = "parameters"
SECRET_FILE = "variant-secret"
SECRET_VARIABLE = "VARIANT_SECRET"
TABLE = "variants.csv"
LINE = re.compile(r"^(\w+)\s*=\s*(.+?)\s*#\s*variants:\s*(.+)$")


class VariantError(Exception):
    """The parameters cell or the variants cannot be used; the message says why."""


def source_text(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def parameters_cell(notebook):
    """The index of the notebook's cell tagged `parameters`, or None; two is an error."""
    found = [
        index
        for index, cell in enumerate(notebook.get("cells", []))
        if isinstance(cell, dict) and TAG in (cell.get("metadata") or {}).get("tags", [])
    ]
    if len(found) > 1:
        raise VariantError(f"{len(found)} cells are tagged {TAG!r}; a notebook has one")
    return found[0] if found else None


def declared(notebook):
    """{name: (default, [choices])} of the parameters cell, in order ({} without one)."""
    index = parameters_cell(notebook)
    if index is None:
        return {}
    found = {}
    for line in source_text(notebook["cells"][index]).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = LINE.match(line.strip())
        if not match:
            raise VariantError(
                f"the parameters cell's line {line.strip()!r} is not "
                "`name = value  # variants: value, value, ...`"
            )
        name, default, choices = match.groups()
        try:
            default = ast.literal_eval(default)
            choices = list(ast.literal_eval(f"[{choices}]"))
        except (ValueError, SyntaxError):
            raise VariantError(f"the values of {name} are not Python literals") from None
        if default not in choices:
            raise VariantError(f"{name} = {default!r} is not among its variants {choices}")
        found[name] = (default, choices)
    return found


def secret(folder):
    """The instructor's secret: $VARIANT_SECRET, or folder/variant-secret (made 0600)."""
    given = os.environ.get(SECRET_VARIABLE)
    if given:
        return given.encode()
    path = Path(folder) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32) + "\n")
        print(f"Made the secret of the variants: {path} (mode 0600; keep it, outside git)")
    if path.stat().st_mode & 0o077:
        raise VariantError(f"{path} can be read by others: chmod 600 {path}")
    return path.read_text().strip().encode()


def existing_secret(folder):
    """The secret if there is one (never made here), else None."""
    given = os.environ.get(SECRET_VARIABLE)
    if given:
        return given.encode()
    path = Path(folder) / SECRET_FILE
    return path.read_text().strip().encode() if path.exists() else None


def digest(key, *parts):
    return hmac.new(key, "\n".join(parts).encode(), hashlib.sha256).hexdigest()


def tag(key, assignment, student):
    """The student's tag: the HMAC of the assignment's name and their id (32 hex digits)."""
    return digest(key, "tag", assignment, student)[:32]


def parameters(key, assignment, student, spec):
    """{name: value} of the student's variant."""
    return {
        name: choices[int(digest(key, "value", assignment, student, name), 16) % len(choices)]
        for name, (_, choices) in spec.items()
    }


def defaults(spec):
    return {name: default for name, (default, _) in spec.items()}


def shown(values):
    return ", ".join(f"{name} = {value!r}" for name, value in values.items())


def with_parameters(notebook, values, comment):
    """A copy of the notebook with `values` in its parameters cell."""
    copy_ = copy.deepcopy(notebook)
    index = parameters_cell(copy_)
    lines = [comment] + [f"{name} = {value!r}" for name, value in values.items()]
    copy_["cells"][index]["source"] = "\n".join(lines)
    return copy_


def student_notebook(notebook, assignment, student, name, values, student_tag):
    """The student's own handout (or solutions): their values, shown, and their id and tag."""
    made = with_parameters(
        notebook,
        values,
        f"# Your parameters, {name} ({student}): the grader uses these values; keep them.",
    )
    index = parameters_cell(made)
    note = {
        "cell_type": "markdown",
        "id": "variant-note",
        "metadata": {},
        "source": f"**Your parameters** ({name}, {student}): "
        + ", ".join(f"`{n} = {v!r}`" for n, v in values.items())
        + ". Everyone has their own; the grader checks your answers with these.",
    }
    made["cells"].insert(index, note)
    made.setdefault("metadata", {})["variant"] = {
        "assignment": assignment,
        "id": student,
        "tag": student_tag,
    }
    return made


def write_table(path, assignment, spec, rows):
    """variants.csv: id, name, tag and each parameter's value (as Python writes it)."""
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "name", "tag", *spec])
        for student, name, student_tag, values in rows:
            writer.writerow([student, name, student_tag, *(repr(values[p]) for p in spec)])
    return path


def read_table(path, spec):
    """{id: (tag, values)} of variants.csv ({} when there is none)."""
    path = Path(path)
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as file:
        return {
            row["id"]: (row["tag"], {p: ast.literal_eval(row[p]) for p in spec})
            for row in csv.DictReader(file)
        }


def submitted_values(cells, spec, cell_id):
    """{name: value} assigned in a submission's parameters cell; None if none can be read."""
    found = [c for c in cells if c.id == cell_id and c.type == "code"]
    found = found or [c for c in cells if TAG in c.tags and c.type == "code"]
    if not found:
        return None
    values = {}
    try:
        tree = ast.parse(found[0].source)
    except (SyntaxError, ValueError, RecursionError):
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in spec:
                try:
                    values[target.id] = ast.literal_eval(node.value)
                except (ValueError, SyntaxError, RecursionError):
                    values[target.id] = "an expression"
    return values


def review(cells, owner, owner_tag, owner_values, assignment, spec, cell_id, tags):
    """Notes on a file of `owner` (whose variant it is graded against), from what it says.

    `tags` is {tag: id} of every roster student's tag, to name a classmate's notebook.
    """
    notes = []
    meta = cells.metadata.get("variant") if isinstance(cells.metadata, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    given_id, given_tag = str(meta.get("id", "")), str(meta.get("tag", ""))
    against = f"graded against {owner}'s variant ({shown(owner_values)})"
    if not given_id and not given_tag:
        notes.append(f"no variant id or tag in its metadata; {against}")
    elif given_tag in tags and tags[given_tag] != owner:
        notes.append(f"the notebook of student {tags[given_tag]} (its variant tag); {against}")
    elif given_id != owner:
        notes.append(f"its metadata names student {given_id[:40]!r}, not its owner; {against}")
    elif given_tag != owner_tag or meta.get("assignment") != assignment:
        notes.append(f"its variant tag does not match its id (forged or edited); {against}")
    values = submitted_values(cells.cells, spec, cell_id)
    if values is None:
        notes.append(f"its parameters cell is missing or unreadable; {against}")
    elif values != owner_values:
        changed = {n: values.get(n, "nothing") for n in spec if values.get(n) != owner_values[n]}
        notes.append(
            f"its parameters differ from its owner's variant ({shown(changed)} instead of "
            f"{shown({n: owner_values[n] for n in changed})})"
        )
    return notes


def keep_secret(folder):
    """The secret and variants.csv of an assignment folder, to put back after a rebuild."""
    kept = {}
    for name in (SECRET_FILE, TABLE):
        path = Path(folder) / name
        if path.exists():
            kept[name] = (path.read_bytes(), path.stat().st_mode & 0o777)
    return kept


def restore_secret(folder, kept):
    for name, (data, mode) in kept.items():
        path = Path(folder) / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
