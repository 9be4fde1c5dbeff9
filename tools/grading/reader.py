"""Read and review each submitted file in a child process with CPU and memory limits.

Reading a notebook (tools/grading/notebook.py) and reviewing its code (review.py) run on
the student's bytes, on the grader's side, before any sandbox: 2 MB of attribute chains
once took the grader 189 s of CPU, and 49 MB of `{},{},...` 1.29 GB of memory. So each file
is read by a child process that sets its own limits first (`resource.setrlimit`):
`READ_CPU_SECONDS` of CPU time and `READ_MEMORY` bytes of address space above what it
started with. A child that passes them, or sends nothing, makes the row "not graded: could
not be read within limits" and a review finding.

The children are forked by a small server (this file run with `--serve`), started once by
the grader, which has already imported what reading needs: a child starts in a
millisecond, and the grader itself, which runs threads, never forks. The grader sends the
server a file's path and the write end of a pipe; the child writes its process id, then
the reading as JSON, on that pipe.
"""

import ast
import dataclasses
import importlib.machinery
import json
import os
import resource
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grading import notebook as nb  # noqa: E402
from grading import review  # noqa: E402

READ_CPU_SECONDS = 10
READ_MEMORY = 1024 * 2**20
READ_WALL_SECONDS = 60  # a child that neither answers nor ends by then is killed
READ_BUDGET = 30.0  # CPU seconds of reading for one student's files (grade.read_all)
MAX_ANSWER = 64 * 2**20
WITHIN_LIMITS = "could not be read within limits"
OVER_LIMITS_FINDING = (
    f"reading it passed the grader's limits ({READ_CPU_SECONDS} s of CPU or "
    f"{READ_MEMORY // 2**20} MB of memory)"
)


@dataclasses.dataclass
class Reading:
    """What reading one file gave: a notebook, or a problem (the status's reason)."""

    notebook: object = None
    problem: str = ""
    findings: list = dataclasses.field(default_factory=list)
    cpu_seconds: float = 0.0


def read_and_review(path):
    """A Notebook with its cells' review findings and missing modules; raises nb.NotGraded."""
    notebook = nb.read_notebook(path)
    notebook.reviews = {n: review.review_cell(n, code) for n, code in notebook.cells}
    missing = {n: missing_modules(code) for n, code in notebook.cells}
    notebook.missing = {n: names for n, names in missing.items() if names}
    return notebook


def missing_modules(code):
    """The modules a cell imports (top-level names, in order) that the sandbox cannot import.

    The sandbox runs this Python with this environment, so a module is there when this
    process's path, without the grader's own folder, has it. Found by name only: nothing
    is imported.
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, RecursionError, ValueError):
        return []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module.split(".")[0])
    return [name for name in dict.fromkeys(names) if not available(name)]


def available(name):
    if name in sys.builtin_module_names:
        return True
    try:
        return importlib.machinery.PathFinder.find_spec(name, SANDBOX_PATH) is not None
    except (ImportError, OSError, ValueError):
        return False


TOOLS = Path(__file__).resolve().parents[1]  # the grader's own folder, not in the sandbox
SANDBOX_PATH = [p for p in sys.path if p and Path(p).resolve() != TOOLS]


def address_space():
    """This process's address space now, in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def answer(path):
    """The reading of `path` as a JSON-ready dict (run in the child, under its limits)."""
    try:
        notebook = read_and_review(path)
    except nb.NotGraded as reason:
        return {"problem": str(reason)}
    except MemoryError:
        return {"problem": WITHIN_LIMITS, "findings": [OVER_LIMITS_FINDING]}
    except Exception as error:  # noqa: BLE001 - no file may stop the run
        return {"problem": f"unreadable ({type(error).__name__})"}
    fields = dataclasses.asdict(notebook)
    fields["ids"] = sorted(notebook.ids)
    fields["reviews"] = [[n, found] for n, found in notebook.reviews.items()]
    fields["missing"] = [[n, names] for n, names in notebook.missing.items()]
    return {"notebook": fields}


def child(path, out, cpu, memory):
    """In a forked child: set the limits, read `path`, write the answer to fd `out`."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    limit = address_space() + memory
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.write(out, b"%d\n" % os.getpid())
    try:
        document = answer(path)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        document["cpu_seconds"] = usage.ru_utime + usage.ru_stime
        data = json.dumps(document).encode()
    except MemoryError:
        data = json.dumps({"problem": WITHIN_LIMITS, "findings": [OVER_LIMITS_FINDING]}).encode()
    view = memoryview(data)
    while view:
        view = view[os.write(out, view) :]


def serve(connection):
    """The fork server: for each request on `connection`, fork a child that reads the file."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the children
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(connection, 8192, 1)
        except (OSError, InterruptedError):
            return
        if not message:
            return  # the grader has gone
        if len(fds) != 1:
            continue
        cpu, memory, path = message.split(b" ", 2)
        if os.fork() == 0:
            try:
                connection.close()
                child(os.fsdecode(path), fds[0], int(cpu), int(memory))
            finally:
                os._exit(0)
        os.close(fds[0])


class Server:
    """The grader's end of the fork server, started on first use."""

    def __init__(self):
        self.lock = threading.Lock()
        self.connection = None
        self.process = None

    def send(self, message, fd):
        with self.lock:
            if self.connection is None:
                mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                self.process = subprocess.Popen(
                    [sys.executable, "-I", __file__, "--serve", str(theirs.fileno())],
                    pass_fds=[theirs.fileno()],
                    stdin=subprocess.DEVNULL,
                )
                theirs.close()
                self.connection = mine
            socket.send_fds(self.connection, [message], [fd])


SERVER = Server()


def read_limited(path, cpu=READ_CPU_SECONDS, memory=READ_MEMORY):
    """A Reading of the file at `path`, made by a child process with limits."""
    receiving, sending = os.pipe()
    try:
        SERVER.send(b"%d %d " % (cpu, memory) + os.fsencode(path), sending)
    finally:
        os.close(sending)
    deadline = time.monotonic() + READ_WALL_SECONDS
    chunks, size, ended = [], 0, False
    try:
        while size <= MAX_ANSWER:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([receiving], [], [], left)[0]:
                break
            chunk = os.read(receiving, 2**20)
            if not chunk:
                ended = True
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(receiving)
    first, _, data = b"".join(chunks).partition(b"\n")
    if not ended and first.isdigit():  # still running: it holds the pipe until it ends
        try:
            os.kill(int(first), signal.SIGKILL)
        except OSError:
            pass
    return reading_from(data if ended else b"")


def reading_from(data):
    """The Reading a child's JSON answer describes; over the limits if there is none."""
    try:
        document = json.loads(data)
    except ValueError:
        document = {}
    if not isinstance(document, dict) or not ("notebook" in document or "problem" in document):
        return Reading(
            problem=WITHIN_LIMITS, findings=[OVER_LIMITS_FINDING], cpu_seconds=READ_CPU_SECONDS
        )
    reading = Reading(
        problem=document.get("problem", ""),
        findings=document.get("findings", []),
        cpu_seconds=document.get("cpu_seconds", 0.0),
    )
    if "notebook" in document:
        fields = document["notebook"]
        fields["cells"] = [tuple(cell) for cell in fields["cells"]]
        fields["ids"] = set(fields["ids"])
        fields["reviews"] = dict((n, found) for n, found in fields["reviews"])
        fields["missing"] = dict((n, names) for n, names in fields["missing"])
        reading.notebook = nb.Notebook(**fields)
    return reading


if __name__ == "__main__" and sys.argv[1:2] == ["--serve"]:
    serve(socket.socket(fileno=int(sys.argv[2])))
