"""How `make grade` checks richardson_and_noise: one check per otter test case, in order.

The format is explained in assignments/central_difference/checks.py. Probes that count
evaluations wrap the function they pass in a lambda that records the number of points of
each call, as chapter 4's `counted` does. This file is read by the grader only; keep it as
private as the instructor notebook.
"""

import numpy as np

NOISE_STEPS = np.array([0.01, 0.02, 0.04, 0.08])
NOISE_ERRORS = np.array([4.0, 3.0, 2.0, 1.0])
NOISE_PLOT = "axes_data(plot_noise_model(np.array([0.01, 0.02, 0.04, 0.08]), " + (
    "np.array([4.0, 3.0, 2.0, 1.0]), 1e-3, 2.0))"
)


def counted(call, f):
    """A probe: `call` (text with F for the counted function), then the points evaluated."""
    wrapped = f"lambda t: (points.append(np.size(t)), {f}(t))[1]"
    return f"(lambda points: ({call.replace('F', wrapped)}, sum(points))[1])([])"


def lines_of(got):
    return [(np.asarray(x, dtype=float), np.asarray(y, dtype=float)) for x, y in got["lines"]]


def abs_and_conj_and_maybe_math_sin(got, expected):
    """q2: abs and conj; math_sin too when the student's complex step makes a NumPy complex
    (from a NumPy x): math.sin then drops the imaginary part with only a ComplexWarning."""
    return got in ({"abs", "conj"}, {"abs", "conj", "math_sin"})


def log_axes_with_the_data(got, expected):
    """q7: log-log axes, both labelled, and a line that draws the errors given at the steps."""
    return (
        got["xscale"] == got["yscale"] == "log"
        and bool(got["xlabel"])
        and bool(got["ylabel"])
        and any(
            np.allclose(x, NOISE_STEPS) and np.array_equal(y, NOISE_ERRORS)
            for x, y in lines_of(got)
        )
    )


def a_line_of_the_model(got, expected):
    """q7: a line that draws E(h) = M3 h^2 / 6 + sigma / (sqrt(2) h) at the steps given."""
    model = 2.0 * NOISE_STEPS**2 / 6 + 1e-3 / (np.sqrt(2) * NOISE_STEPS)
    return any(
        y.shape == model.shape and np.allclose(y, model, rtol=1e-9) for _, y in lines_of(got)
    )


def ten_with_nan_ends(got, expected):
    """q5, public: ten slopes, of which the first two and the last two are NaN."""
    return (
        isinstance(got, np.ndarray)
        and got.shape == (10,)
        and got.dtype.kind == "f"
        and bool(np.isnan(got[:2]).all() and np.isnan(got[-2:]).all())
    )


CHECKS = {
    "q1": [
        # 1e-14 is some 45 ulps: room for any honest way of writing it (a product by 1 / h,
        # complex() for x + ih, another h) and a million times tighter than the forward
        # difference's 1e-8, which is what q1 tells apart.
        {"probe": "complex_step(np.exp, 1.0)", "expected": np.e, "rtol": 1e-14, "atol": 0.0},
        {
            "probe": "complex_step(lambda x: x**3 - 2 * x, np.array([-1.5, 0.0, 2.0]))",
            "expected": [4.75, -2.0, 10.0],
            "rtol": 1e-14,
            "atol": 0.0,
        },
        {
            "probe": "complex_step(np.sin, 0.7, 0.5)",
            "expected": np.cos(0.7) * np.sinh(0.5) / 0.5,
            "rtol": 1e-14,
        },
    ],
    "q2": [
        {"probe": "safe_abs(np.array([-2.0, 0.5]))", "expected": [2.0, 0.5]},
        {
            "probe": "np.imag(safe_abs(np.array([-2.0 + 1e-20j, 3.0 + 1e-20j]))) / 1e-20",
            "expected": [-1.0, 1.0],
        },
        {"probe": "silently_wrong", "compare": abs_and_conj_and_maybe_math_sin},
    ],
    "q3": [
        {"probe": "richardson_step(np.exp, 1.0, 0.1)", "expected": np.e, "rtol": 1e-6},
        {
            "probe": "richardson_step(lambda x: x**5, 1.0, 0.5)",
            "expected": 5 - 0.5**4 / 4,
            "rtol": 1e-14,
        },
        {
            "probe": counted("richardson_step(F, 1.0, 0.1)", "np.exp"),
            "expected": 4,
            "compare": "equal",
        },
    ],
    "q4": [
        {
            "probe": "richardson_table(np.exp, 1.0, 0.25, 3)[0]",
            "expected": np.zeros((3, 3)),
            "compare": "shape",
            "type": "ndarray",
        },
        {"probe": "richardson_table(np.sin, 0.5, 0.4, 4)[0][:, 0]", "rtol": 1e-12},
        {
            "probe": "(lambda T: T[np.tril_indices(4)])(richardson_table(np.sin, 0.5, 0.4, 4)[0])",
            "rtol": 1e-12,
        },
        {"probe": "richardson_table(np.sin, 0.5, 0.4, 4)[0][1:, 1]", "rtol": 1e-12},
        {
            "probe": "richardson_table(lambda t: np.exp(2 * t), 0.3, 0.2, 3)[1:]",
            "rtol": 1e-6,
            "atol": 0.0,
        },
        {
            "probe": counted("richardson_table(F, 1.0, 0.3, 5)", "np.cos"),
            "expected": 10,
            "compare": "equal",
        },
    ],
    "q5": [
        {
            "probe": "central_from_samples(np.arange(10.0) ** 2, 2, 0.5)",
            "compare": ten_with_nan_ends,
        },
        {
            "probe": "np.nan_to_num(central_from_samples(np.exp(0.1 * np.arange(12.0)), 3, 0.1),"
            " nan=-1.0)",
            "rtol": 1e-12,
        },
        {"probe": "(model_step(1e-3, 1 / np.sqrt(2)), model_step(2e-4, 3.0))", "rtol": 1e-12},
        {"probe": "best_stride", "expected": 11, "compare": "equal"},
    ],
    "q6": [
        {"probe": "sigma_from_differences(np.zeros(50), 2)", "expected": 0.0, "atol": 0.0},
        {
            "probe": "sigma_from_differences(np.random.default_rng(5).normal(0, 0.1, 4000), 2)",
            "rtol": 1e-6,
        },
        # 1e-6: a root mean square in place of np.std (the differences' mean is not quite 0)
        # is 5e-9 to 2e-7 away and passes; ddof=1 (1e-4) and a missing square root do not.
        {"probe": "sigma_hat", "rtol": 1e-6},
    ],
    "q7": [
        {
            "probe": "plot_noise_model(np.array([0.01, 0.02]), np.ones(2), 1e-3, 1.0)"
            ".get_xscale()",
            "expected": "log",
            "compare": "equal",
        },
        {"probe": NOISE_PLOT, "compare": log_axes_with_the_data},
        {"probe": NOISE_PLOT, "compare": a_line_of_the_model},
    ],
}
