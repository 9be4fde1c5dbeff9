"""Build the student edition of the book: the same pages, no exercise solutions.

Run by `make book-student`. It writes _build/student/_config.yml, which is
_config.yml with these changes, and builds the book with it into
_build/student/_build/html:

- `remove_solutions: true` (book/_ext/student_edition.py) takes every
  solution out of the pages and of the search index;
- no page sources, no .ipynb download, no repository, Binder or Colab
  buttons: each of those would hand out the notebooks, solutions included;
- the notebooks' outputs come from the jupyter cache of the last `make book`,
  so the second site costs Sphinx time only. Without that cache the notebooks
  are run here.
"""

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "_build" / "student"
HTML = OUTPUT / "_build" / "html"


def student_config():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] += " (student edition)"
    config["execute"]["execute_notebooks"] = "cache"
    config["execute"]["cache"] = str(ROOT / "_build" / ".jupyter_cache")
    config["html"].update(use_download_button=False, use_repository_button=False)
    config["launch_buttons"] = {"notebook_interface": "classic", "thebe": False}
    # jupyter-book reads these folders relative to the configuration file.
    extensions = config["sphinx"]["local_extensions"]
    extensions.update((name, str(ROOT / path)) for name, path in extensions.items())
    config["sphinx"]["config"].update(remove_solutions=True, html_copy_source=False)
    return config


def main(flags):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / "_config.yml"
    path.write_text(yaml.safe_dump(student_config(), sort_keys=False))
    command = [Path(sys.executable).parent / "jupyter-book", "build", ROOT]
    command += ["--config", path, "--path-output", OUTPUT, *flags]
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
