"""Read one submitted file, whatever it is, into the code cells to run or a reason not to.

No file can stop the grader: every problem becomes a `NotGraded` with a short reason that
names the kind of problem only (never any of the file's text).
"""

import dataclasses
import json
import os
import re
import stat

MAX_FILE = 50 * 2**20
MAX_CODE = 2 * 2**20
MAGIC = re.compile(r"^(\s*)(%|!)")


class NotGraded(Exception):
    """The file cannot be graded; the message is the CSV status (our words only)."""


@dataclasses.dataclass
class Notebook:
    cells: list  # [(cell number in the notebook, 1-based; code with magics removed), ...]
    ids: set  # the cell ids it has (empty for nbformat 4.4 and older)
    assignment: object  # the otter assignment name of its metadata, or None
    notes: list  # review notes about its form (our words)
    magic_lines: int


def read_bytes(path):
    """The file's bytes, refusing links, special files and huge files."""
    try:
        info = os.lstat(path)
    except OSError as error:
        raise NotGraded(f"unreadable ({type(error).__name__})") from None
    if stat.S_ISLNK(info.st_mode):
        raise NotGraded("a symbolic link, not followed")
    if not stat.S_ISREG(info.st_mode):
        raise NotGraded("not a regular file")
    if info.st_size > MAX_FILE:
        raise NotGraded(f"larger than {MAX_FILE // 2**20} MB")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as file:
            data = file.read(MAX_FILE + 1)
    except OSError as error:
        raise NotGraded(f"unreadable ({type(error).__name__})") from None
    if len(data) > MAX_FILE:
        raise NotGraded(f"larger than {MAX_FILE // 2**20} MB")
    return data


def decode_text(data):
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        raise NotGraded("a zip archive (unpack it and grade the notebooks in it)")
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                raise NotGraded("not a notebook (not valid text)") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotGraded("not a notebook (not UTF-8 text)") from None


def parse_json(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise NotGraded(f"not valid JSON (line {error.lineno}, column {error.colno})") from None
    except RecursionError:
        raise NotGraded("not a notebook (JSON nested too deeply)") from None
    except (ValueError, MemoryError) as error:
        raise NotGraded(f"not valid JSON ({type(error).__name__})") from None


def source_text(source):
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    return None


def strip_magics(code):
    """Replace IPython magic and shell lines (`%...`, `!...`) by `pass`; count them."""
    lines, count = [], 0
    for line in code.splitlines():
        match = MAGIC.match(line)
        if match:
            count += 1
            line = match.group(1) + "pass"
        lines.append(line)
    return "\n".join(lines), count


def read_notebook(path):
    """A `Notebook` from the file at `path`; raises NotGraded."""
    top = parse_json(decode_text(read_bytes(path)))
    if not isinstance(top, dict):
        raise NotGraded("not a Jupyter notebook (its JSON is not an object)")
    notes = []
    cells, source_key = top.get("cells"), "source"
    worksheets = top.get("worksheets")
    if cells is None and isinstance(worksheets, list) and worksheets:  # nbformat 3
        first = worksheets[0]
        cells, source_key = (first.get("cells") if isinstance(first, dict) else None), "input"
        notes.append("nbformat 3 notebook")
    if not isinstance(cells, list):
        raise NotGraded("not a Jupyter notebook (no list of cells)")
    metadata = top.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
        notes.append("its metadata is not a JSON object")
    otter = metadata.get("otter")
    assignment = otter.get("assignment_name") if isinstance(otter, dict) else None
    if not isinstance(assignment, str):
        assignment = None
    code, ids, malformed, magics, size = [], set(), 0, 0, 0
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            malformed += 1
            continue
        if isinstance(cell.get("id"), str):
            ids.add(cell["id"])
        if cell.get("cell_type") != "code":
            continue
        text = source_text(cell.get(source_key, cell.get("source")))
        if text is None:
            malformed += 1
            continue
        size += len(text)
        if size > MAX_CODE:
            raise NotGraded(f"more than {MAX_CODE // 2**20} MB of code")
        text, count = strip_magics(text)
        magics += count
        code.append((number, text))
    if malformed:
        notes.append(f"{malformed} malformed cell(s) skipped")
    if not code:
        raise NotGraded("a notebook without code cells")
    return Notebook(code, ids, assignment, notes, magics)
