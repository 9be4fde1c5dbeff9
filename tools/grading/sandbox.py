"""Run tools/grading/runner.py on one job in a bubblewrap sandbox, with limits; collect its output.

The sandbox (`bwrap`, started here as root):

- new IPC, PID, network, UTS and cgroup namespaces: no network (not even loopback up), no view
  of the machine's processes, and when the sandbox's first process ends every process left in
  it is killed by the kernel;
- a file system of read-only binds only: /usr (with /bin, /lib... as on the host),
  /etc/ld.so.cache, the Python installation and virtual environment the grader runs in, the
  diffops package, and the runner script; nothing of the project tree, the submissions,
  the autograder or the grades;
- a private /tmp of limited size (the only writable place, the submission's scratch folder,
  gone with the sandbox) and a new /proc and minimal /dev;
- an empty environment except a few variables set here, a new session (no terminal), and no
  capabilities except the two that let the runner drop to an unprivileged uid, which it does,
  after setting the limits, before it reads the job, and CAP_SYS_ADMIN, with which it first
  remounts its /tmp with a limit on the number of files (`Limits.tmp_files`);
- `--die-with-parent`: if the grader dies, for any reason, the kernel kills the sandbox;
- a seccomp filter (`seccomp_filter`) under which the runner may start threads but no
  other process (`os.fork`, `subprocess` and `multiprocessing` fail with PermissionError),
  nor memfds or System V shared memory: the memory limit is a limit on one process's
  address space, and without the filter a submission could hold it once in each of 32
  processes (64 GB by default), or hold memory in memfds and detached segments.

The grader also kills the sandbox's process group (and so, through die-with-parent, the whole
PID namespace) at the time limit, when the output passes its cap, and in any case before
returning.
"""

import dataclasses
import errno
import math
import os
import platform
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNNER = Path(__file__).with_name("runner.py")
ROOT = Path(__file__).resolve().parents[2]
INSIDE_RUNNER = "/grader/runner.py"
INSIDE_VENV = "/grader/venv"  # the grader's virtual environment again, under a path of ours
MEGABYTE = 2**20
STOP = object()  # what a `reply` returns to end a run at once


@dataclasses.dataclass
class Limits:
    timeout: float = 60.0  # CPU seconds of a run (RLIMIT_CPU), twice that on the clock
    memory: int = 2048 * MEGABYTE  # address space of each process (RLIMIT_AS)
    processes: int = 32  # processes and threads of the sandbox's uid (RLIMIT_NPROC)
    file_bytes: int = 64 * MEGABYTE  # largest file it may write (RLIMIT_FSIZE)
    tmp_bytes: int = 256 * MEGABYTE  # size of its /tmp
    # Files and folders in its /tmp (tmpfs nr_inodes; bwrap's default is half the RAM's
    # pages). Each pins about 1 KB of kernel memory that no limit counts: 300,000 empty
    # files took 1.6 s and 250 MB, and the default allowed some 3 million here.
    tmp_files: int = 10_000
    output_bytes: int = 32 * MEGABYTE  # the most the grader reads of its results

    @property
    def cpu_seconds(self):
        """The soft CPU limit: past it the kernel sends SIGXCPU ("CPU time limit"); the
        runner sets the hard one, SIGKILL, 5 s later."""
        return math.ceil(self.timeout)

    @property
    def wall_seconds(self):
        """The wall-clock backstop: a run that sleeps or waits uses no CPU time."""
        return 2 * self.timeout


@dataclasses.dataclass
class Outcome:
    output: bytes  # standard output, the runner's JSON (empty if none)
    ending: str  # "exited", "timed out", "too much output"
    returncode: int | None
    seconds: float


