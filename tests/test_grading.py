"""`make grade` against a hostile class: sandboxed, tamper-proof, a row for every file.

One module-scoped fixture builds both assignments into a temporary folder and grades, at
the same time, four folders with tools/grade.py:

- network_gradient (ASSIGNMENT given, so metadata is overridden): every attack of
  tests/hostile/, every malformed kind of file, honest work, and an infinite loop;
- central_difference (assignment guessed from the notebooks): honest work with the usual
  mistakes (a wrong answer, a cell that raises, a deleted cell), a notebook of the other
  assignment, and an existing grades file that must not be replaced;
- one honest notebook graded with --unsafe, and a run where bwrap cannot be found.

Then each test reads the results. Time limits are far above what the work needs: an honest
network_gradient notebook runs in about 0.3 s, a central_difference one in about 1 s.
"""

import base64
import csv
import hashlib
import json
import math
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "hostile"
GRADE = ROOT / "tools" / "grade.py"
TIMEOUT = {"network_gradient": 10, "central_difference": 60}
UID_BASE = {"network_gradient": 64100, "central_difference": 64200, "unsafe": 64300}
UID_BASE |= {"killed": 64400, "other assignments": 64500}
RUN_MARKER = uuid.uuid4().hex  # in the environment of this module's grading runs
ASSIGNMENTS = sorted(p.parent.name for p in (ROOT / "assignments").glob("*/checks.py"))
OTHERS = [name for name in ASSIGNMENTS if name not in ("network_gradient", "central_difference")]
JOBS = 2
NETWORK_POINTS = {"q1": 4, "q2": 2, "q3": 2, "q4": 2}
CENTRAL_POINTS = {"q1": 3, "q2": 2, "q3": 3, "q4": 2}
SKIPPED_DIRS = {".git", ".venv", "_build", "__pycache__", ".pytest_cache", ".ruff_cache"}


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def edited(notebook, find, replace):
    copy = json.loads(json.dumps(notebook))
    (cell,) = [c for c in copy["cells"] if find in source(c)]
    cell["source"] = source(cell).replace(find, replace)
    return copy


def with_cell(notebook, code):
    copy = json.loads(json.dumps(notebook))
    copy["cells"].append(
        {"cell_type": "code", "id": "hostile", "metadata": {}, "outputs": [], "source": code}
    )
    copy["cells"][-1]["execution_count"] = None
    return copy


def dump(notebook):
    return json.dumps(notebook, indent=1) + "\n"


def attacks():
    """{file name: (code, base)} of tests/hostile/*.txt."""
    found = {}
    for path in sorted(HOSTILE.glob("*.txt")):
        code = path.read_text()
        base = re.search(r"^# base: (\w+)$", code, re.MULTILINE).group(1)
        assert re.search(r"^# attack: .+$", code, re.MULTILINE), path
        found[f"hostile_{path.stem}.ipynb"] = (code, base)
    return found


