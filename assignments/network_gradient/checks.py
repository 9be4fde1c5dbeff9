"""How `make grade` checks network_gradient: one check per otter test case, in order.

The format is explained in assignments/central_difference/checks.py. This file is read by
the grader only; keep it as private as the instructor notebook.
"""

import numpy as np


def gradient_and_unchanged_point(got, expected):
    """q2: the gradient is right (rtol 1e-8) and the point given was not changed at all."""
    gradient, point = got
    return bool(
        np.shape(gradient) == (3,)
        and np.allclose(np.asarray(gradient, dtype=float), expected[0], rtol=1e-8)
        and np.array_equal(np.asarray(point, dtype=float), [0.5, -1.0, 2.0])
    )


def names_of_blocks(got, expected):
    """q4, public: a set of block names."""
    return isinstance(got, set) and got <= {"W1", "b1", "w2", "b2"}


CHECKS = {
    "q1": [
        {"probe": "loss_gradient(theta0)", "expected": np.zeros(21), "compare": "shape"},
        {"probe": "loss_gradient(theta0)", "rtol": 1e-5, "atol": 1e-8},
        {"probe": "loss_gradient(np.linspace(-1, 1, 21))", "rtol": 1e-5, "atol": 1e-8},
        {"probe": "loss_gradient(theta0)[20]"},
    ],
    "q2": [
        {
            "probe": "numerical_gradient(lambda t: np.sum(t**2), np.array([1.0, -2.0]))",
            "expected": [2.0, -4.0],
        },
        {
            "probe": "(lambda point: (numerical_gradient("
            "lambda t: t[0] ** 3 * t[1] + np.sin(t[2]), point), point))"
            "(np.array([0.5, -1.0, 2.0]))",
            "compare": gradient_and_unchanged_point,
        },
    ],
    "q3": [
        {
            "probe": "relative_error(np.array([1.0, 0.0]), np.array([0.0, 1.0]))",
            "expected": np.sqrt(2) / 2,
        },
        {
            "probe": "(relative_error(np.zeros(3), np.zeros(3)), "
            "relative_error(np.array([3.0, 4.0]), 1.001 * np.array([3.0, 4.0])))",
            "atol": 0.0,
        },
    ],
    "q4": [
        {"probe": "wrong_blocks", "compare": names_of_blocks},
        {"probe": "wrong_blocks", "expected": {"W1", "b1"}, "compare": "equal"},
    ],
}