def seccomp_filter(machine=None):
    """A seccomp BPF program for the runner (threads yes, processes no); None if unknown.

    The memory limit (RLIMIT_AS) bounds one process's address space, so the filter refuses
    what holds memory outside it, with EPERM: a new process (clone() without CLONE_THREAD,
    fork, vfork: fork, subprocess and multiprocessing fail), and memory that outlives its
    mappings (memfd_create, memfd_secret, System V shared memory and message queues: ten
    memfds of 60 MB, or four detached 200 MB segments, were held under MEMORY=300), and a
    namespace of its own (unshare, setns: in a new user namespace it mounted a tmpfs of its
    own size and held 600 MB in it under MEMORY=300). It also refuses, as Docker's default
    profile does, kernel interfaces that a notebook does not need and exploits often do:
    bpf, userfaultfd, perf_event_open, io_uring and the key rings; and sched_setaffinity,
    so that a sandbox stays on the core it was given (`one_core`). Sockets may only be
    AF_UNIX (socket and socketpair of any other family fail with EAFNOSUPPORT): AF_VSOCK
    and AF_NETLINK sockets could be made, and nothing a notebook runs here needs AF_INET,
    not even on the loopback (the runner is no Jupyter kernel; JAX, SymPy, Matplotlib and
    pandas import and compute without one).
    clone3(), whose flags a filter cannot read, fails with ENOSYS, so that the C library
    falls back to clone() for threads; so do system calls of another ABI (x32, or 32-bit
    calls of a 64-bit process).
    """
    numbers = {  # audit arch, clone, clone3, socket, socketpair, refused: [fork, vfork,
        # memfd_create, memfd_secret, shmget, msgget, unshare, setns, bpf, userfaultfd,
        # perf_event_open, io_uring_setup, add_key, request_key, keyctl, sched_setaffinity]
        "x86_64": (
            0xC000003E,
            56,
            435,
            (41, 53),
            [57, 58, 319, 447, 29, 68, 272, 308, 321, 323, 298, 425, 248, 249, 250, 203],
        ),
        "aarch64": (
            0xC00000B7,
            220,
            435,
            (198, 199),
            [279, 447, 194, 186, 97, 268, 280, 282, 241, 425, 217, 218, 219, 122],
        ),
    }.get(machine or platform.machine())
    if numbers is None:
        return None
    arch, clone, clone3, sockets, refused = numbers
    load, equal, at_least, has_bits, give = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, refuse, missing = 0x7FFF0000, 0x50000 | errno.EPERM, 0x50000 | errno.ENOSYS
    no_family = 0x50000 | errno.EAFNOSUPPORT
    # Each jump is (code, k, where to go if true, if false), by label; a label names the
    # instruction after it or one of the returns at the end.
    program = [
        (load, 4),  # seccomp_data.arch
        (equal, arch, None, "missing"),
        (load, 0),  # seccomp_data.nr
        (at_least, 0x40000000, "missing", None),  # x32 system calls
        (equal, clone3, "missing", None),
        *[(equal, number, "refuse", None) for number in refused],
        *[(equal, number, "socket", None) for number in sockets],
        (equal, clone, None, "allow"),
        (load, 16),  # the low 32 bits of clone's first argument, its flags
        (has_bits, 0x00010000, "allow", "refuse"),  # CLONE_THREAD
        "socket",
        (load, 16),  # the low 32 bits of the first argument, the family
        (equal, socket.AF_UNIX, "allow", "no family"),
    ]
    returns = {"allow": allow, "refuse": refuse, "missing": missing, "no family": no_family}
    place, steps = {}, []
    for entry in program:
        if isinstance(entry, str):
            place[entry] = len(steps)
        else:
            steps.append(entry)
    place.update({label: len(steps) + i for i, label in enumerate(returns)})
    code = b""
    for i, (operation, k, *targets) in enumerate(steps):
        jumps = [0 if t is None else place[t] - i - 1 for t in targets] or [0, 0]
        code += struct.pack("=HBBI", operation, *jumps, k)
    for value in returns.values():
        code += struct.pack("=HBBI", give, 0, 0, value)
    return code


