"""diffops: the finite-difference operators of the numerical-differentiation book.

Each operator is a higher-order function: it takes a function ``f`` and returns a new
function that approximates a derivative of ``f``.
"""

from .finite_differences import derivative, gradient

__all__ = ["derivative", "gradient"]
__version__ = "0.1.0"