def write_network_folder(folder, built, paths):
    """The hostile, malformed and honest files; returns {row name: expectation}."""
    solution = json.loads((built / "autograder" / "network_gradient.ipynb").read_text())
    handout = json.loads((built / "student" / "network_gradient.ipynb").read_text())
    text = dump(solution)
    expect = {}

    def put(name, content, total, status="graded", review=None, row=None):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
        expect[row or name] = dict(total=total, status=status, review=review)

    # Honest work.
    put("solution.ipynb", text, 10)
    put("unchanged_handout.ipynb", dump(handout), 0)
    wrong = edited(solution, "scale = np.linalg.norm(a) + np.linalg.norm(b)", "scale = 1.0")
    put("wrong_q3.ipynb", dump(wrong), 8)
    put("students/alice/hw2/network_gradient.ipynb", text, 10)
    forever = "while True:\n    pass\n"
    loop = edited(solution, "import numpy as np\n", "import numpy as np\n" + forever)
    put("00_infinite_loop.ipynb", dump(loop), 0, "graded; first failing cell: cell ")
    # Its CPU time limit, or on a loaded machine the wall-clock backstop (twice the limit).
    expect["00_infinite_loop.ipynb"]["review"] = "limit reached"
    # Partial credit survives a late failure: only what the failure prevented is lost.
    late_sleep = with_cell(solution, "import time\n\ntime.sleep(75)\n")
    last = f"graded; first failing cell: cell {len(solution['cells']) + 1} stopped: "
    put("late_sleep.ipynb", dump(late_sleep), 10, last + "wall-clock limit")
    crash = "import os\nimport signal\n\nos.kill(os.getpid(), signal.SIGSEGV)\n"
    put("late_crash.ipynb", dump(with_cell(solution, crash)), 10, last + "killed by SIGSEGV")
    expect["late_crash.ipynb"]["review"] = "killed by SIGSEGV"
    hang = (
        "exact_relative_error = relative_error\n\n\n"
        "def relative_error(a, b):\n"
        "    while not np.any(a) and not np.any(b):\n"
        "        pass\n"
        "    return exact_relative_error(a, b)\n"
    )
    put("probe_hangs.ipynb", dump(with_cell(solution, hang)), 9, "graded; a check stopped the run")
    # Cells run as Jupyter runs them: magics, help lines, a `%` continuing an expression.
    jupyter = edited(
        solution,
        "    return 0.0 if scale == 0 else np.linalg.norm(a - b) / scale",
        "    return 0.0 if scale == 0 else (np.linalg.norm(a - b) / scale\n% 2 ** 60)",
    )
    jupyter = with_cell(jupyter, "%matplotlib inline\nnp.logspace?\n!ls\nfiles = !ls\n")
    jupyter = with_cell(jupyter, "%%time\nchecked = relative_error(theta0, theta0)\n")
    jupyter = with_cell(jupyter, "assert checked == 0.0\n")
    put("jupyter_syntax.ipynb", dump(jupyter), 10, "graded", "4 IPython magic or shell line(s)")
    module = with_cell(solution, "import polars as pl\n")
    status = f"graded; first failing cell: cell {len(solution['cells']) + 1} ModuleNotFoundError"
    put("missing_module.ipynb", dump(module), 10, status + " (polars is not installed); failing")
    # A narrow status: the first failing cell, its type, and a count in three buckets.
    many = solution
    for kind in ("ValueError", "KeyError", "OSError", "TypeError", "IndexError", "EOFError"):
        many = with_cell(many, f"raise {kind}\n")
    first = len(solution["cells"]) + 1
    status = f"graded; first failing cell: cell {first} ValueError; failing cells: more than 5"
    put("many_errors.ipynb", dump(many), 10, status)
    crowded = with_cell(handout, "pass\n")
    crowded["cells"] += [crowded["cells"][-1]] * 300
    put("crowded.ipynb", dump(crowded), 0, "not graded: more than 300 code cells")
    # Every kind of file that once crashed the grader or got no row, or a wrong score.
    put("UPPER.IPYNB", text, 10)
    put("renamed.ipynb.txt", text, 10, review="its name does not end in .ipynb")
    put("bom.ipynb", b"\xef\xbb\xbf" + text.encode(), 10)
    put("utf16.ipynb", text.encode("utf-16"), 10)
    no_ids = json.loads(text)
    no_ids["nbformat_minor"] = 4
    for cell in no_ids["cells"]:
        del cell["id"]
    put("no_cell_ids.ipynb", dump(no_ids), 10)
    renamed = json.loads(text)
    renamed["metadata"]["kernelspec"] = {"name": "py3-course", "display_name": "Course"}
    put("kernelspec_renamed.ipynb", dump(renamed), 10)
    no_otter = json.loads(text)
    del no_otter["metadata"]["otter"]
    put("no_otter_metadata.ipynb", dump(no_otter), 10, review="no otter metadata")
    other = json.loads(text)
    other["metadata"]["otter"]["assignment_name"] = "central_difference"
    put("other_metadata.ipynb", dump(other), 10, review="its metadata names another assignment")
    listed = json.loads(text)
    listed["metadata"] = ["not", "an", "object"]
    put("metadata_is_a_list.ipynb", dump(listed), 10, review="its metadata is not a JSON object")
    mixed = json.loads(text)
    mixed["cells"][1:1] = [1, 2, "three", None]
    put("some_cells_are_ints.ipynb", dump(mixed), 10, review="4 malformed cell(s) skipped")
    magics = edited(
        solution, "import numpy as np\n", "%matplotlib inline\n!ls\nimport numpy as np\n"
    )
    put("magics.ipynb", dump(magics), 10, review="2 IPython magic or shell line(s) not run")
    put("x.ipynb/inside.ipynb", text, 10)
    (folder / "empty_folder.ipynb").mkdir()
    put("=HYPERLINK(1).ipynb", text, 10, row="'=HYPERLINK(1).ipynb")
    put(" ＝HYPERLINK(2).ipynb", text, 10, row="' ＝HYPERLINK(2).ipynb")
    put("new\nline.ipynb", text, 10, row="new?line.ipynb")
    # Three names that display alike: each still gets a row of its own, and a name of its own.
    put("new\tline.ipynb", text, 10, row="new?line.ipynb #3")
    put("new?line.ipynb #2", text, 10)
    put("naïve_名前.ipynb", text, 10)  # printed by a grader whose output is ASCII
    archive = folder / "archive.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("network_gradient.ipynb", text)
    expect["archive.zip"] = dict(total=0, status="not graded: a zip archive", review=None)
    put("binary.ipynb", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, 0, "not graded: not a")
    put("__MACOSX/._binary.ipynb", b"\x00\x05\x16\x07\x00\x02\x00\x00" + b"\xff" * 64, 0, "not")
    put("deep.ipynb", "[" * 100_000 + "]" * 100_000, 0, "not graded: not a notebook (JSON nested")
    # The grader's own work is bounded: saved figures are dropped as they are read (72 MB of
    # them made an honest notebook ungradable), and a file of brackets or of attribute
    # chains is refused at once (49 MB of `{},` took 1.29 GB of the grader's memory, 2 MB of
    # `a.b.b.b...` 189 s of its CPU).
    figures = json.loads(text)
    picture = {"image/png": base64.b64encode(bytes(range(256)) * 2**14).decode()}
    for cell in figures["cells"]:
        if cell["cell_type"] == "code":
            output = {"output_type": "display_data", "data": picture, "metadata": {}}
            cell["outputs"] = [output]  # 61 MB in all: more than the old limit of 50 MB
    put("saved_figures.ipynb", json.dumps(figures), 10)
    put("braces.ipynb", "[" + "{}," * 4_000_000 + "{}]", 0, "not graded: more than 8 MB once")
    chains = with_cell(solution, ("x = np" + ".b" * 500 + "\n") * 1100)
    put("chains.ipynb", dump(chains), 0, "not graded: more than 1 MB of code")
    put("cells_are_ints.ipynb", '{"cells": [1, 2, 3], "metadata": {}, "nbformat": 4}', 0, "not")
    put("not_json.ipynb", text[: len(text) // 2], 0, "not graded: not valid JSON")
    put("empty.ipynb", "", 0, "not graded: not valid JSON")
    put("json_list.ipynb", "[1, 2]", 0, "not graded: not a Jupyter notebook")
    put("notes.txt", "my answers are in the notebook", 0, "not graded: not valid JSON")
    (folder / "link.ipynb").symlink_to(built / "autograder" / "network_gradient.ipynb")
    expect["link.ipynb"] = dict(total=0, status="not graded: a symbolic link", review=None)
    os.mkfifo(folder / "fifo.ipynb")
    expect["fifo.ipynb"] = dict(total=0, status="not graded: not a regular file", review=None)
    # The attacks.
    for name, (code, base) in attacks().items():
        for word, path in paths.items():
            code = code.replace(word, str(path))
        put(name, dump(with_cell(handout if base == "handout" else solution, code)), None, "")
        expect[name]["base"] = base
    return expect


def write_central_folder(folder, built, network_built):
    solution = json.loads((built / "autograder" / "central_difference.ipynb").read_text())
    handout = (built / "student" / "central_difference.ipynb").read_text()
    (folder / "solution.ipynb").write_text(dump(solution))
    (folder / "unchanged_handout.ipynb").write_text(handout)
    wrong = edited(solution, "** (1 / 3)", "** (1 / 2)")
    (folder / "wrong_q3.ipynb").write_text(dump(wrong))
    raises = edited(solution, "steps = np.logspace", "raise RuntimeError('no steps')\nsteps = 0")
    (folder / "raises.ipynb").write_text(dump(raises))
    # Cells as Jupyter runs them: a pandas Series is compared as its values (otter scores
    # it 9: its public test wants an ndarray); round-off of an honest arrangement is allowed.
    series = "import pandas as pd\n\nerrors = pd.Series(errors)\n"
    (folder / "pandas_series.ipynb").write_text(dump(with_cell(solution, series)))
    split = edited(
        solution,
        "errors = np.abs((f(x0 + steps) - f(x0 - steps)) / (2 * steps) - f_prime(x0))",
        "errors = np.abs(f(x0 + steps) / (2 * steps) - f(x0 - steps) / (2 * steps) - f_prime(x0))",
    )
    (folder / "split_quotient.ipynb").write_text(dump(split))
    deleted = json.loads(json.dumps(solution))
    (gone,) = [c for c in deleted["cells"] if "def optimal_step" in source(c)]
    deleted["cells"].remove(gone)
    (folder / "cell_deleted.ipynb").write_text(dump(deleted))
    other = network_built / "autograder" / "network_gradient.ipynb"
    (folder / "network_gradient.ipynb").write_text(other.read_text())
    # One student's folder of notebooks of another assignment: one vote, not seven, when the
    # grader guesses the assignment (seven outvoted five classmates, then not graded).
    (folder / "mallory").mkdir()
    for n in range(7):
        (folder / "mallory" / f"copy{n}.ipynb").write_text(other.read_text())
    return gone["id"]


def snapshot(folder, skip=()):
    """{relative path: digest} of everything under `folder` (links and FIFOs by kind)."""
    found = {}
    for directory, subfolders, files in os.walk(folder):
        subfolders[:] = sorted(s for s in subfolders if s not in skip)
        for name in [*files, *subfolders]:
            path = Path(directory) / name
            info = os.lstat(path)
            if stat.S_ISREG(info.st_mode):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            elif stat.S_ISLNK(info.st_mode):
                digest = "link " + os.readlink(path)
            else:
                digest = f"mode {stat.S_IFMT(info.st_mode)}"
            found[str(path.relative_to(folder))] = digest
    return found


def sandbox_processes():
    """Processes of this module's grading runs still alive, by `RUN_MARKER` in their environment.

    bubblewrap starts with the grader's environment (the sandbox's own is cleared), and
    the processes in a sandbox end with it. Runs of other test modules or other people on
    the same machine carry other markers.
    """
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            environment = Path(f"/proc/{entry}/environ").read_bytes().split(b"\0")
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if f"GRADING_TEST_RUN={RUN_MARKER}".encode() in environment:
            found.append((entry, command[:100]))
    return found


def run_grader(folder, *options, env=None):
    return subprocess.Popen(
        [sys.executable, GRADE, folder, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**(env or os.environ), "GRADING_TEST_RUN": RUN_MARKER},
    )


def read_rows(path):
    with open(path, newline="") as table:
        return list(csv.DictReader(table))


def kill_a_run(base, built, grades):
    """Grade a solution, then an infinite loop; kill -9 the grader once the first row is in."""
    folder = base / "killed"
    folder.mkdir()
    solution = (built / "network_gradient" / "autograder" / "network_gradient.ipynb").read_text()
    (folder / "a_solution.ipynb").write_text(solution)
    loop = edited(json.loads(solution), "import numpy as np\n", "while True:\n    pass\n")
    (folder / "b_infinite_loop.ipynb").write_text(dump(loop))
    target = grades / "killed.csv"
    process = run_grader(
        folder,
        *("--assignments", built, "--csv", target, "--jobs", "1", "--timeout", "600"),
        *("--uid-base", str(UID_BASE["killed"])),
    )
    partial = target.with_name("killed.csv.partial")
    for _ in range(1200):  # at most 120 s; a row takes well under a second
        if partial.exists() and "a_solution.ipynb" in partial.read_text():
            break
        time.sleep(0.1)
    time.sleep(0.5)  # the loop's sandbox is running by now
    process.kill()
    process.communicate()
    return dict(partial=partial, target=target)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile-suite")
    built = base / "built"
    make = [sys.executable, ROOT / "tools" / "assignments.py", built]  # into this test's folder
    result = subprocess.run(make, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    marker, grades = base / "host-marker", base / "grades"
    marker.mkdir()
    grades.mkdir()
    network, central, unsafe = base / "network", base / "central", base / "unsafe"
    for folder in (network, central, unsafe):
        folder.mkdir()
    paths = {
        "HOST_MARKER": marker,
        "SUBMISSIONS_DIR": base,
        "AUTOGRADER_DIR": built / "network_gradient" / "autograder",
        "GRADES_DIR": grades,
        "PROJECT_DIR": ROOT,
    }
    expect = write_network_folder(network, built / "network_gradient", paths)
    gone = write_central_folder(central, built / "central_difference", built / "network_gradient")
    (unsafe / "solution.ipynb").write_text(
        (built / "network_gradient" / "autograder" / "network_gradient.ipynb").read_text()
    )
    (grades / "central_difference.csv").write_text("an earlier run's grades\n")
    before = {
        "submissions": snapshot(base, skip={"built", "grades", "host-marker", "killed", "others"}),
        "built": snapshot(built),
        "project": snapshot(ROOT, skip=SKIPPED_DIRS),
        "earlier csv": (grades / "central_difference.csv").read_text(),
    }
    common = ["--assignments", built, "--jobs", str(JOBS)]
    runs = {
        "network": run_grader(
            network,
            *common,
            *("--assignment", "network_gradient", "--csv", grades / "network_gradient.csv"),
            *("--timeout", str(TIMEOUT["network_gradient"])),
            *("--uid-base", str(UID_BASE["network_gradient"])),
            env={**os.environ, "PYTHONIOENCODING": "ascii"},
        ),
        "central": run_grader(
            central,
            *common,
            *("--csv", grades / "central_difference.csv"),
            *("--timeout", str(TIMEOUT["central_difference"])),
            *("--uid-base", str(UID_BASE["central_difference"])),
        ),
        "unsafe": run_grader(
            unsafe,
            *common,
            *("--csv", grades / "unsafe.csv", "--unsafe", "--timeout", "60"),
            *("--release", "2999-12-31"),
            *("--uid-base", str(UID_BASE["unsafe"])),
        ),
        "no bwrap": run_grader(
            unsafe,
            *("--assignments", built, "--csv", grades / "never.csv"),
            env={**os.environ, "PATH": str(base / "no-such-folder")},
        ),
    }
    for name in OTHERS:  # a new assignment: its solution and its handout
        folder = base / "others" / name
        folder.mkdir(parents=True)
        shutil.copyfile(built / name / "autograder" / f"{name}.ipynb", folder / "solution.ipynb")
        shutil.copyfile(built / name / "student" / f"{name}.ipynb", folder / "handout.ipynb")
        runs[name] = run_grader(
            folder,
            *common,
            *("--csv", grades / f"{name}.csv"),
            *("--uid-base", str(UID_BASE["other assignments"] + 10 * OTHERS.index(name))),
        )
    killed = kill_a_run(base, built, grades)
    outputs = {}
    for name, process in runs.items():
        out, err = process.communicate(timeout=900)
        outputs[name] = dict(stdout=out, stderr=err, returncode=process.returncode)
    assert outputs["network"]["returncode"] == 0, outputs["network"]
    assert outputs["central"]["returncode"] == 0, outputs["central"]
    return dict(
        base=base,
        built=built,
        grades=grades,
        marker=marker,
        network=network,
        central=central,
        expect=expect,
        gone=gone,
        outputs=outputs,
        before=before,
        leftover=sandbox_processes(),
        killed=killed,
        network_row_count=len(read_rows(grades / "network_gradient.csv")),
        rows={
            "network": {r["submission"]: r for r in read_rows(grades / "network_gradient.csv")},
            "central": {
                r["submission"]: r for r in read_rows(grades / "central_difference-2.csv")
            },
            "unsafe": {r["submission"]: r for r in read_rows(grades / "unsafe.csv")},
        },
    )


# --- a row for every file, with the right columns ---------------------------------------------


def test_every_file_gets_exactly_one_row(graded):
    rows = graded["rows"]["network"]
    assert set(rows) == set(graded["expect"]), set(rows) ^ set(graded["expect"])
    assert graded["network_row_count"] == len(graded["expect"])  # no two rows share a name
    for row in rows.values():
        assert list(row) == ["submission", "student", *NETWORK_POINTS, "total", "status", "review"]
        assert float(row["total"]) == sum(float(row[q]) for q in NETWORK_POINTS)


def test_each_file_gets_the_score_and_status_it_should(graded):
    for name, expected in graded["expect"].items():
        row = graded["rows"]["network"][name]
        if expected["total"] is not None:
            assert float(row["total"]) == expected["total"], (name, row)
        assert row["status"].startswith(expected["status"]), (name, row)
        if expected["review"]:
            assert expected["review"] in row["review"], (name, row)


def test_a_folder_thousands_of_levels_deep_gets_its_rows():
    """os.walk recursed: 1,000 nested folders stopped the run before any row was written."""
    sys.path.insert(0, str(ROOT / "tools"))
    import grade

    top = Path(tempfile.mkdtemp(prefix="grading-deep-"))  # not pytest's: it recurses too
    opened = [os.open(top, os.O_RDONLY)]
    try:
        for level in range(1, 2301):
            os.mkdir("d", dir_fd=opened[-1])
            opened.append(os.open("d", os.O_RDONLY, dir_fd=opened[-1]))
            if level == 1500:
                os.close(os.open("x.ipynb", os.O_WRONLY | os.O_CREAT, dir_fd=opened[-1]))
        items = grade.collect(top)
        assert [item.name for item in items if not item.problem] == ["d/" * 1500 + "x.ipynb"]
        (too_long,) = [item for item in items if item.problem]  # its path passes PATH_MAX
        assert too_long.problem == "a folder (OSError)" and too_long.name.startswith("d/d/")
    finally:
        for level in range(len(opened) - 1, -1, -1):
            if level == 1500:
                os.unlink("x.ipynb", dir_fd=opened[level])
            if level + 1 < len(opened):
                os.rmdir("d", dir_fd=opened[level])
            os.close(opened[level])
        top.rmdir()


def test_malformed_files_graded_normally_have_a_plain_graded_status(graded):
    for name in ("bom.ipynb", "utf16.ipynb", "no_cell_ids.ipynb", "kernelspec_renamed.ipynb"):
        assert graded["rows"]["network"][name]["status"] == "graded", name


# --- tampering gains nothing, harms no one ------------------------------------------------


def test_attacks_on_a_handout_score_zero(graded):
    for name, expected in graded["expect"].items():
        if expected.get("base") == "handout":
            assert float(graded["rows"]["network"][name]["total"]) == 0, name


def test_attacks_on_a_solution_gain_nothing_beyond_full_marks(graded):
    kinds = [n for n, e in graded["expect"].items() if e.get("base") == "solution"]
    assert len(kinds) >= 6
    for name in kinds:
        row = graded["rows"]["network"][name]
        assert float(row["total"]) in (0, 10), (name, row)
        assert float(row["total"]) == 10 and row["status"].startswith("graded"), (name, row)


def test_honest_work_graded_after_the_attacks_scores_right(graded):
    rows = graded["rows"]["network"]
    names = sorted(rows)
    assert names.index("solution.ipynb") > max(names.index(n) for n in attacks())
    for name in ("solution.ipynb", "students/alice/hw2/network_gradient.ipynb", "UPPER.IPYNB"):
        assert [float(rows[name][q]) for q in NETWORK_POINTS] == [4, 2, 2, 2], name
    assert float(rows["wrong_q3.ipynb"]["q3"]) == 0 and float(rows["wrong_q3.ipynb"]["q1"]) == 4


def test_run_time_findings_are_in_the_review(graded):
    rows = graded["rows"]["network"]
    assert "memory limit reached" in rows["hostile_allocate_5gb.ipynb"]["review"]
    assert "MemoryError" in rows["hostile_allocate_5gb.ipynb"]["status"]
    flood = rows["hostile_huge_output.ipynb"]
    assert "stopped: more output than allowed" in flood["status"], flood
    assert "flooded its output" in flood["review"]


def test_no_process_can_start_in_the_sandbox(graded):
    """The memory limit is per process: a second process would double it (seccomp forbids)."""
    rows = graded["rows"]["network"]
    memory = rows["hostile_fork_memory.ipynb"]
    assert "PermissionError" in memory["status"] and "ChildProcessError" not in memory["status"]
    assert "PermissionError" in rows["hostile_edit_csv.ipynb"]["status"]
    hidden = rows["hostile_hidden_memory.ipynb"]  # memfds, System V shared memory
    assert "PermissionError" in hidden["status"] and "BufferError" not in hidden["status"]
    namespace = rows["hostile_user_namespace.ipynb"]  # a tmpfs of its own, any size
    assert "PermissionError" in namespace["status"] and "BufferError" not in namespace["status"]
    files = rows["hostile_tmp_files.ipynb"]  # /tmp holds a limited number of files
    assert "OSError" in files["status"] and "BufferError" not in files["status"]


def test_smaller_exposures(graded):
    """Only AF_UNIX sockets; /proc/1/cmdline inside shows no path of the host."""
    rows = graded["rows"]["network"]
    assert "ConnectionError" not in rows["hostile_sockets.ipynb"]["status"]
    assert "FileExistsError" not in rows["hostile_host_paths.ipynb"]["status"]


def test_forged_results_cost_the_grader_nothing(graded):
    """Colliding hashes, numbers too large for a float, lines out of order: all refused."""
    rows = graded["rows"]["network"]
    row = rows["hostile_hash_flood.ipynb"]
    assert float(row["total"]) == 0 and row["status"].startswith("graded"), row
    assert "a check stopped the run" in row["status"], row
    early = rows["hostile_exit_early.ipynb"]  # forged lines, then gone before the checks
    assert float(early["total"]) == 0 and "a check stopped the run" in early["status"], early


def test_static_findings_are_in_the_review(graded):
    rows = graded["rows"]["network"]
    findings = {
        "hostile_patch_numpy.ipynb": "changes numpy.isclose",
        "hostile_patch_doctest.ipynb": "imports doctest",
        "hostile_patch_builtins.ipynb": "changes builtins.compile",
        "hostile_patch_otter.ipynb": "imports otter",
        "hostile_pickle_payload.ipynb": "imports pickle",
        "hostile_edit_csv.ipynb": "imports subprocess",
        "hostile_kill_grader.ipynb": "uses os.kill",
        "hostile_read_secrets.ipynb": "names a path outside its folder (/proc)",
        "hostile_fork_bomb.ipynb": "uses os.fork",
        "hostile_autograd_gradient.ipynb": "imports autograd",
        "hostile_leak_probe.ipynb": "uses .f_locals",
        "hostile_patch_quietly.ipynb": "uses .__setattr__",
    }
    for name, finding in findings.items():
        assert finding in rows[name]["review"], (name, rows[name]["review"])
    assert "imports diffops" in rows["hostile_autograd_gradient.ipynb"]["review"]
    assert "calls vars()" in rows["hostile_patch_quietly.ipynb"]["review"]
    assert rows["solution.ipynb"]["review"] == ""


def test_nothing_outside_the_sandbox_changed(graded):
    before = graded["before"]
    base = graded["base"]
    assert (
        snapshot(base, skip={"built", "grades", "host-marker", "killed", "others"})
        == before["submissions"]
    )
    assert snapshot(graded["built"]) == before["built"]
    now = snapshot(ROOT, skip=SKIPPED_DIRS)
    changed = {
        p for p in now.keys() | before["project"].keys() if now.get(p) != before["project"].get(p)
    }
    # Other people may edit chapters while the tests run: a change counts when it is in the
    # grader's own files or the assignments, or carries the attacks' name or marker.
    suspicious = {
        path
        for path in changed
        if path.startswith(("tools/", "assignments/", "tests/hostile/"))
        or "hostile" in path.lower()
        or ((ROOT / path).is_file() and b"HOSTILE" in (ROOT / path).read_bytes())
    }
    assert not suspicious, f"project files changed during grading: {sorted(suspicious)}"
    assert list(graded["marker"].iterdir()) == []
    assert (graded["grades"] / "central_difference.csv").read_text() == before["earlier csv"]


def test_no_sandbox_process_is_left_behind(graded):
    assert graded["leftover"] == []
    assert sandbox_processes() == []


def hidden_texts(built):
    """Hidden test lines, solution lines and hidden checks' probes that students never see."""
    texts, public = set(), ""
    for name in ("network_gradient", "central_difference"):
        public += (built / name / "student" / f"{name}.ipynb").read_text()
        public += "".join(p.read_text() for p in (built / name / "student" / "tests").glob("*"))
        for cell in json.loads((ROOT / "assignments" / name / f"{name}.ipynb").read_text())[
            "cells"
        ]:
            text = source(cell)
            if text.startswith("# HIDDEN") or "SOLUTION" in text:
                texts |= {line.strip() for line in text.splitlines()}
        sys.path.insert(0, str(ROOT / "tools"))
        from grading.assignment import Assignment

        texts |= {check.probe for check in Assignment(name, built).checks if check.hidden}
    return {t for t in texts if len(t) >= 12 and not t.startswith("#") and t not in public}


def test_no_hidden_test_or_solution_text_appears_in_any_output(graded):
    texts = hidden_texts(graded["built"])
    assert len(texts) >= 20
    outputs = [(graded["grades"] / "network_gradient.csv").read_text()]
    outputs += [(graded["grades"] / "central_difference-2.csv").read_text()]
    outputs += [p.read_text() for p in graded["grades"].rglob("*.md")]
    outputs += [o["stdout"] + o["stderr"] for o in graded["outputs"].values()]
    for output in outputs:
        leaked = {t for t in texts if t in output}
        assert not leaked, f"hidden text in an output: {sorted(leaked)[:3]}"


def test_statuses_never_carry_an_error_message(graded):
    rows = graded["rows"]["central"]
    assert "first failing cell: cell" in rows["raises.ipynb"]["status"]
    assert "RuntimeError" in rows["raises.ipynb"]["status"]
    assert "no steps" not in json.dumps(graded["rows"])
    secrets = graded["rows"]["network"]["hostile_read_secrets.ipynb"]
    assert float(secrets["total"]) == 0 and len(secrets["status"]) < 200


# --- honest grading of central_difference, with otter's usual mistakes --------------------


def test_a_status_names_each_cell_once_in_the_order_they_ran(graded):
    """Forged repeats and orders of cell numbers spelled a hidden probe in the feedback.

    The probes now reach the sandbox after the last cell has reported: a cell that says
    the cells are done early and reads them can report no cell after that.
    """
    row = graded["rows"]["network"]["hostile_leak_probe.ipynb"]
    cells = [int(n) for n in re.findall(r"cell (\d+) ", row["status"])]
    assert cells == sorted(set(cells)), row["status"]
    assert "a check stopped the run (unreadable results)" in row["status"], row
    assert float(row["total"]) == 0


def test_cells_run_as_jupyter_runs_them(graded):
    rows = graded["rows"]["network"]
    assert rows["jupyter_syntax.ipynb"]["status"] == "graded", rows["jupyter_syntax.ipynb"]
    series = graded["rows"]["central"]["pandas_series.ipynb"]  # otter: 9 of 10
    assert [float(series[q]) for q in CENTRAL_POINTS] == [3, 1, 3, 2], series
    split = graded["rows"]["central"]["split_quotient.ipynb"]  # round-off differs: still right
    assert [float(split[q]) for q in CENTRAL_POINTS] == [3, 2, 3, 2], split


def test_partial_credit_survives_a_late_failure(graded):
    rows = graded["rows"]["network"]
    assert "wall-clock limit reached" in rows["late_sleep.ipynb"]["review"]
    hangs = rows["probe_hangs.ipynb"]  # the zero-vectors check of q3 hung; the rest kept
    assert [float(hangs[q]) for q in NETWORK_POINTS] == [4, 2, 1, 2], hangs
    assert "limit reached" in hangs["review"]  # CPU time, or the clock on a loaded machine


def test_central_difference_scores(graded):
    rows = graded["rows"]["central"]
    files = graded["central"].rglob("*.ipynb")
    assert set(rows) == {p.relative_to(graded["central"]).as_posix() for p in files}
    assert (
        "central_difference: named by 7 of the 9 students"
        in graded["outputs"]["central"]["stdout"]
    )
    assert rows["mallory/copy0.ipynb"]["status"].startswith("not graded: a notebook of another")
    assert [float(rows["solution.ipynb"][q]) for q in CENTRAL_POINTS] == [3, 2, 3, 2]
    assert rows["solution.ipynb"]["status"] == "graded"
    assert float(rows["unchanged_handout.ipynb"]["total"]) == 0
    wrong = rows["wrong_q3.ipynb"]
    assert [float(wrong[q]) for q in CENTRAL_POINTS] == [3, 2, 0, 2]
    assert float(rows["raises.ipynb"]["q1"]) == 3


def test_a_deleted_cell_is_named_and_only_its_question_scores_zero(graded):
    row = graded["rows"]["central"]["cell_deleted.ipynb"]
    assert f"{graded['gone']} (in q3)" in row["status"], row["status"]
    assert float(row["q3"]) == 0 and float(row["q1"]) == 3


def test_a_notebook_of_another_assignment_is_not_graded_without_assignment(graded):
    row = graded["rows"]["central"]["network_gradient.ipynb"]
    assert row["status"].startswith("not graded: a notebook of another assignment")


def test_an_existing_csv_is_kept_and_the_run_writes_a_numbered_one(graded):
    assert "writes" in graded["outputs"]["central"]["stdout"]
    assert "central_difference-2.csv" in graded["outputs"]["central"]["stdout"]
    assert [p.name for p in graded["grades"].glob("*.partial")] == ["killed.csv.partial"]


def test_feedback_has_scores_and_public_tests_only(graded):
    folder = graded["grades"] / "network_gradient-feedback"
    files = {p.name: p.read_text() for p in folder.glob("*.md")}
    solution = files["solution.ipynb.md"]
    assert "**Total: 10 / 10**" in solution and "| q1 | 4 | 4 |" in solution
    assert "Public test: **passed**" in solution and "Public test: **failed**" not in solution
    handout = files["unchanged_handout.ipynb.md"]
    assert "Public test: **failed**" in handout and "0 of 3 passed" in handout
    assert "hidden" not in solution.lower()
    assert len(files) == len(graded["rows"]["network"])  # one for every file, graded or not
    assert "not graded: a zip archive" in files["archive.zip.md"]


# --- the sandbox is required ---------------------------------------------------------------


def test_without_bwrap_the_grader_refuses(graded):
    run = graded["outputs"]["no bwrap"]
    assert run["returncode"] != 0
    assert "Refusing to grade" in run["stderr"] and "UNSAFE=1" in run["stderr"]
    assert not (graded["grades"] / "never.csv").exists()


def test_unsafe_grading_warns_in_the_output_and_the_csv(graded):
    run = graded["outputs"]["unsafe"]
    assert run["returncode"] == 0 and "WARNING" in run["stderr"]
    row = graded["rows"]["unsafe"]["solution.ipynb"]
    assert float(row["total"]) == 10 and "UNSAFE" in row["review"]


def test_release_holds_back_per_check_results_until_its_date(graded):
    """The unsafe run was given RELEASE=2999-12-31: scores now, each test's result later."""
    folder = graded["grades"] / "unsafe-feedback"
    now = (folder / "solution.ipynb.md").read_text()
    later = folder.with_name("unsafe-feedback-release-2999-12-31") / "solution.ipynb.md"
    assert "| q1 | 4 | 4 |" in now and "will be given on 2999-12-31" in now
    assert "Public test" not in now and "Further tests" not in now and "```" not in now
    assert "Public test: **passed**" in later.read_text()
    assert "hand out" in graded["outputs"]["unsafe"]["stdout"]


def test_the_instructors_page_states_what_feedback_can_tell_of_the_probes(graded):
    """The bound on the page is the largest of the assignments', computed from their checks."""
    sys.path.insert(0, str(ROOT / "tools"))
    import grade
    from grading.assignment import Assignment

    page = (ROOT / "book" / "instructors.md").read_text()
    stated = re.search(r"at most (\d+) bits\s+of them a submission, (\d+) before", page)
    assert stated, "the instructors page states no bound"
    full, held = [], []
    for name in ASSIGNMENTS:
        assignment = Assignment(name, graded["built"])
        full.append(grade.feedback_bits(assignment))
        held.append(grade.feedback_bits(assignment, held=True))
    assert (int(stated.group(1)), int(stated.group(2))) == (
        math.ceil(max(full)),
        math.ceil(max(held)),
    )


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_assignment_gives_the_solution_full_marks_and_the_handout_zero(graded, name):
    rows = {
        "network_gradient": graded["rows"]["network"],
        "central_difference": graded["rows"]["central"],
    }.get(name)
    if rows is None:
        assert graded["outputs"][name]["returncode"] == 0, graded["outputs"][name]
        rows = {r["submission"]: r for r in read_rows(graded["grades"] / f"{name}.csv")}
        rows["unchanged_handout.ipynb"] = rows["handout.ipynb"]
    sys.path.insert(0, str(ROOT / "tools"))
    from grading.assignment import Assignment

    points = Assignment(name, graded["built"]).questions
    solution = rows["solution.ipynb"]
    assert solution["status"] == "graded"
    assert {q: float(solution[q]) for q in points} == points and sum(points.values()) > 0
    assert float(rows["unchanged_handout.ipynb"]["total"]) == 0


def test_a_killed_run_keeps_its_rows_and_leaves_no_process(graded):
    killed = graded["killed"]
    assert not killed["target"].exists()
    rows = read_rows(killed["partial"])
    assert [r["submission"] for r in rows] == ["a_solution.ipynb"]
    assert float(rows[0]["total"]) == 10
    assert graded["leftover"] == []