def filter_fd(program):
    """A file descriptor to read `program` from (bwrap --seccomp), or None."""
    if program is None:
        return None
    fd = os.memfd_create("no-process-filter", 0)
    os.write(fd, program)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def hide_arguments(command):
    """(`command` with bwrap's own arguments in a file descriptor, the descriptors to pass).

    bwrap is the sandbox's first process, and /proc/1/cmdline inside showed its command
    line: the host's paths of the project, the virtual environment and the scratch folder.
    Given `--args FD`, bwrap reads its options from the descriptor; its command is the
    runner, run by the virtual environment bound again at `INSIDE_VENV`, so that the line
    reads `bwrap --args 5 -- /grader/venv/bin/python -I /grader/runner.py 64000 ...`.
    """
    if "bwrap" not in command:
        return command, ()
    at, end = command.index("bwrap") + 1, command.index("--")
    fd = os.memfd_create("bwrap-arguments", 0)
    os.write(fd, b"".join(os.fsencode(argument) + b"\0" for argument in command[at:end]))
    os.lseek(fd, 0, os.SEEK_SET)
    return [*command[:at], "--args", str(fd), *command[end:]], (fd,)


def bind_parents(path, made):
    """--dir arguments that make each missing parent of `path` traversable (mode 0755)."""
    arguments = []
    for parent in reversed(Path(path).parents):
        if str(parent) != "/" and parent not in made:
            made.add(parent)
            arguments += ["--perms", "0755", "--dir", str(parent)]
    return arguments


def python_binds():
    """The directories the sandbox's Python needs: its environment, its base install, diffops."""
    paths = [Path(sys.prefix), Path(sys.base_prefix), ROOT / "src" / "diffops"]
    return [p for p in dict.fromkeys(paths) if p.is_dir() and not p.is_relative_to("/usr")]


def system_binds():
    arguments = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / name
        if host.is_symlink():
            arguments += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            arguments += ["--ro-bind", str(host), str(host)]
    arguments += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    return arguments


def environment(mpl_dir):
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": mpl_dir,
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        # JAX on the CPU in float64, as the handouts set it. glibc reserves 64 MB of address
        # space for each thread's malloc arena: JAX's 13 threads took 1.4 GB of the 2 GB
        # limit (it aborted under 1 GB); with two arenas, 0.5 GB.
        "JAX_PLATFORMS": "cpu",
        "JAX_ENABLE_X64": "1",
        "MALLOC_ARENA_MAX": "2",
    }


def one_core(uid):
    """`taskset` arguments that keep sandbox `uid` on one core (none if there is no taskset).

    XLA sizes its thread pools by the cores a process may run on, about 10 threads plus 3 a
    core, so JAX exceeded the sandbox's limit of 32 threads, and aborted, on a machine of 8
    cores or more. On one core it starts 13, on any machine. Sandboxes graded at the same
    time have consecutive uids, so each gets a core of its own (while jobs <= cores).
    """
    taskset, cores = shutil.which("taskset"), sorted(os.sched_getaffinity(0))
    return [taskset, "--cpu-list", str(cores[uid % len(cores)])] if taskset and cores else []


def cpu_isolation(jobs):
    """(sandboxes at a time, a sentence for the output saying how they are kept apart).

    Sandboxes share the machine's cores; with the kernel's autogroup off (a systemd
    service, a container, a CI runner), 30 threads of one student left an honest
    classmate a thirtieth of the CPU. Each sandbox is pinned to a core of its own
    (`one_core`; it cannot widen that: the seccomp filter refuses sched_setaffinity), so
    `jobs` is at most the cores this process may use; without taskset, one sandbox runs
    at a time. Each sandbox's own CPU time decides "too slow" (RLIMIT_CPU). cgroup v2, which
    could give each sandbox a share of CPU and memory instead, is used by no code here:
    `cgroup_v2_problem` says why it is not available on this machine, when it is not.
    """
    cores = sorted(os.sched_getaffinity(0))
    why = cgroup_v2_problem()
    note = f" (cgroup v2: {why})" if why else " (cgroup v2 is available, but not used)"
    if shutil.which("taskset") is None:
        return 1, f"one sandbox at a time: taskset, to pin sandboxes to cores, is missing{note}"
    if jobs > len(cores):
        return jobs, (
            f"none: {jobs} sandboxes at a time on {len(cores)} core(s), so they share cores "
            f"(choose --jobs {len(cores)} or fewer){note}"
        )
    return jobs, f"each sandbox pinned to a core of its own ({jobs} of {len(cores)}){note}"


