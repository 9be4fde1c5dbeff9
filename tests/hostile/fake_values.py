# attack: return objects that lie about themselves (equal to everything, any type, any shape)
# base: handout
import numpy as np


class Liar(np.ndarray):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


class Anything(float):
    def __eq__(self, other):
        return True

    def __abs__(self):
        return 0.0


def loss_gradient(theta):
    return Anything(0.0)


def numerical_gradient(fun, theta, h=1e-6):
    return np.zeros(len(theta)).view(Liar)


def relative_error(a, b):
    return Anything(0.0)


wrong_blocks = Anything(0.0)
