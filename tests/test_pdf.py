"""The book as a PDF (`make pdf`) and the student edition's (`make pdf-student`).

Both are printed once per test run, after the real build and the student edition
(tests/conftest.py), by tools/pdf_book.py as the make targets run it. Their text and fonts
are read with poppler-utils' pdftotext and pdffonts, which `make test` installs.
"""

import json
import re
import subprocess
import sys

import pytest
from conftest import BUILD, once_per_run, run_id
from test_book import (
    ROOT,
    build_failure,
    build_flags,
    page_of,
    split_solutions,
    text_lines,
    toc_notebooks,
)

PDF = BUILD / "pdf" / "numerical-differentiation.pdf"
STUDENT_PDF = BUILD / "pdf" / "numerical-differentiation-student.pdf"


def print_book(*options):
    result = subprocess.run(
        [sys.executable, ROOT / "tools" / "pdf_book.py", *options, *build_flags()],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, build_failure(result)
    assert "Executing notebook" not in result.stdout, "the PDF's build ran notebooks"


@pytest.fixture(scope="session")
def printed(built_site, request):
    once_per_run("pdf", run_id(request.config), print_book)
    return PDF


@pytest.fixture(scope="session")
def printed_student(student_site, request):
    once_per_run("pdf-student", run_id(request.config), lambda: print_book("--student"))
    return STUDENT_PDF


def pdf_text(path):
    """The PDF's text, its runs of white space made one space (lines wrap differently)."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


def chapter_titles():
    titles = []
    for notebook in toc_notebooks():
        cells = json.loads((ROOT / notebook).read_text())["cells"]
        first = "".join(next(c for c in cells if c["cell_type"] == "markdown")["source"])
        titles.append(first.splitlines()[0].removeprefix("# "))
    return titles


def test_pdf_holds_every_chapter_with_rendered_math_and_numbered_pages(printed):
    text = pdf_text(printed)
    for title in chapter_titles():
        assert title in text, f"chapter {title!r} is not in the PDF"
    for raw in ("\\frac", "$$", "\\("):
        assert raw not in text, f"raw TeX {raw!r} in the PDF: MathJax had not finished"
    pages = int(re.search(r"^Pages:\s+(\d+)", pdf_info(printed), re.MULTILINE)[1])
    assert pages > 50
    # The footer: "n / pages" on every page.
    assert all(f"{n} / {pages}" in text for n in (1, pages // 2, pages))


def pdf_info(path):
    return subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout


def test_pdf_embeds_its_fonts_has_an_outline_and_is_tagged(printed):
    fonts = subprocess.run(
        ["pdffonts", printed], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts, "no fonts listed"
    # Columns: name, type, encoding, emb, sub, uni, object, id; "emb" is the 4th from the end.
    not_embedded = [line for line in fonts if line.split()[-5] != "yes"]
    assert not not_embedded, not_embedded
    info = pdf_info(printed)
    assert re.search(r"^Tagged:\s+yes", info, re.MULTILINE), info
    titles = outline_titles(printed)
    numbered = [f"{n}. {title}" for n, title in enumerate(chapter_titles(), start=1)]
    for title in numbered:
        assert titles.count(title) == 1, f"chapter {title!r} is not once in the outline"
    # As the headings read: math as its TeX, no title painted twice or run together.
    assert "The step must grow with |x|" in titles
    doubled = [t for t in titles if len(t) % 2 == 0 and t[: len(t) // 2] == t[len(t) // 2 :]]
    assert not doubled, doubled
    assert not [t for t in titles if "functionvalues" in t or t.startswith("2. 2.")], titles


def outline_titles(path):
    """The outline's titles in document order (tools/pdf_book.py reads them as it fixes them)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import pdf_book

    data = path.read_bytes()
    return [pdf_book.pdf_string(m.group(2)) for m in pdf_book.outline_in_order(data)]


def test_every_object_is_where_the_cross_reference_table_says(printed):
    # fix_outline rewrites titles and moves the objects after them: a reader that trusts
    # the table (not poppler, which rebuilds a broken one quietly) must find each object.
    data = printed.read_bytes()
    table = data.rindex(b"\nxref\n") + 1
    header = re.match(rb"xref\n0 (\d+)\n", data[table:])
    entries = data[table + header.end() :]
    count = int(header.group(1))
    assert count > 1000
    for n in range(count):
        offset, _, kind = entries[20 * n : 20 * n + 18].split()
        assert kind == b"f" or data.startswith(b"%d 0 obj" % n, int(offset)), n
    assert int(re.search(rb"startxref\n(\d+)", data[table:]).group(1)) == table


def test_the_site_links_the_pdf_that_make_pdf_put_beside_it(printed, built_site):
    html, _ = built_site
    assert (html / printed.name).read_bytes() == printed.read_bytes()
    intro = (html / "book" / "intro.html").read_text()
    assert f'href="../{printed.name}"' in intro


def pdf_lines(path):
    """The PDF's lines of text, as pdftotext lays them out, stripped."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True, check=True
    ).stdout
    return {line.strip() for line in text.splitlines()}


def test_student_pdf_keeps_the_exercises_and_holds_no_solution_text(printed, printed_student):
    student = pdf_text(printed_student)
    for title in chapter_titles():
        assert title in student, f"chapter {title!r} is not in the student PDF"
    assert "Exercise 1.1" in student
    # Lines of the pages' solution text that no page shows outside a solution (the PDF
    # holds every chapter: a line may be a solution in one and text in another), of three
    # words or more (a shorter one can be the end of a wrapped paragraph).
    inside, outside = set(), set()
    for notebook in toc_notebooks():
        page = split_solutions(page_of(notebook))
        inside |= text_lines(page.inside)
        outside |= text_lines(page.outside)
    secret = {line for line in inside - outside if len(line.split()) >= 3}
    # Whole lines: code and short lines keep theirs in the PDF; wrapped prose does not.
    in_full = secret & pdf_lines(printed)
    assert len(in_full) >= 200, f"only {len(in_full)} solution lines found in the full PDF"
    leaked = sorted(secret & pdf_lines(printed_student))
    assert not leaked, f"solution text in the student PDF: {leaked[:5]}"


def test_student_site_links_the_student_pdf(printed_student, student_site):
    assert (student_site / printed_student.name).exists()
    intro = (student_site / "book" / "intro.html").read_text()
    assert f'href="../{printed_student.name}"' in intro
    assert "numerical-differentiation.pdf" not in intro
