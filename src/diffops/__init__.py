"""diffops: the finite-difference operators of the numerical-differentiation book.

The formulas (``forward_difference``, ``central_difference``, ...) take a function, points
and a step and return numbers. The operators (``derivative``, ``second_derivative``,
``gradient``, ``jacobian``, ``hessian``) are higher-order functions: they take a function
``f`` and return a new function that approximates a derivative of ``f``.
"""

from .extrapolation import RichardsonResult, richardson
from .finite_differences import (
    STEP_SCALES,
    backward_difference,
    central_difference,
    complex_step,
    default_step,
    derivative,
    five_point_difference,
    forward_difference,
    second_derivative,
)
from .gradient_check import GradientCheck, check_gradient
from .multivariate import (
    directional_derivative,
    gradient,
    hessian,
    hessian_vector_product,
    jacobian,
)
from .noise import estimate_noise
from .sparsity import color_columns, sparse_hessian
from .stencils import stencil_weights

__all__ = [
    "STEP_SCALES",
    "GradientCheck",
    "RichardsonResult",
    "backward_difference",
    "central_difference",
    "check_gradient",
    "color_columns",
    "complex_step",
    "default_step",
    "derivative",
    "directional_derivative",
    "estimate_noise",
    "five_point_difference",
    "forward_difference",
    "gradient",
    "hessian",
    "hessian_vector_product",
    "jacobian",
    "richardson",
    "second_derivative",
    "sparse_hessian",
    "stencil_weights",
]
__version__ = "0.3.0"
