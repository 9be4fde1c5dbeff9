"""The steps of the operators on functions of several variables: one per coordinate.

:func:`~diffops.gradient`, :func:`~diffops.jacobian` and :func:`~diffops.sparse_hessian`
all step coordinate i by the same rule, kept here so that the modules that define them
need not import one another.
"""

import numpy as np

from ._validation import check_steps
from .finite_differences import default_step


def coordinate_steps(x, h, method):
    """One step per coordinate: the given ``h``, or the default rounded to a power of two.

    The quotients divide by the step asked for, as the formulas on paper do. A power of
    two is a step that ``x_i + h`` can usually represent exactly, so for the default steps
    the step asked for is also the step taken.
    """
    if h is None:
        steps = 2.0 ** np.round(np.log2(default_step(x, method)))
    else:
        steps = np.full(x.shape, h)
    return check_steps(steps, x, must_move=method != "complex")[1]
