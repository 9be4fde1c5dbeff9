"""Read one submitted file, whatever it is, into the code cells to run or a reason not to.

No file can stop the grader: every problem becomes a `NotGraded` with a short reason that
names the kind of problem only (never any of the file's text). The file is read in pieces,
and the values of its `outputs` and `attachments` keys are dropped as they are read
(`OutputStripper`), so saved figures cost reading time but no memory, and the size limits
apply to what grading needs: the cells' code and the rest once the outputs are gone. The
grader reads each file in a child process with limits (tools/grading/reader.py).
"""

import codecs
import dataclasses
import json
import os
import re
import stat

from IPython.core.inputtransformer2 import TransformerManager

MAX_FILE = 2**30  # bytes on disk, outputs included
MAX_KEPT = 8 * 2**20  # bytes of the notebook once outputs and attachments are dropped
MAX_CODE = 2**20  # an honest notebook has a few dozen KB
MAX_CODE_CELLS = 300  # an honest one has a few dozen; each can carry a status of its own
CHUNK = 2**20
DROPPED_KEYS = (b"outputs", b"attachments")
# What TransformerManager makes of a magic, help or shell line: a call of get_ipython().
SHELL_CALL = re.compile(
    r"get_ipython\(\)\.(run_line_magic|run_cell_magic|system|getoutput)\('?(\w*)"
)
RUN_MAGICS = {"time", "capture"}  # the runner runs the code of these
TRANSFORMER = TransformerManager()
STRUCTURE = re.compile(rb'["{}\[\],:]')
NOT_SPACE = re.compile(rb"[^ \t\r\n]")
IN_STRING = re.compile(rb'["\\]')


class NotGraded(Exception):
    """The file cannot be graded; the message is the CSV status (our words only)."""


@dataclasses.dataclass
class Notebook:
    cells: list  # [(cell number in the notebook, 1-based; its code as IPython runs it), ...]
    ids: set  # the cell ids it has (empty for nbformat 4.4 and older)
    assignment: object  # the otter assignment name of its metadata, or None
    notes: list  # review notes about its form (our words)
    magic_lines: int
    reviews: dict = dataclasses.field(default_factory=dict)  # {cell number: [findings]}
    missing: dict = dataclasses.field(default_factory=dict)  # {cell number: [modules]}


class OutputStripper:
    """Copies a JSON document fed to it in pieces, except the values of `DROPPED_KEYS`.

    Outside a dropped value it only looks for strings, each with one search for its
    closing quote, so neither a figure's base64 nor a file of brackets costs a Python loop a
    character; a string followed by a colon is a key. Inside a dropped value it follows the
    nesting to find where the value ends. What it keeps is parsed by `json` afterwards,
    which judges the syntax; a dropped value becomes `null`. Raises NotGraded when more than
    `MAX_KEPT` bytes are kept.
    """

    def __init__(self):
        self.kept = bytearray()
        self.in_string = False
        self.escaped = False  # the previous piece ended on a backslash inside a string
        self.key = None  # the current string while it may be a dropped key's name
        self.after_key = False  # a dropped key's name was read; a colon may follow
        self.dropping = False
        self.depth = 0  # lists and objects open in the dropped value
        self.started = False  # the dropped value has begun

    def keep(self, data):
        if not self.dropping:
            self.kept += data
            if len(self.kept) > MAX_KEPT:
                raise NotGraded(f"more than {MAX_KEPT // 2**20} MB once its outputs are dropped")

    def feed(self, data):
        position = 0
        while position < len(data):
            if self.in_string:
                position = self.string_part(data, position)
            elif self.after_key:
                position = self.colon(data, position)
            elif self.dropping:
                position = self.dropped_part(data, position)
            else:
                found = data.find(b'"', position)
                stop = len(data) if found < 0 else found
                self.keep(data[position:stop])
                if found < 0:
                    return
                self.keep(b'"')
                self.in_string, self.key = True, b""
                position = found + 1

    def string_part(self, data, position):
        """Go through the current string; return where to go on."""
        if self.escaped:
            self.escaped = False
            self.keep(data[position : position + 1])
            return position + 1
        found = IN_STRING.search(data, position)
        stop = found.start() if found else len(data)
        self.keep(data[position : stop + 1])
        if self.key is not None:
            piece = data[position:stop]
            self.key = self.key + piece if len(self.key) + len(piece) <= 16 else None
        if not found:
            return stop
        if data[stop : stop + 1] == b"\\":
            self.key = None  # no dropped key's name has an escape
            if stop + 1 < len(data):
                self.keep(data[stop + 1 : stop + 2])
                return stop + 2
            self.escaped = True
            return stop + 1
        self.in_string = False
        if self.dropping:
            self.dropping = self.depth > 0  # a dropped string value ends here
        else:
            self.after_key = self.key in DROPPED_KEYS
        return stop + 1

    def colon(self, data, position):
        """After a dropped key's name: on a colon, drop what follows."""
        found = NOT_SPACE.search(data, position)
        if not found:
            self.keep(data[position:])
            return len(data)
        self.after_key = False
        self.keep(data[position : found.start()])
        if data[found.start() : found.start() + 1] != b":":
            return found.start()  # it was a value, not a key
        self.keep(b":null")
        self.dropping, self.depth, self.started = True, 0, False
        return found.start() + 1

    def dropped_part(self, data, position):
        """Follow the dropped value's nesting; return where to go on."""
        found = STRUCTURE.search(data, position)
        stop = found.start() if found else len(data)
        if self.depth == 0 and data[position:stop].strip():
            self.started = True  # a number, true, false or null
        if not found:
            return stop
        char = data[stop : stop + 1]
        if self.depth == 0 and self.started and char in b",}]":
            self.dropping = False  # a dropped number... ends here; keep the comma
            return stop
        self.started = True
        if char == b'"':
            self.in_string, self.key = True, None
        elif char in b"{[":
            self.depth += 1
        elif char in b"}]":
            self.depth -= 1
            self.dropping = self.depth > 0
        return stop + 1


