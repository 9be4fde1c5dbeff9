"""Run one student's notebook code and the checks' probes; runs INSIDE the sandbox.

Usage (made by tools/grading/sandbox.py, never by hand):

    python -I runner.py UID MEMORY_BYTES PROCESSES FILE_BYTES CPU_SECONDS TMP_FILES

Nothing here is trusted once the student's first cell has run: the student's code shares
this process and may change anything in it, this file's functions included. The grader
outside therefore takes from here only data (JSON: numbers, strings, lists), checks its
shape and order, and compares it with the references itself. This file holds no reference
value and no comparison, and it never reads or writes anything but its standard streams.

The exchange, one JSON document a line (tools/grading/session.py is the other side):

    in:  {"cells": [[notebook cell number, source], ...]}
    out: ["cell", number, null or the exception type's name]    after each cell, in order
    out: ["cells"]                                               after the last cell
    in:  {"probes": [expression, ...]}                           only now: no cell sees them
    out: ["probe", index, encoded value]                         after each probe, in order
    out: ["end"]

The grader reads each line as it comes: when the process is stopped (a time limit, a crash,
an exit), the cells and probes already reported keep their results, and the grader runs
the notebook again without the cell that stopped it. Whatever the student's code prints
goes to /dev/null.
"""

import builtins
import json
import os
import resource
import sys
import types

MAX_DEPTH = 12  # nesting of lists in a probe's value
MAX_ITEMS = 2_000_000  # numbers in all of one probe's value together
MAX_STRING = 10_000


def limit(resource_id, value):
    if value > 0:
        resource.setrlimit(resource_id, (value, value))


def limit_tmp(files):
    """Remount the sandbox's own /tmp with at most `files` inodes (0: leave it as it is)."""
    if files <= 0:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    flags = 32 | 2 | 4  # MS_REMOUNT | MS_NOSUID | MS_NODEV; the size stays as bwrap set it
    if libc.mount(b"tmpfs", b"/tmp", b"tmpfs", flags, f"nr_inodes={files}".encode()) != 0:
        os._exit(71)


def drop_privileges(uid, memory, processes, file_bytes, cpu_seconds):
    """Set the limits, then become the unprivileged user (when started as root)."""
    limit(resource.RLIMIT_AS, memory)
    limit(resource.RLIMIT_NPROC, processes)
    limit(resource.RLIMIT_FSIZE, file_bytes)
    # The soft limit first: SIGXCPU, which the grader reports as the CPU time limit; the
    # hard one, SIGKILL, 5 s later, for code that ignores SIGXCPU.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    limit(resource.RLIMIT_NOFILE, 256)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if os.getuid() == 0 and uid > 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        if os.getuid() != uid or os.geteuid() != uid:
            os._exit(70)


class Silent:
    """Stands in for otter's `Notebook`: does nothing."""

    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


class Shell(Silent):
    """Stands in for IPython's `get_ipython()`, which the grader's transformed cells call.

    %time and %%time, %%capture run their code, as in Jupyter; help (`name?`), shell
    commands and other magics do nothing (`x = !ls` gives an empty list).
    """

    def __init__(self, namespace):
        self.namespace = namespace

    def run_line_magic(self, name, line, *args, **kwargs):
        if name == "time":
            exec(compile(line, "<%time>", "exec"), self.namespace)

    def run_cell_magic(self, name, line, cell, *args, **kwargs):
        if name in ("time", "capture"):
            exec(compile(cell, f"<%%{name}>", "exec"), self.namespace)

    def getoutput(self, *args, **kwargs):
        return []


def fake_modules():
    """An `otter` that does nothing, so that the handout's otter cells run in no time."""
    otter = types.ModuleType("otter")
    otter.Notebook = Silent
    sys.modules["otter"] = otter


class TooLarge(Exception):
    pass


