"""Write each chapter's first code cell: on Colab, install `diffops` from the repository.

Run by `make colab-cells`. The repository is `repository.url` of _config.yml, the one line a
course that forks the book changes; this script copies it into every chapter, and
tests/test_book.py checks that the chapters name the repository that _config.yml names.
The cell does nothing outside Colab, and the built site leaves it out (`remove-cell`).
"""

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from build_book import toc_notebooks  # noqa: E402

CELL_ID = "colab-install"
TEMPLATE = '''# On Colab only: install diffops and the packages the chapters use.
import sys

if "google.colab" in sys.modules:
    %pip install --quiet "diffops[book] @ git+{url}"'''


def repository_url(root=ROOT):
    return yaml.safe_load((root / "_config.yml").read_text())["repository"]["url"]


def colab_source(url):
    return TEMPLATE.format(url=url)


def with_colab_cell(notebook, url):
    """The notebook with its Colab cell written (or rewritten) before its first code cell."""
    cells = [c for c in notebook["cells"] if c.get("id") != CELL_ID]
    first_code = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    source = colab_source(url).splitlines(keepends=True)
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "id": CELL_ID,
        "metadata": {"tags": ["remove-cell"]},
        "outputs": [],
        "source": source,
    }
    return {**notebook, "cells": [*cells[:first_code], cell, *cells[first_code:]]}


def main():
    url = repository_url()
    for path in toc_notebooks(ROOT):
        notebook = json.loads(path.read_text())
        updated = with_colab_cell(notebook, url)
        if updated != notebook:
            path.write_text(json.dumps(updated, indent=1, ensure_ascii=False) + "\n")
            print(f"wrote the Colab cell of {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