def read_stripped(path):
    """The file's bytes as UTF-8, without outputs and attachments; refuses links and more."""
    try:
        info = os.lstat(path)
    except OSError as error:
        raise NotGraded(f"unreadable ({type(error).__name__})") from None
    if stat.S_ISLNK(info.st_mode):
        raise NotGraded("a symbolic link, not followed")
    if not stat.S_ISREG(info.st_mode):
        raise NotGraded("not a regular file")
    if info.st_size > MAX_FILE:
        raise NotGraded(f"larger than {MAX_FILE // 2**30} GB")
    stripper, decoder, size = OutputStripper(), None, 0
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as file:
            while chunk := file.read(CHUNK):
                if size == 0:
                    chunk, decoder = start_of_text(chunk)
                size += len(chunk)
                if size > MAX_FILE:
                    raise NotGraded(f"larger than {MAX_FILE // 2**30} GB")
                if decoder is not None:
                    chunk = decoder.decode(chunk).encode("utf-8", "surrogatepass")
                stripper.feed(chunk)
            if decoder is not None:
                stripper.feed(decoder.decode(b"", final=True).encode("utf-8", "surrogatepass"))
    except OSError as error:
        raise NotGraded(f"unreadable ({type(error).__name__})") from None
    except UnicodeDecodeError:
        raise NotGraded("not a notebook (not valid text)") from None
    return bytes(stripper.kept)


def start_of_text(data):
    """(the first piece without its byte-order mark, an incremental decoder or None)."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        raise NotGraded("a zip archive (unpack it and grade the notebooks in it)")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:], None
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data, codecs.getincrementaldecoder(codec)()
    return data, None


def parse_json(data):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotGraded("not a notebook (not UTF-8 text)") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise NotGraded("not valid JSON") from None
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


def transform(code):
    """(the cell as IPython runs it, the magic, help and shell lines that will not run).

    IPython's own TransformerManager turns `%magic`, `!shell`, `name?` and `%%cell` magics
    into calls of `get_ipython()` (the runner's stand-in runs %time and %%time, %%capture;
    the rest do nothing), and knows a `%` that continues an expression in parentheses from
    a magic, as Jupyter does. Code it cannot transform is run as it is.
    """
    try:
        python = TRANSFORMER.transform_cell(code)
    except Exception:  # noqa: BLE001 - the cell then raises when it runs, as in Jupyter
        return code, 0

    def not_run(text):
        return sum(
            not (kind.startswith("run_") and name in RUN_MAGICS)
            for kind, name in SHELL_CALL.findall(text)
        )

    return python, max(0, not_run(python) - not_run(code))


def read_notebook(path):
    """A `Notebook` from the file at `path`; raises NotGraded."""
    top = parse_json(read_stripped(path))
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
        if len(code) == MAX_CODE_CELLS:
            raise NotGraded(f"more than {MAX_CODE_CELLS} code cells")
        text, count = transform(text)
        magics += count
        code.append((number, text))
    if malformed:
        notes.append(f"{malformed} malformed cell(s) skipped")
    if not code:
        raise NotGraded("a notebook without code cells")
    return Notebook(code, ids, assignment, notes, magics)
