"""Tests of the book as a whole: table of contents, notebooks, the real build, its guards."""

import ast
import json
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHAPTER = ROOT / "book" / "01_forward_differences.ipynb"
HTML = ROOT / "_build" / "html"
BUILD_OUTPUT = ("html", "jupyter_execute", ".doctrees", ".jupyter_cache")


def toc_files():
    """Every `file:` entry of _toc.yml, the root first, as paths relative to ROOT."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))
            for part in entry.get("parts", []):
                walk(part.get("chapters", []))

    walk(toc.get("chapters", []))
    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    return files


def toc_notebooks():
    return [f + ".ipynb" for f in toc_files() if (ROOT / (f + ".ipynb")).exists()]


def book_notebooks():
    return sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "book").rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    )


def build_flags():
    """The Sphinx flags of `make book`, read from the Makefile so that tests use the same."""
    match = re.search(r"^JB_FLAGS := (.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    return match.group(1).split()


def remove_build_output():
    """Delete what a build writes under _build, so that the next build starts clean."""
    for folder in BUILD_OUTPUT:
        shutil.rmtree(ROOT / "_build" / folder, ignore_errors=True)


def build(source):
    """Build the book in `source` as `make book` does; return the finished process."""
    return subprocess.run(
        [BIN / "jupyter-book", "build", source, *build_flags()],
        capture_output=True,
        text=True,
        timeout=600,
    )


def git_status():
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


# --- table of contents and notebooks ------------------------------------------------------


def test_every_toc_entry_exists():
    for entry in toc_files():
        candidates = [ROOT / (entry + suffix) for suffix in (".ipynb", ".md")]
        assert any(c.exists() for c in candidates), f"_toc.yml lists {entry}, which is missing"


def test_every_notebook_in_book_is_in_the_toc():
    missing = set(book_notebooks()) - set(toc_notebooks())
    assert not missing, f"notebooks in book/ but not in _toc.yml: {sorted(missing)}"
    assert book_notebooks(), "book/ holds no notebooks"


def test_nbval_runs_every_notebook_in_the_toc():
    # Collect what a plain `pytest` (as `make test` runs it) would execute.
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    for notebook in toc_notebooks():
        assert f"{notebook}::Cell 0" in collected, f"nbval does not run {notebook}"


@pytest.mark.parametrize("notebook", book_notebooks())
def test_notebooks_in_git_carry_no_outputs(notebook):
    cells = json.loads((ROOT / notebook).read_text())["cells"]
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{notebook} cell {index} stores outputs"
            assert cell["execution_count"] is None, f"{notebook} cell {index} has a count"


@pytest.mark.parametrize("notebook", toc_notebooks())
def test_code_shown_from_the_package_is_the_function_without_its_docstring(notebook):
    # Chapters show diffops functions with literalinclude (:pyobject: and :lines:).
    # If a docstring grows, the :lines: numbers must move with it; this test says so.
    markdown = "".join(
        "".join(c["source"])
        for c in json.loads((ROOT / notebook).read_text())["cells"]
        if c["cell_type"] == "markdown"
    )
    includes = re.findall(
        r"```\{literalinclude\} (\S+)\n:pyobject: (\w+)\n:lines: 1,(\d+)-\n```", markdown
    )
    assert markdown.count("{literalinclude}") == len(includes), "an include has another form"
    for path, name, first in includes:
        source_file = (ROOT / notebook).parent.joinpath(path).resolve()
        tree = ast.parse(source_file.read_text())
        function = next(n for n in tree.body if getattr(n, "name", None) == name)
        code_start = function.body[0].end_lineno - function.lineno + 2
        assert int(first) == code_start, (
            f"{name}: {notebook} shows from line {first}, but the code after the "
            f"docstring starts at line {code_start}"
        )


# --- the real build -----------------------------------------------------------------------


class PageParser(HTMLParser):
    """Collects the images, figure captions, math blocks and visible text of a page."""

    def __init__(self):
        super().__init__()
        self.images, self.captions, self.math, self.text = [], [], 0, []
        self._in_caption = self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        if tag == "figcaption":
            self._in_caption += 1
            self.captions.append("")
        if "math" in (attrs.get("class") or "").split():
            self.math += 1
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self._in_caption -= 1
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if self._in_caption:
            self.captions[-1] += data
        if not self._skip:
            self.text.append(data)


@pytest.fixture(scope="session")
def built_site():
    """Build the real book from clean, as `make book` does; check that git status stays put."""
    remove_build_output()
    before = git_status()
    started = time.time()
    result = build(ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert git_status() == before, "building the book changed files that git sees"
    return ROOT / "_build" / "html", started


def parse_page(path):
    parser = PageParser()
    parser.feed(path.read_text())
    return parser


def test_build_writes_index_and_every_toc_page(built_site):
    html, _ = built_site
    assert (html / "index.html").exists()
    for entry in toc_files():
        assert (html / (entry + ".html")).exists(), f"{entry}.html was not built"


def notebook_cells(notebook):
    return json.loads((ROOT / notebook).read_text())["cells"]


def page_of(notebook):
    return HTML / notebook.replace(".ipynb", ".html")


@pytest.mark.parametrize("notebook", toc_notebooks())
def test_every_figure_cell_gives_a_fresh_svg_with_alt_text_and_caption(built_site, notebook):
    html, started = built_site
    figure_cells = [
        c for c in notebook_cells(notebook) if "figure" in c["metadata"].get("mystnb", {})
    ]
    page = parse_page(page_of(notebook))
    figures = [img for img in page.images if img.get("src", "").endswith(".svg")]
    assert len(figures) == len(figure_cells) > 0, "every chapter draws at least one figure"
    for img in figures:
        alt = img.get("alt", "")
        assert len(alt.split()) >= 10, f"alt text too short: {alt!r}"
        assert not re.search(r"[\\/]|\.(svg|png)$", alt), f"alt text looks like a path: {alt!r}"
        image = (page_of(notebook).parent / img["src"]).resolve()
        assert image.read_text().lstrip().startswith("<?xml")
        assert image.stat().st_mtime >= started - 1, f"{image.name} was not drawn by this build"
    assert len(page.captions) == len(figure_cells)
    assert all(len(c.split()) >= 10 for c in page.captions)


@pytest.mark.parametrize("notebook", toc_notebooks())
def test_every_labelled_equation_is_rendered_as_math(built_site, notebook):
    markdown = "".join(
        "".join(c["source"]) for c in notebook_cells(notebook) if c["cell_type"] == "markdown"
    )
    labels = re.findall(r"^\$\$ \((eq-[\w-]+)\)$", markdown, re.MULTILINE)
    page = parse_page(page_of(notebook))
    source = page_of(notebook).read_text()
    assert labels, "a chapter without displayed equations?"
    assert page.math >= len(labels)
    assert "$$" not in "".join(page.text), "raw $$ left in the page: a math block was not parsed"
    for label in labels:
        assert f'id="equation-{label}"' in source, f"equation {label} is missing"


def test_first_chapter_keeps_the_seed_equations(built_site):
    source = page_of("book/01_forward_differences.ipynb").read_text()
    for label in (
        "eq-derivative-limit",
        "eq-forward-difference",
        "eq-gradient",
        "eq-partial-derivative",
        "eq-test-function",
    ):
        assert f'id="equation-{label}"' in source, f"equation {label} is missing"


@pytest.mark.parametrize("notebook", toc_notebooks())
def test_chapter_has_overview_summary_and_no_error_output(built_site, notebook):
    source = page_of(notebook).read_text()
    text = "".join(parse_page(page_of(notebook)).text)
    assert "Overview" in text and "Summary" in text
    assert "Traceback" not in source
    assert "output stderr" not in source