def cgroup_v2_problem():
    """Why this process cannot give each sandbox a cgroup v2 with a CPU share; None if it can."""
    try:
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
        own = Path("/proc/self/cgroup").read_text().splitlines()
        roots = [line.split(" - ")[0].split()[4] for line in mounts if " - cgroup2 " in line]
        if not roots:
            return "no cgroup2 file system is mounted"
        controllers = (Path(roots[0]) / "cgroup.controllers").read_text().split()
    except (OSError, IndexError):
        return "its files cannot be read"
    if "cpu" not in controllers:
        found = ", ".join(controllers) or "none"
        return f"its hierarchy at {roots[0]} has no cpu controller (only {found})"
    path = next((line[3:] for line in own if line.startswith("0::")), None)
    folder = Path(roots[0]) / (path or "/").lstrip("/")
    if path is None or not os.access(folder, os.W_OK):
        return f"this process may not make cgroups under {folder}"
    return None


class Sandbox:
    """Runs jobs; `unsafe=True` runs them without bubblewrap (limits and time limit only)."""

    def __init__(self, limits, unsafe=False, font_cache=None):
        self.limits, self.unsafe, self.font_cache = limits, unsafe, font_cache
        self.root = os.getuid() == 0

    def command(self, uid, seccomp_fd=None):
        limits = self.limits
        runner_arguments = [
            str(uid if self.root and not self.unsafe else 0),
            str(limits.memory),
            str(limits.processes),
            str(limits.file_bytes),
            str(limits.cpu_seconds),
            str(limits.tmp_files if self.root and not self.unsafe else 0),
        ]
        if self.unsafe:
            return [*one_core(uid), sys.executable, "-I", str(RUNNER), *runner_arguments]
        made = set()
        arguments = [*one_core(uid), "bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net"]
        arguments += ["--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox"]
        if not self.root:  # bwrap needs a user namespace then, and the uid stays the caller's
            arguments += ["--unshare-user"]
        arguments += ["--die-with-parent", "--new-session", *system_binds()]
        if seccomp_fd is not None:
            arguments += ["--seccomp", str(seccomp_fd)]
        arguments += ["--proc", "/proc", "--dev", "/dev"]
        # The private /tmp first: a project cloned under /tmp (its .venv too) is bound
        # into it below, read-only, and not hidden by it.
        arguments += ["--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp"]
        arguments += ["--perms", "1777", "--dir", "/tmp/matplotlib"]
        made.update({Path("/tmp"), Path("/tmp/matplotlib")})
        for path in python_binds():
            arguments += [*bind_parents(path, made), "--ro-bind", str(path), str(path)]
        arguments += [*bind_parents(Path(INSIDE_VENV), made)]  # /grader, readable by all
        arguments += ["--ro-bind", str(RUNNER), INSIDE_RUNNER]
        python = sys.executable
        if sys.prefix != sys.base_prefix:  # a virtual environment: run it from /grader/venv
            arguments += ["--ro-bind", sys.prefix, INSIDE_VENV]
            python = f"{INSIDE_VENV}/bin/{Path(sys.executable).name}"
        if self.font_cache:
            for cached in sorted(Path(self.font_cache).glob("*.json")):
                arguments += ["--ro-bind", str(cached), f"/tmp/matplotlib/{cached.name}"]
        arguments += ["--chdir", "/tmp", "--clearenv"]
        for name, value in environment("/tmp/matplotlib").items():
            arguments += ["--setenv", name, value]
        if self.root:
            arguments += [
                "--cap-drop",
                "ALL",
                "--cap-add",
                "CAP_SETUID",
                "--cap-add",
                "CAP_SETGID",
                "--cap-add",  # to remount its own /tmp with a file limit, before setuid
                "CAP_SYS_ADMIN",
            ]
        return [*arguments, "--", python, "-I", INSIDE_RUNNER, *runner_arguments]

    def run(self, job, uid, reply=None):
        """Run the runner on `job` (bytes); return an Outcome. Nothing of it outlives the call.

        `reply(line)`, if given, is called with each line of output as it comes: it returns
        bytes to write to the runner, None, or STOP to end the run at once.
        """
        scratch = None
        options = {}
        if self.unsafe:
            scratch = tempfile.mkdtemp(prefix="grade-unsafe-")
            for cached in Path(self.font_cache or scratch).glob("*.json"):
                shutil.copy(cached, scratch)
            options = dict(cwd=scratch, env=environment(scratch))
        seccomp = None if self.unsafe else filter_fd(seccomp_filter())
        command, fds = hide_arguments(self.command(uid, seccomp))
        fds += () if seccomp is None else (seccomp,)
        started = time.monotonic()
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                pass_fds=fds,
                **options,
            )
        finally:
            for fd in fds:
                os.close(fd)
        try:
            deadline = started + self.limits.wall_seconds
            output, ending = self.exchange(process, job, deadline, reply)
        finally:
            if process.poll() is None:
                with_ignored(os.killpg, process.pid, signal.SIGKILL)
            process.wait()
            for stream in (process.stdin, process.stdout):
                stream.close()
            if scratch:
                shutil.rmtree(scratch, ignore_errors=True)
        return Outcome(output, ending, process.returncode, time.monotonic() - started)

    def exchange(self, process, job, deadline, reply=None):
        """Write the job, read at most output_bytes; return (output so far, how it ended)."""
        selector = selectors.DefaultSelector()
        os.set_blocking(process.stdin.fileno(), False)
        selector.register(process.stdout, selectors.EVENT_READ)
        selector.register(process.stdin, selectors.EVENT_WRITE)
        pending, output, lines_read = memoryview(job), bytearray(), 0
        with selector:
            while process.stdout in {key.fileobj for key in selector.get_map().values()}:
                left = deadline - time.monotonic()
                if left <= 0:
                    return bytes(output), "timed out"
                for key, _ in selector.select(min(left, 1.0)):
                    if key.fileobj is process.stdin:
                        try:
                            pending = pending[os.write(process.stdin.fileno(), pending[:65536]) :]
                        except (BrokenPipeError, BlockingIOError):
                            pending = pending[:0]
                        if not pending:
                            selector.unregister(process.stdin)
                            if reply is None:
                                process.stdin.close()
                        continue
                    chunk = os.read(process.stdout.fileno(), 65536)
                    if not chunk:
                        selector.unregister(process.stdout)
                        continue
                    if len(output) + len(chunk) > self.limits.output_bytes:
                        return bytes(output), "too much output"
                    output += chunk
                    end = output.find(b"\n", len(output) - len(chunk))
                    while reply is not None and end >= 0:
                        answer = reply(bytes(output[lines_read:end]))
                        lines_read, end = end + 1, output.find(b"\n", end + 1)
                        if answer is STOP:
                            return bytes(output), "broke the exchange"
                        if answer:
                            if pending:
                                answer = bytes(pending) + answer
                            else:
                                selector.register(process.stdin, selectors.EVENT_WRITE)
                            pending = memoryview(answer)
        if not process.stdin.closed:
            process.stdin.close()
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            return bytes(output), "timed out"
        return bytes(output), "exited"


