"""The grader's trusted side on its own: reading the sandbox's JSON, comparing, reviewing code.

tools/grading/values.py must turn any JSON at all into a value or `Invalid`, never raise
anything else and never build something huge; its comparisons must say False, not raise,
for any value; tools/grading/review.py must name what it finds in our words only.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from grading import notebook, review, values  # noqa: E402


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        (["float", 1.5], 1.5),
        (["int", 3], 3),
        (["bool", True], True),
        (["none"], None),
        (["str", "W1"], "W1"),
        (["complex", 1.0, -2.0], 1 - 2j),
        (["tuple", [["int", 1], ["float", 2.0]]], (1, 2.0)),
        (["set", [["str", "W1"], ["str", "b1"]]], {"W1", "b1"}),
        (["dict", [[["str", "a"], ["int", 1]]]], {"a": 1}),
    ],
)
def test_decode_builds_the_values_the_runner_encodes(node, expected):
    got = values.decode(json.loads(json.dumps(node)))
    assert got == expected and type(got) is type(expected)


def test_decode_builds_arrays_with_their_shape_and_kind():
    got = values.decode(["ndarray", "f", [2, 2], [1.0, 2.0, 3.0, 4.0]])
    assert got.shape == (2, 2) and got.dtype == np.float64 and got[1, 0] == 3.0
    complex_array = values.decode(["ndarray", "c", [1], [[1.0, 2.0]]])
    assert complex_array[0] == 1 + 2j


@pytest.mark.parametrize(
    "node",
    [
        "float",
        [],
        [1.0],
        ["float", "1.0"],
        ["int", True],
        ["int", 1.5],
        ["bool", 1],
        ["pickle", "gASVAAAA"],
        ["ndarray", "O", [1], [None]],
        ["ndarray", "f", [10**9, 10**9], []],
        ["ndarray", "f", [3], [1.0, 2.0]],
        ["ndarray", "f", [2], ["1.0", "2.0"]],
        ["ndarray", "f", [-1], []],
        ["set", [["list", []]]],
        ["dict", [[["list", []], ["int", 1]]]],
        ["dict", [["str", "a"]]],
        ["str", 5],
    ],
)
def test_decode_refuses_every_other_form(node):
    with pytest.raises(values.Invalid):
        values.decode(node)


def test_decode_refuses_deep_nesting_and_large_values():
    deep = ["none"]
    for _ in range(100):
        deep = ["list", [deep]]
    with pytest.raises(values.Invalid):
        values.decode(deep)
    with pytest.raises(values.Invalid):
        values.decode(["list", [["int", 1]] * (values.MAX_ITEMS + 1)])


def test_decode_refuses_sets_and_keys_made_to_share_a_hash():
    # hash(7 - 1000003 k + k j) is 7 for all k: set() of n of them takes n**2 steps.
    same = [["complex", 7 - 1000003 * k, k] for k in range(2000)]
    with pytest.raises(values.Invalid):
        values.decode(["set", same])
    with pytest.raises(values.Invalid):
        values.decode(["dict", [[key, ["none"]] for key in same]])
    assert values.decode(["set", [["int", -1], ["int", -2]]]) == {-1, -2}  # hash(-1) == -2


@pytest.mark.parametrize(
    "node",
    [
        ["float", 10**400],
        ["complex", 1.0, 10**400],
        ["int", 2**63],
        ["ndarray", "c", [1], [[10**400, 0.0]]],
    ],
)
def test_decode_refuses_numbers_the_runner_never_writes(node):
    with pytest.raises(values.Invalid):
        values.decode(node)


def test_an_error_name_is_shown_only_if_python_or_numpy_defines_it():
    assert values.decode(["error", "ZeroDivisionError"]).name == "ZeroDivisionError"
    assert values.decode(["error", "secret hidden text"]).name == "another exception"
    assert values.error_name(["not", "a", "string"]) == "another exception"


@pytest.mark.parametrize(
    ("got", "expected", "result"),
    [
        (np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]), True),
        ([1.0, 2.0], np.array([1.0, 2.0]), True),
        (np.array([1.0, 2.0]), np.array([1.0, 2.1]), False),
        (1.0, np.array([1.0, 1.0]), False),  # no broadcasting: shapes must match
        (True, 1.0, False),  # a boolean is not the number 1
        ("1.0", 1.0, False),
        (None, 1.0, False),
        ((1.0, np.zeros(2)), (1.0, np.zeros(2)), True),
        ({"W1"}, {"W1"}, True),
        (values.Opaque(), 1.0, False),
        (values.ProbeError("NameError"), 1.0, False),
        ([[1.0], [2.0, 3.0]], 1.0, False),
        (float("nan"), float("nan"), False),
    ],
)
def test_close_compares_numbers_only_with_numbers_of_the_same_shape(got, expected, result):
    assert values.close(got, expected) is result


def test_equal_and_shape():
    assert values.equal({"W1", "b1"}, {"b1", "W1"})
    assert not values.equal({"W1"}, {"W1", "b1"})
    assert not values.equal(1, "1")
    assert values.same_shape(np.zeros(21), np.ones(21))
    assert not values.same_shape([1.0], np.ones(21))


def test_review_names_suspicious_code_in_its_own_words():
    code = (
        "import numpy as np\nimport pickle, ctypes\nfrom os import system\nimport os\n"
        "np.isclose = lambda *a: True\nos.kill(1, 9)\nopen('/proc/self/mem')\n"
        "exec('print(1)')\nclass Secret_Hidden_Text: pass\n"
    )
    findings = review.review_code([(1, code)], magic_lines=2)
    for expected in (
        "changes numpy.isclose",
        "imports pickle",
        "imports ctypes",
        "uses os.kill",
        "uses os.system",
        "names a path outside its folder (/proc)",
        "calls exec()",
        "2 IPython magic or shell line(s) not run",
    ):
        assert expected in findings, (expected, findings)
    assert not any("Secret" in finding for finding in findings)
    assert review.review_code([(1, "x = 1\n")]) == []
    assert review.review_code([(1, "1" + "+1" * 100_000)]) == [
        "cell 1 too deeply nested to review"
    ]


def test_cells_are_transformed_as_ipython_does():
    code, count = notebook.transform("%matplotlib inline\nfor i in x:\n    !ls\ny = (1\n% 2)")
    assert count == 2 and code.endswith("y = (1\n% 2)\n"), code
    compile(code, "<cell>", "exec")
    code, count = notebook.transform("np.logspace?\n%time t = 1\nfiles = !ls\n")
    assert count == 2 and "run_line_magic('time', 't = 1')" in code, code
    assert notebook.transform("%%time\nz = 1\n") == (
        "get_ipython().run_cell_magic('time', '', 'z = 1\\n')\n",
        0,
    )
    assert notebook.transform("  x = 1\n  y = 2\n") == ("x = 1\ny = 2\n", 0)  # as Jupyter


def test_array_likes_and_lists_of_numbers_arrive_as_sent():
    series = values.decode(["arraylike", ["ndarray", "f", [2], [1.0, 2.0]]])
    assert isinstance(series, values.ArrayLike) and not isinstance(series, np.ndarray)
    assert values.close(series, np.array([1.0, 2.0])) and values.equal(series, np.array([1, 2]))
    assert values.same_shape(series, np.zeros(2)) and not values.close(series, np.zeros(3))
    assert values.decode(["numbers", "tuple", [1.5, 2.0]]) == (1.5, 2.0)
    assert values.decode(["numbers", "list", [1, 2]]) == [1, 2]
    for node in (["numbers", "list", [1, 2.5]], ["numbers", "list", [True]], ["arraylike", []]):
        with pytest.raises(values.Invalid):
            values.decode(node)


def test_a_check_wanting_an_ndarray_does_not_take_an_array_like():
    from grading.assignment import Check

    check = Check("q2", 1, False, 1.0, "errors", np.zeros(2), values.same_shape, np.ndarray, "")
    assert check.passes(np.zeros(2)) and not check.passes(values.ArrayLike(np.zeros(2)))


def test_round_off_of_an_honest_arrangement_passes_q2():
    """rtol=1e-6 on errors that are round-off failed an honest quotient (issue 24)."""
    import runpy

    checks = runpy.run_path(str(ROOT / "assignments" / "central_difference" / "checks.py"))
    compare = checks["CHECKS"]["q2"][1]["compare"]

    def f(x):
        return np.exp(x) * np.sin(x)

    x0, steps, slope = 1.0, np.logspace(-12, -1, 45), np.exp(1.0) * (np.sin(1.0) + np.cos(1.0))
    reference = np.abs((f(x0 + steps) - f(x0 - steps)) / (2 * steps) - slope)
    split = np.abs(f(x0 + steps) / (2 * steps) - f(x0 - steps) / (2 * steps) - slope)
    forward = np.abs((f(x0 + steps) - f(x0)) / steps - slope)
    assert not np.allclose(split, reference, rtol=1e-6, atol=1e-16)  # the old check
    assert compare((split, x0), (reference, x0)) and compare((reference, x0), (reference, x0))
    assert not compare((forward, x0), (reference, x0))
    assert not compare((reference * (1 + 1e-4), x0), (reference, x0))


# --- the grader's own work is bounded -------------------------------------------------------


def without_outputs(node):
    if isinstance(node, dict):
        return {
            k: None if k in ("outputs", "attachments") else without_outputs(v)
            for k, v in node.items()
        }
    return [without_outputs(v) for v in node] if isinstance(node, list) else node


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 4096])
def test_reading_drops_outputs_and_keeps_everything_else(piece):
    """The stripper sees the file in pieces: strings, escapes and keys cut anywhere."""
    cell = {"cell_type": "code", "source": ['x = "}]\\\\"\n', "y = {'outputs': 1}"]}
    document = {
        "cells": [
            {**cell, "outputs": [{"data": {"image/png": "QUJD" * 50}, "n": [1, -2.5e-3, None]}]},
            {**cell, "outputs": 'a\\"b', "attachments": {"x.png": {"image/png": "QQ=="}}},
            {**cell, "outputs": 12, "metadata": {"outputs": True, "é": "😀"}},
            {"outputs\\\\": [1], "source": "z", "outputs ": False},
        ],
        "metadata": {"outputs": []},
    }
    data = json.dumps(document, ensure_ascii=False, indent=piece % 3).encode()
    stripper = notebook.OutputStripper()
    for start in range(0, len(data), piece):
        stripper.feed(data[start : start + piece])
    assert json.loads(bytes(stripper.kept)) == without_outputs(json.loads(data))


def test_review_reads_each_attribute_chain_once(monkeypatch):
    """A chain of n links was walked from each link: n**2 / 2 steps (2 MB took 189 s)."""
    walked = []
    original = review.root_name

    def counting(node):
        base, parts = original(node)
        walked.append(len(parts))
        return base, parts

    monkeypatch.setattr(review, "root_name", counting)
    code = ("import os\nos" + ".b" * 400 + ".system('x')\n") * 50
    findings = review.review_cell(1, code)
    assert "uses os.system" not in findings  # os.b... is not os.system
    assert sum(walked) <= 2 * 401 * 50, sum(walked)  # linear: each link read at most twice
    walked.clear()
    assert "uses os.system" in review.review_cell(1, "import os\nos.system('ls').b.c.d\n")


def test_reading_past_its_limits_is_refused(tmp_path):
    from grading import reader

    solution = ROOT / "assignments" / "network_gradient" / "network_gradient.ipynb"
    document = json.loads(solution.read_text())
    chains = ("x = a" + ".b" * 500 + "\n") * 900  # a second of review or more
    document["cells"].append({"cell_type": "code", "metadata": {}, "source": chains})
    path = tmp_path / "chains.ipynb"
    path.write_text(json.dumps(document))
    assert reader.read_limited(solution).notebook is not None
    for limits in ({"cpu": 1}, {"memory": 20 * 2**20}):
        reading = reader.read_limited(path, **limits)
        assert reading.notebook is None and reading.problem == reader.WITHIN_LIMITS, limits
        assert reading.findings == [reader.OVER_LIMITS_FINDING]
