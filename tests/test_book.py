"""Tests of the book as a whole: table of contents, notebooks, the real build, its guards."""

import ast
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_book  # noqa: E402  (tools/build_book.py: how `make book` builds)

CHAPTER = ROOT / "book" / "01_forward_differences.ipynb"
HTML = ROOT / "_build" / "html"
BUILD_OUTPUT = ("html", "jupyter_execute", ".doctrees", ".jupyter_cache")


def toc_files():
    """Every `file:` entry of _toc.yml, the root first, as paths relative to ROOT."""
    return build_book.toc_files(ROOT)


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


def build(source, executed=None):
    """Build the book in `source` as `make book` does; return the finished process.

    `executed`: a folder of notebooks executed earlier in this test run (by nbval), which
    the build caches as they are instead of running them again."""
    reuse = ["--executed", executed] if executed else []
    return subprocess.run(
        [sys.executable, ROOT / "tools" / "build_book.py", source, *reuse, *build_flags()],
        capture_output=True,
        text=True,
        timeout=600,
    )


def build_failure(result):
    """The part of a failed build's output that names the cause: the cell's error first."""
    output = result.stdout + result.stderr
    cell_error = output.find("Executing notebook failed")
    head = output[cell_error : cell_error + 4000] if cell_error >= 0 else ""
    return head + "\n...\n" + output[-3000:]


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


@pytest.mark.parametrize("notebook", toc_notebooks())
def test_first_code_cell_installs_diffops_on_colab_from_the_config_repository(notebook):
    # tools/colab_cell.py writes it from _config.yml's repository.url (make colab-cells).
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    cells = json.loads((ROOT / notebook).read_text())["cells"]
    first = next(c for c in cells if c["cell_type"] == "code")
    source = "".join(first["source"])
    assert f'"diffops[book] @ git+{url}"' in source, f"{notebook}: run make colab-cells"
    assert 'if "google.colab" in sys.modules:' in source
    assert first["metadata"].get("tags") == ["remove-cell"], "the site must not show it"


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
    figures = [img for img in page.images if "_images/" in img.get("src", "")]
    assert len(figures) == len(figure_cells) > 0, "every chapter draws at least one figure"
    assert all(img["src"].endswith(".svg") for img in figures)
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


# --- the site as a reader gets it: offline, linked, light, in order -----------------------


class SiteParser(HTMLParser):
    """Collects the URLs a page loads or links to, its ids, and its article's headings."""

    LOADS = {
        ("script", "src"),
        ("link", "href"),
        ("img", "src"),
        ("source", "src"),
        ("iframe", "src"),
        ("video", "src"),
        ("audio", "src"),
        ("embed", "src"),
    }

    def __init__(self):
        super().__init__()
        self.loads, self.links, self.ids, self.headings = [], [], set(), []
        self._article = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("id", "name"):
            if attrs.get(name):
                self.ids.add(attrs[name])
        for attribute in ("src", "href"):
            url = attrs.get(attribute)
            if url is None:
                continue
            if (tag, attribute) in self.LOADS and not (
                tag == "link" and attrs.get("rel") in ("canonical", "search", "next", "prev")
            ):
                self.loads.append(url)
            elif tag == "a":
                self.links.append(url)
        if tag == "article" and "bd-article" in (attrs.get("class") or ""):
            self._article += 1
        if self._article and re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))

    def handle_endtag(self, tag):
        if tag == "article" and self._article:
            self._article -= 1


def parse_site_page(path):
    parser = SiteParser()
    parser.feed(path.read_text())
    return parser


def site_pages(html):
    """Every HTML page of the site (the theme's template macros in _static are not pages)."""
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.relative_to(html).parts)


def is_external(url):
    return bool(re.match(r"^([a-z][a-z0-9+.-]*:)?//", url, re.IGNORECASE))