def with_ignored(function, *arguments):
    try:
        function(*arguments)
    except (ProcessLookupError, PermissionError):
        pass


def bwrap_problem(sandbox):
    """None if the sandbox runs here, else a sentence saying why not."""
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    seccomp = filter_fd(seccomp_filter())
    command, fds = hide_arguments(sandbox.command(0, seccomp))
    fds += () if seccomp is None else (seccomp,)
    try:  # the runner itself, on an empty job: it sets its limits and remounts its /tmp
        result = subprocess.run(
            command,
            input=b'{"cells": []}\n{"probes": []}\n',
            capture_output=True,
            timeout=60,
            pass_fds=fds,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap did not run ({type(error).__name__})"
    finally:
        for fd in fds:
            os.close(fd)
    if result.returncode == 71:
        return "the sandbox could not remount its /tmp with a file limit (mount failed)"
    if result.returncode != 0:
        last = result.stderr.decode(errors="replace").strip().splitlines()
        return f"bwrap failed: {last[-1] if last else f'exit status {result.returncode}'}"
    return None


def make_font_cache(folder):
    """Matplotlib's font list, made once outside (trusted), bound read-only into each sandbox."""
    env = {**environment(str(folder)), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    subprocess.run(
        [sys.executable, "-I", "-c", "import matplotlib.font_manager"],
        env=env,
        capture_output=True,
        timeout=120,
    )
    return folder
