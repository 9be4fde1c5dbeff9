"""The build's guards: a broken copy of the book must fail to build.

These live apart from test_book.py so that `make test` (pytest-xdist, one module per
worker) runs them beside the real build instead of after it.
"""

import json
import shutil

import pytest
import yaml
from test_book import CHAPTER, ROOT, build


def broken_copy(tmp_path, new_cell):
    """Copy the book to tmp_path with `new_cell` appended to the first chapter.

    To keep each guard quick, the copy's table of contents keeps only the root and the
    first chapter, and the chapter keeps only its opening cells (title, setup); the
    config, the package and the setup cell are the real ones.
    """
    copy = tmp_path / "book-copy"
    copy.mkdir()
    shutil.copy(ROOT / "_config.yml", copy)
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    first = CHAPTER.relative_to(ROOT).with_suffix("").as_posix()
    assert {"file": first} in toc["chapters"]
    toc["chapters"] = [{"file": first}]
    (copy / "_toc.yml").write_text(yaml.safe_dump(toc))
    for name in ("book", "src"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    notebook = copy / CHAPTER.relative_to(ROOT)
    content = json.loads(notebook.read_text())
    setup = next(i for i, c in enumerate(content["cells"]) if c["cell_type"] == "code")
    content["cells"] = content["cells"][: setup + 1] + [new_cell]
    notebook.write_text(json.dumps(content))
    return copy


def code_cell(source):
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": source,
    }


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (code_cell("raise RuntimeError('injected failure')"), "injected failure"),
        (code_cell("import warnings\nwarnings.warn('injected warning')"), "stderr was found"),
        (
            {"cell_type": "markdown", "metadata": {}, "source": "See {eq}`eq-no-such-label`."},
            "eq-no-such-label",
        ),
    ],
    ids=["exception in a cell", "warning on stderr", "missing reference"],
)
def test_broken_copy_of_the_book_fails_to_build(tmp_path, cell, expected):
    result = build(broken_copy(tmp_path, cell))
    output = result.stdout + result.stderr
    assert result.returncode != 0, "the broken book built without an error"
    assert expected in output
    if cell["cell_type"] == "code":  # the log names the notebook
        assert CHAPTER.name in output
    if "raise" in cell["source"]:  # and shows the cell that raised
        assert f"Executing notebook failed: {tmp_path}" in output and cell["source"] in output
