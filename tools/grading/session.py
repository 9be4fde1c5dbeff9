"""Run one notebook in the sandbox, cell by cell and probe by probe, keeping what was done.

The runner (tools/grading/runner.py) reports each cell and then each probe on a line of its
own, and receives the probes only once every cell has run. `Exchange` reads those lines as
they come, checks their form and order (anything else ends the run: the lines are the
student's to forge), and answers the runner's "cells" with the probes.

A run can stop before its end: a time limit, a crash, an exit, output past its cap, a line
out of order. What it reported stays. `run_notebook` then runs the notebook again without
the cell that was running (as Jupyter goes on after a cell that raised), or, when a probe
was running, evaluates only the probes after it; at most `MAX_RUNS` runs. So a hanging
last cell or a crash after the answers costs only what it prevented, and the result names
the cell.
"""

import dataclasses
import json
import threading

from grading import values
from grading.sandbox import STOP

MAX_RUNS = 3
MAX_BRACKETS = 2_000_000  # lists and objects in one line (["float", 1.0] is one)
# One line is parsed at a time: 32 MB of JSON such as `[[],[],...` is 0.8 GB of Python
# objects while it is read, and the grader runs a sandbox per core.
READING = threading.Lock()
SIGNALS = {9: "SIGKILL", 11: "SIGSEGV", 24: "SIGXCPU", 25: "SIGXFSZ", 6: "SIGABRT"}
FINDINGS = {
    "wall-clock limit": "wall-clock limit reached",
    "CPU time limit": "CPU time limit reached",
    "more output than allowed": "flooded its output",
    "exited early": "exited early",
    "unreadable results": "unreadable results",
}


def parse(line):
    """The JSON document on `line`, or None."""
    if line.count(b"[") + line.count(b"{") > MAX_BRACKETS:
        return None
    with READING:
        try:
            return json.loads(line)
        except (ValueError, RecursionError, MemoryError):
            return None


def decode(node):
    """A probe's value from its encoded form; values.Invalid for anything malformed."""
    with READING:
        try:
            return values.decode(node)
        except (values.Invalid, RecursionError, MemoryError):
            return values.Invalid("bad value")


class Exchange:
    """One run's lines, checked in order as they come; the probes sent after the cells."""

    def __init__(self, numbers, probes):
        self.numbers = list(numbers)  # the cells' numbers, in the order they run
        self.probes = list(probes)
        self.reports = []  # [(cell number, error type name or None)]
        self.cells_done = False
        self.values = []  # decoded, in order
        self.ended = False
        self.broken = False

    def reply(self, line):
        """What to answer to one line of the runner's output (see sandbox.Sandbox.run)."""
        event = None if self.ended else parse(line)
        if not isinstance(event, list) or not event:
            event = [None]
        if not self.cells_done:
            if event == ["cells"] and len(self.reports) == len(self.numbers):
                self.cells_done = True
                return json.dumps({"probes": self.probes}).encode() + b"\n"
            if self.next_cell(event):
                number, error = event[1], event[2]
                self.reports.append((number, None if error is None else values.error_name(error)))
                return None
        elif event == ["end"] and len(self.values) == len(self.probes):
            self.ended = True
            return None
        elif len(event) == 3 and event[0] == "probe" and event[1] == len(self.values):
            if type(event[1]) is int and len(self.values) < len(self.probes):
                self.values.append(decode(event[2]))
                return None
        self.broken = True
        return STOP

    def next_cell(self, event):
        return (
            len(event) == 3
            and event[0] == "cell"
            and len(self.reports) < len(self.numbers)
            and type(event[1]) is int
            and event[1] == self.numbers[len(self.reports)]
            and (event[2] is None or isinstance(event[2], str))
        )


def stop_reasons():
    """Every reason `stop_reason` can give: what a status can say about a stopped run."""
    fixed = ["unreadable results", "wall-clock limit", "more output than allowed", "exited early"]
    fixed += ["CPU time limit", "killed by a signal"]
    return fixed + [f"killed by {name}" for number, name in SIGNALS.items() if number != 24]


def stop_reason(outcome, exchange):
    """Why a run ended before its last line, in our words (one of `stop_reasons()`)."""
    if exchange.broken or outcome.ending == "broke the exchange":
        return "unreadable results"
    if outcome.ending == "timed out":
        return "wall-clock limit"
    if outcome.ending == "too much output":
        return "more output than allowed"
    code = outcome.returncode
    if code and (code < 0 or code > 128):
        number = -code if code < 0 else code - 128
        if number == 24:
            return "CPU time limit"
        return f"killed by {SIGNALS.get(number, 'a signal')}"
    return "exited early"


@dataclasses.dataclass
class Result:
    """What the runs of one notebook gave."""

    errors: list  # [(cell number, error type or "stopped: reason")], in the notebook's order
    values: list  # one decoded value per probe: values.ProbeError where none could be had
    checks_stopped: list  # the reason each time a run stopped during the checks
    reasons: list  # why each run that stopped early stopped
    runs: int
    seconds: float


def run_notebook(sandbox, cells, probes, uids, runs=MAX_RUNS):
    """Run `cells` [(number, code)] and then `probes` in the sandbox; return a Result.

    A uid is taken from the queue `uids` for each run. A cell during which a run stopped is
    left out of the next run; a probe during which it stopped gets a ProbeError and the
    next run evaluates the probes after it.
    """
    order = {number: place for place, (number, _) in enumerate(cells)}
    stopped, found = {}, [None] * len(probes)
    reports, checks_stopped, reasons, seconds, done = [], [], [], 0.0, 0
    while done < runs:
        done += 1
        todo_cells = [(n, code) for n, code in cells if n not in stopped]
        todo = [i for i, value in enumerate(found) if value is None]
        exchange = Exchange([n for n, _ in todo_cells], [probes[i] for i in todo])
        job = json.dumps({"cells": todo_cells}).encode() + b"\n"
        uid = uids.get()
        try:
            outcome = sandbox.run(job, uid, reply=exchange.reply)
        finally:
            uids.put(uid)
        seconds += outcome.seconds
        reports = exchange.reports
        for place, value in enumerate(exchange.values):
            found[todo[place]] = value
        if exchange.ended:
            break
        reason = stop_reason(outcome, exchange)
        reasons.append(reason)
        if not exchange.cells_done and len(reports) < len(todo_cells):
            stopped[todo_cells[len(reports)][0]] = reason
            continue
        checks_stopped.append(reason)
        pending = [i for i in todo if found[i] is None]
        if pending:
            found[pending[0]] = values.ProbeError("stopped")
    errors = [(n, error) for n, error in reports if error is not None]
    errors += [(n, f"stopped: {reason}") for n, reason in stopped.items()]
    errors.sort(key=lambda entry: order[entry[0]])
    found = [values.ProbeError("not run") if v is None else v for v in found]
    return Result(errors, found, checks_stopped, reasons, done, seconds)


def runtime_findings(result):
    """The review's findings about what happened at run time, in our words."""
    findings = []
    for reason in result.reasons:
        findings.append(FINDINGS.get(reason, reason))
    names = {error for _, error in result.errors}
    names |= {v.name for v in result.values if isinstance(v, values.ProbeError)}
    if "MemoryError" in names:
        findings.append("memory limit reached")
    if "BlockingIOError" in names:
        findings.append("process limit reached")
    return list(dict.fromkeys(findings))
