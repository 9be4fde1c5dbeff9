"""Run `make test` on a busy machine: beside CPU-burning processes that this script owns.

Run by `make stress`. It starts two processes that each keep one core busy (as many as
this machine has cores, at most two), runs `make test` in a process group of its own, and
stops them all, whatever happens: on success, on failure, on Ctrl-C, SIGTERM or SIGHUP,
and after an hour at most. A burner also stops by itself as soon as this script is gone,
even if it was killed outright. It prints the time of `make test`, the CPU time the
burners took from it, and PASS or FAIL; the exit status is that of `make test`.

No check in the book or its tests may fail because the machine is slow or busy; this is
how that promise is tried.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BURNERS = min(2, os.cpu_count() or 1)
LIMIT = 3600  # seconds: make test is stopped, and a burner ends by itself, after this

BURN = f"""
import os, signal, sys, time
def report(*_):
    print(time.process_time(), flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, report)
signal.signal(signal.SIGINT, report)
parent, deadline = os.getppid(), time.monotonic() + {LIMIT}
while time.monotonic() < deadline and os.getppid() == parent:
    for _ in range(100_000):
        pass
report()
"""


def stop(signum, frame):
    raise SystemExit(f"stress: stopped by signal {signum}")


def start_burners():
    return [
        subprocess.Popen([sys.executable, "-c", BURN], stdout=subprocess.PIPE, text=True)
        for _ in range(BURNERS)
    ]


def stop_burners(burners):
    """Stop every burner; return the CPU seconds each one used."""
    seconds = []
    for burner in burners:
        if burner.poll() is None:
            burner.send_signal(signal.SIGTERM)
        try:
            output, _ = burner.communicate(timeout=10)
            seconds.append(float(output.split()[-1]))
        except (subprocess.TimeoutExpired, ValueError, IndexError):
            burner.kill()
            burner.wait()
            seconds.append(float("nan"))
    return seconds


def run_make_test():
    """`make test` in its own process group; the whole group is killed if it must stop."""
    command = ["make", "--no-print-directory", "test"]
    test = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    try:
        return test.wait(timeout=LIMIT)
    finally:
        if test.poll() is None:
            os.killpg(test.pid, signal.SIGKILL)
            test.wait()


def main():
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    burners = start_burners()
    started = time.perf_counter()
    returncode = 1
    try:
        returncode = run_make_test()
    finally:
        took = time.perf_counter() - started
        burned = stop_burners(burners)
    verdict = "PASS" if returncode == 0 else "FAIL"
    print(
        f"stress: make test {verdict} in {took:.1f} s beside {BURNERS} CPU-burning processes "
        f"(they used {', '.join(f'{s:.0f}' for s in burned)} CPU-seconds)",
        flush=True,
    )
    return returncode


if __name__ == "__main__":
    sys.exit(main())