def encode(value, depth=0, budget=None):
    """A JSON-ready, tagged copy of `value`: ["float", 1.0], ["ndarray", kind, shape, flat]..."""
    budget = budget if budget is not None else [MAX_ITEMS]
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise TooLarge
    numpy = sys.modules.get("numpy")
    if value is None:
        return ["none"]
    if isinstance(value, bool):
        return ["bool", bool(value)]
    if isinstance(value, int):
        return ["int", int(value)] if abs(value) < 2**63 else ["float", float(value)]
    if isinstance(value, float):
        return ["float", float(value)]
    if isinstance(value, complex):
        return ["complex", float(value.real), float(value.imag)]
    if isinstance(value, str):
        return ["str", str(value)[:MAX_STRING]]
    if numpy is not None and isinstance(value, numpy.generic):
        return encode(value.item(), depth, budget)
    if numpy is not None and isinstance(value, numpy.ndarray):
        kind = value.dtype.kind
        if kind not in "biufcU" or value.size > budget[0]:
            raise TooLarge
        budget[0] -= value.size
        flat = value.ravel().tolist()
        if kind == "c":
            flat = [[float(z.real), float(z.imag)] for z in flat]
        elif kind == "U":
            flat = [s[:MAX_STRING] for s in flat]
        return ["ndarray", kind, list(value.shape), flat]
    if numpy is not None and hasattr(type(value), "__array__") and not isinstance(value, str):
        return array_like(value, numpy, depth, budget)  # a pandas Series, a JAX array...
    if isinstance(value, (list, tuple)) and numbers_only(value):
        if len(value) > budget[0]:
            raise TooLarge
        budget[0] -= len(value)
        return ["numbers", "list" if isinstance(value, list) else "tuple", list(value)]
    if isinstance(value, (list, tuple, set, frozenset)):
        tag = "list" if isinstance(value, list) else "tuple" if isinstance(value, tuple) else "set"
        return [tag, [encode(item, depth + 1, budget) for item in value]]
    if isinstance(value, dict):
        pairs = [
            [encode(k, depth + 1, budget), encode(v, depth + 1, budget)] for k, v in value.items()
        ]
        return ["dict", pairs]
    return ["object"]


def array_like(value, numpy, depth, budget):
    """An object that converts to a NumPy array, sent as that array (tagged "arraylike")."""
    try:
        array = numpy.asarray(value)
    except Exception:  # noqa: BLE001 - it does not convert after all
        return ["object"]
    if not isinstance(array, numpy.ndarray) or array.dtype.kind not in "biufcU":
        return ["object"]
    return ["arraylike", encode(array, depth + 1, budget)]


def numbers_only(items):
    """Whether `items` are all ints or all floats (not bools, not subclasses): sent flat."""
    kinds = {type(item) for item in items}
    if kinds == {float}:
        return True
    return kinds == {int} and all(abs(item) < 2**63 for item in items)


def axes_data(ax):
    """What a plot check needs of a Matplotlib Axes, as plain data."""
    return {
        "xscale": ax.get_xscale(),
        "yscale": ax.get_yscale(),
        "xlabel": ax.get_xlabel(),
        "ylabel": ax.get_ylabel(),
        "lines": [[line.get_xdata(), line.get_ydata()] for line in ax.get_lines()],
    }


def error_name(error):
    """The type's name, or its nearest built-in base's (numpy's _ArrayMemoryError: MemoryError)."""
    kind = type(error)
    if kind.__name__ == "LinAlgError":
        return "LinAlgError"
    return next((c.__name__ for c in kind.__mro__ if c.__module__ == "builtins"), "Exception")


def probe(expression, namespace):
    try:
        value = eval(compile(expression, "<check>", "eval"), namespace)
        return encode(value)
    except TooLarge:
        return ["error", "TooLarge"]
    except BaseException as error:  # noqa: BLE001 - anything the student's code raises
        return ["error", error_name(error)]


def send(fd, event):
    """Write one line of the exchange, whole."""
    data = memoryview(json.dumps(event).encode() + b"\n")
    while data:
        data = data[os.write(fd, data) :]


def main():
    uid, memory, processes, file_bytes, cpu_seconds, tmp_files = (int(a) for a in sys.argv[1:7])
    limit_tmp(tmp_files)
    drop_privileges(uid, memory, processes, file_bytes, cpu_seconds)
    commands = os.fdopen(os.dup(0), "rb")  # two lines: the cells now, the probes later
    job = json.loads(commands.readline())
    results = os.dup(1)
    quiet = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(quiet, fd)
    sys.stdin = open(0, closefd=False)
    sys.stdout = sys.stderr = open(1, "w", closefd=False)
    fake_modules()
    namespace = {
        "__name__": "__main__",
        "__builtins__": builtins,
        "display": lambda *args, **kwargs: None,
    }
    shell = Shell(namespace)
    namespace["get_ipython"] = lambda: shell
    for number, source in job["cells"]:
        error = None
        try:
            exec(compile(source, f"<cell {number}>", "exec"), namespace)
        except BaseException as raised:  # noqa: BLE001 - the cell's error is recorded
            error = error_name(raised)
        send(results, ["cell", number, error])
    send(results, ["cells"])
    probes = json.loads(commands.readline())["probes"]
    try:
        import numpy
    except BaseException:  # noqa: BLE001 - no NumPy (or a broken one): probes without `np`
        numpy = None
    for index, expression in enumerate(probes):
        probe_namespace = dict(namespace)
        probe_namespace.update(axes_data=axes_data)
        if numpy is not None:
            probe_namespace["np"] = numpy
        send(results, ["probe", index, probe(expression, probe_namespace)])
    send(results, ["end"])
    os._exit(0)


if __name__ == "__main__":
    main()