def test_site_loads_nothing_from_the_internet(built_site):
    html, _ = built_site
    pages = site_pages(html)
    assert len(pages) >= len(toc_files())
    for page in pages:
        external = [url for url in parse_site_page(page).loads if is_external(url)]
        assert not external, f"{page.relative_to(html)} loads {external}"
    for sheet in html.rglob("*.css"):
        remote = re.findall(
            r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)|@import\s+['\"]((?:https?:)?//[^'\"]+)",
            sheet.read_text(errors="replace"),
        )
        assert not remote, f"{sheet.relative_to(html)} fetches {remote}"


def test_notebook_pages_launch_binder_and_colab_from_repository_url(built_site):
    html, _ = built_site
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repository = config["repository"]["url"].rstrip("/")
    owner_and_name = repository.removeprefix("https://github.com/")
    branch = config["repository"]["branch"]
    for notebook in toc_notebooks():
        page = parse_site_page(page_of(notebook))
        buttons = config["launch_buttons"]
        binder = (
            f"{buttons['binderhub_url']}/v2/gh/{owner_and_name}/{branch}"
            f"?urlpath=lab/tree/{notebook}"
        )
        colab = f"{buttons['colab_url']}/github/{owner_and_name}/blob/{branch}/{notebook}"
        assert binder in page.links, f"{notebook}: no Binder button {binder}"
        assert colab in page.links, f"{notebook}: no Colab button {colab}"
        downloads = [url for url in page.links if url.endswith(".ipynb") and not is_external(url)]
        assert downloads, f"{notebook}: no .ipynb download button"
        for url in downloads:
            assert (page_of(notebook).parent / url).resolve().exists(), url


# `make pdf` and `make pdf-student` put these into the sites (tests/test_pdf.py).
PRINTED = ("numerical-differentiation.pdf", "numerical-differentiation-student.pdf")


def test_every_internal_link_and_anchor_resolves(built_site):
    html, _ = built_site
    ids = {}
    problems = []
    for page in site_pages(html):
        parsed = parse_site_page(page)
        for url in parsed.links + parsed.loads:
            if is_external(url) or url.startswith(("mailto:", "javascript:", "data:")):
                continue
            if url.endswith(PRINTED):
                continue
            path, _, fragment = url.partition("#")
            path = path.split("?")[0]
            target = (page.parent / path).resolve() if path else page
            if not target.exists():
                problems.append(f"{page.relative_to(html)}: {url} (no file)")
                continue
            if fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = parse_site_page(target).ids
                if fragment not in ids[target]:
                    problems.append(f"{page.relative_to(html)}: {url} (no anchor)")
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("entry", toc_files())
def test_page_and_its_figures_weigh_under_one_megabyte(built_site, entry):
    page = HTML / (entry + ".html")
    images = [img["src"] for img in parse_page(page).images if not is_external(img["src"])]
    weight = page.stat().st_size + sum(
        (page.parent / src).resolve().stat().st_size for src in set(images)
    )
    assert weight < 1_000_000, f"{entry}: {weight / 1e6:.2f} MB"


@pytest.mark.parametrize("entry", toc_files())
def test_headings_start_at_one_title_and_go_down_one_level_at_a_time(built_site, entry):
    levels = parse_site_page(HTML / (entry + ".html")).headings
    assert levels and levels[0] == 1 and levels.count(1) == 1, levels
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"{entry}: heading h{before} is followed by h{after}"


# --- exercises, and the student edition without their solutions -------------------------

EXERCISE = re.compile(r"```\{exercise\} (?P<title>.+)\n:label: (?P<label>\S+)\n")
SOLUTION_START = re.compile(r"```\{solution-start\} (?P<label>\S+)\n:class: dropdown\n```")
KINDS = ("Understanding:", "Coding:", ("Derivation:", "Plot:", "Open-ended:"))


def exercises_of(notebook):
    """[(title, label, solution cells)] in page order; checks the gated structure on the way."""
    found, cells = [], notebook_cells(notebook)
    for index, cell in enumerate(cells):
        text = "".join(cell["source"])
        match = EXERCISE.match(text) if cell["cell_type"] == "markdown" else None
        if not match:
            continue
        start = SOLUTION_START.fullmatch("".join(cells[index + 1]["source"]))
        assert start and start["label"] == match["label"], f"{match['label']}: no solution"
        end = next(
            i
            for i in range(index + 2, len(cells))
            if "{solution-end}" in "".join(cells[i]["source"])
        )
        found.append((match["title"], match["label"], cells[index + 2 : end]))
    return found


