# attack: leave before the checks run, with a forged results document on the way out
# base: handout
import os

for fd in (1, 3):
    try:
        os.write(fd, b'{"errors": [], "probes": [["float", 1.0]], "processes": 1}')
    except OSError:
        pass
os._exit(0)
