"""A submitted notebook's cells as written, for what a person reads: answers, copies, metadata.

The grader runs code from `notebook.read_notebook`; the similarity report, the pages of
manual questions and the variant check need more of the file: each cell's id, type, source
and (for figures) outputs, and the notebook's metadata. `read_cells` reads that, with the
grader's caution: no links or special files, at most `MAX_FILE` bytes and `MAX_BRACKETS`
lists and objects (json.loads of 16 MB of `[[[[` would take far more memory), and never
raises: a file it cannot read is a `Cells` with a `problem`.

`answer_code` is the code a student wrote in a handout: the code cells that are not the
handout's own (its given code, its otter cells, its parameters cell), in order.
"""

import dataclasses
import json
import os
import stat

MAX_FILE = 16 * 2**20
MAX_BRACKETS = 500_000


@dataclasses.dataclass
class Cell:
    id: str  # "" when the notebook has no cell ids
    type: str  # "code", "markdown", "raw" (anything else is skipped)
    source: str
    outputs: list
    attachments: dict
    tags: tuple


@dataclasses.dataclass
class Cells:
    cells: list
    metadata: dict
    problem: str = ""


def source_text(source):
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    return ""


def read_cells(path, max_file=MAX_FILE):
    """The cells and metadata of the notebook at `path`; a `problem` instead of raising."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
            return Cells([], {}, "not a regular file")
        if info.st_size > max_file:
            return Cells([], {}, f"larger than {max_file // 2**20} MB")
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as file:
            data = file.read(max_file + 1)
    except OSError as error:
        return Cells([], {}, f"unreadable ({type(error).__name__})")
    if data.count(b"[") + data.count(b"{") > MAX_BRACKETS:
        return Cells([], {}, "too many lists to read")
    try:
        top = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError, MemoryError):
        return Cells([], {}, "not a JSON notebook")
    if not isinstance(top, dict) or not isinstance(top.get("cells"), list):
        return Cells([], {}, "not a Jupyter notebook")
    cells = []
    for cell in top["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        metadata = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        tags = metadata.get("tags") if isinstance(metadata.get("tags"), list) else []
        outputs = cell.get("outputs") if isinstance(cell.get("outputs"), list) else []
        attachments = cell.get("attachments")
        cells.append(
            Cell(
                id=cell["id"] if isinstance(cell.get("id"), str) else "",
                type=cell["cell_type"],
                source=source_text(cell.get("source")),
                outputs=outputs,
                attachments=attachments if isinstance(attachments, dict) else {},
                tags=tuple(t for t in tags if isinstance(t, str)),
            )
        )
    metadata = top.get("metadata") if isinstance(top.get("metadata"), dict) else {}
    return Cells(cells, metadata)


def handout_parts(handout):
    """(ids of the handout's answer cells, ids of its other cells, its code) of a handout."""
    answer_ids, other_ids, given = set(), set(), set()
    for cell in handout.cells:
        if "otter_answer_cell" in cell.tags:
            answer_ids.add(cell.id)
        else:
            other_ids.add(cell.id)
            if cell.type == "code":
                given.add(cell.source.strip())
    return answer_ids, other_ids, given


def answer_code(submission, handout):
    """The code the student wrote: their answer cells and added cells, not the handout's."""
    answer_ids, other_ids, given = handout_parts(handout)
    blanks = {c.source.strip() for c in handout.cells if c.id in answer_ids}
    parts = []
    for cell in submission.cells:
        text = cell.source.strip()
        if cell.type != "code" or not text or text in given or text in blanks:
            continue
        if cell.id and cell.id in other_ids:
            continue  # a handout cell edited: given code (or the parameters), not an answer
        parts.append(cell.source.rstrip() + "\n")
    return "\n".join(parts)