@pytest.mark.parametrize("notebook", toc_notebooks())
def test_every_chapter_ends_with_three_kinds_of_exercise_with_solutions(notebook):
    cells = notebook_cells(notebook)
    headings = [
        line
        for c in cells
        if c["cell_type"] == "markdown"
        for line in "".join(c["source"]).splitlines()
        if line.startswith("## ")
    ]
    assert headings[-1] == "## Exercises", f"{notebook} does not end with its exercises"
    exercises = exercises_of(notebook)
    assert len(exercises) >= 3
    labelled = [re.fullmatch(r"(★{1,3}) (.+)", title) for title, _, _ in exercises]
    assert all(labelled), f"{notebook}: an exercise title without a difficulty label"
    titles = [match[2] for match in labelled]
    for kind in KINDS:
        assert any(t.startswith(kind) for t in titles), f"{notebook}: no {kind} exercise"
    for _, label, solution in exercises:
        assert solution, f"{label}: empty solution"
    assert any(c["cell_type"] == "code" for _, _, s in exercises for c in s), (
        f"{notebook}: no solution runs code"
    )


class SolutionParser(HTMLParser):
    """Splits a page's visible text into what is inside solution boxes and what is not."""

    def __init__(self):
        super().__init__()
        self.inside, self.outside, self.exercises, self.solutions = [], [], 0, 0
        self._depth, self._solution_at, self._skip = 0, None, 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("script", "style"):
            self._skip += 1
        if tag != "div":
            return
        self._depth += 1
        self.exercises += "exercise" in classes
        if "solution" in classes:
            self.solutions += 1
            self._solution_at = self._solution_at or self._depth

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "div":
            if self._solution_at == self._depth:
                self._solution_at = None
            self._depth -= 1

    def handle_data(self, data):
        if not self._skip:
            (self.inside if self._solution_at else self.outside).append(data)


def split_solutions(path):
    parser = SolutionParser()
    parser.feed(path.read_text())
    return parser


def text_lines(chunks):
    return {line.strip() for line in "".join(chunks).splitlines() if len(line.strip()) >= 12}


@pytest.mark.parametrize("notebook", toc_notebooks())
def test_exercises_and_solution_dropdowns_are_in_the_page(built_site, notebook):
    page = split_solutions(page_of(notebook))
    assert page.exercises == page.solutions == len(exercises_of(notebook))
    source = page_of(notebook).read_text()
    assert source.count('class="solution dropdown admonition"') == page.solutions


@pytest.mark.parametrize("notebook", toc_notebooks())
def test_student_edition_keeps_exercises_and_shows_no_solution_text(student_site, notebook):
    full = split_solutions(page_of(notebook))
    student_page = student_site / notebook.replace(".ipynb", ".html")
    student = split_solutions(student_page)
    assert student.solutions == 0 and student.exercises == full.exercises > 0
    # Every line of solution text that the page does not also show outside a solution.
    secret = text_lines(full.inside) - text_lines(full.outside)
    assert len(secret) >= 3, "the solution text was found"
    # Whole lines: a solution line may be a prefix of a different line of the page
    # ("import expm" of "import expm_frechet").
    html = student_page.read_text()
    visible = text_lines(student.outside) | text_lines([html])
    leaked = sorted(secret & visible)
    assert not leaked, f"solution text in the student edition: {leaked[:5]}"


def test_student_edition_hands_out_no_notebook_or_page_source(student_site):
    assert not (student_site / "_sources").exists()
    assert not list(student_site.rglob("*.ipynb"))
    for page in site_pages(student_site):
        links = parse_site_page(page).links
        assert not [url for url in links if ".ipynb" in url or "mybinder.org" in url], page
