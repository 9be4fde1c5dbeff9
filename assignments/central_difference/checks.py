"""How `make grade` checks central_difference: one check per otter test case, in order.

The i-th check of a question stands for the i-th test case of that question in the
instructor notebook (public cases and `# HIDDEN` ones, in the order they appear), and is
worth what otter gives that case. A check has:

probe
    A Python expression, evaluated in the sandbox in the namespace that the student's
    notebook left behind. It holds the inputs and the calls only: no expected value and no
    comparison enters the sandbox. Its value comes back as data (numbers, strings, lists).
expected
    The reference, given here; when left out, the probe's value on the solution notebook
    (the grader computes it at the start of each run, in the same sandbox).
compare
    "close" (the default: same shape, np.allclose with `rtol` and `atol`, whose defaults are
    NumPy's), "equal", "shape", or a function (got, expected) -> bool defined here; it runs
    in the grader, outside the sandbox, with the grader's NumPy.
type
    If given, the type the value must have ("ndarray", "set", "float", ...).

This file is read by the grader only; keep it as private as the instructor notebook.
"""

import numpy as np


def labelled_log_axes_with_the_line(got, expected):
    """q4: log-log axes, both labelled, and one line that draws the given errors."""
    errors = np.arange(1.0, 46.0)
    return (
        got["xscale"] == got["yscale"] == "log"
        and bool(got["xlabel"])
        and bool(got["ylabel"])
        and any(np.array_equal(np.asarray(y, dtype=float), errors) for _, y in got["lines"])
    )


def errors_to_round_off(got, expected):
    """q2: the errors, to 1e-6 of themselves plus the quotient's round-off, 4 eps |f(x0)| / h.

    Left of the best step the errors are round-off: another honest arrangement of the
    quotient, such as f(x0 + h) / (2 * h) - f(x0 - h) / (2 * h), changes them by up to a
    few eps |f(x0)| / h (4e-5 at h = 1e-12, a third of the error), and rtol=1e-6 alone
    failed it. The probe sends (errors, x0); the x0 used is the reference's.
    """
    errors, reference, x0 = np.asarray(got[0], dtype=float), expected[0], expected[1]
    steps = np.logspace(-12, -1, 45)
    round_off = 4 * np.finfo(float).eps * abs(np.exp(x0) * np.sin(x0)) / steps
    return errors.shape == reference.shape and bool(
        np.all(np.abs(errors - reference) <= 1e-6 * reference + round_off)
    )


CHECKS = {
    "q1": [
        {"probe": "central_difference(np.sin, 0.0, 1e-3)", "expected": 1.0, "atol": 1e-6},
        {"probe": "central_difference(lambda x: x**3, np.array([-2.0, 0.5, 3.0]), 0.1)"},
        {"probe": "central_difference(np.exp, 1.0, 1e-5)", "expected": np.e, "rtol": 1e-9},
    ],
    "q2": [
        {"probe": "errors", "type": "ndarray", "compare": "shape"},
        {"probe": "(errors, x0)", "compare": errors_to_round_off},
    ],
    "q3": [
        {"probe": "optimal_step(1.0, 3.0)"},
        {"probe": "(optimal_step(2.0, -0.5), optimal_step(-1.0, 3.0))", "rtol": 1e-12},
        {"probe": "h_star", "rtol": 1e-12},
    ],
    "q4": [
        {
            "probe": "plot_errors(steps, errors).get_xscale()",
            "expected": "log",
            "compare": "equal",
        },
        {
            "probe": "axes_data(plot_errors(steps, np.arange(1.0, 46.0)))",
            "compare": labelled_log_axes_with_the_line,
        },
    ],
}
