"""Finding one's way: parts, chapter numbers that match the prose, one search box.

A chapter's number is the number its file name starts with (book/_ext/chapter_numbers.py),
so "chapter 3" in the prose is book/03_*.ipynb. These tests check the table of contents,
every "chapter N" / "ch. N" / "exercise N.M" of the pages against it, and the numbers the
built site shows in its sidebar and titles.
"""

import json
import re
from html.parser import HTMLParser

import pytest
import yaml
from test_book import ROOT, exercises_of, site_pages, toc_files

TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
FILE_NUMBER = re.compile(r"(?:^|/)0*(\d+)_[^/]+$")


def file_number(entry):
    match = FILE_NUMBER.search(entry)
    return int(match[1]) if match else None


def numbered_chapters():
    """{number: toc entry} of the chapters in the numbered parts, in toc order."""
    return {
        file_number(chapter["file"]): chapter["file"]
        for part in TOC["parts"]
        if part.get("numbered")
        for chapter in part["chapters"]
    }


def chapter_titles():
    titles = {}
    for number, entry in numbered_chapters().items():
        cells = json.loads((ROOT / f"{entry}.ipynb").read_text())["cells"]
        first = "".join(next(c for c in cells if c["cell_type"] == "markdown")["source"])
        titles[number] = first.splitlines()[0].removeprefix("# ")
    return titles


# --- the table of contents -----------------------------------------------------------------


def test_toc_has_captioned_parts_numbered_chapters_and_unnumbered_front_and_back_matter():
    parts = TOC["parts"]
    assert "chapters" not in TOC, "every page belongs to a part"
    assert all(part.get("caption") for part in parts), "a part without a caption"
    numbered = [part for part in parts if part.get("numbered")]
    assert len(numbered) >= 4
    # Front and back matter: the parts before the first and after the last numbered part.
    first, last = parts.index(numbered[0]), parts.index(numbered[-1])
    assert parts[first : last + 1] == numbered, "an unnumbered part between numbered ones"
    assert first >= 1 and last < len(parts) - 1, "no front or no back matter"
    for part in parts:
        for chapter in part["chapters"]:
            is_chapter = file_number(chapter["file"]) is not None
            assert is_chapter == bool(part.get("numbered")), (
                f"{chapter['file']}: a chapter file belongs in a numbered part, any other page"
                " in the front or back matter"
            )
            assert "sections" not in chapter, "sub-pages would need numbers of their own"


def test_chapter_numbers_rise_in_reading_order_and_are_unique():
    numbers = [
        file_number(chapter["file"])
        for part in TOC["parts"]
        if part.get("numbered")
        for chapter in part["chapters"]
    ]
    assert numbers == sorted(set(numbers)), numbers
    assert numbers[0] == 1


# --- the prose against the table of contents ----------------------------------------------

CHAPTER_WORD = re.compile(r"\b(?:[Cc]hapters?|[Cc]h\.)\s+(?=\d)")
NUMBER = re.compile(r"(\d+)(?!\.\d)(?:'s)?(\s*\(([^)]*)\))?")
JOINER = re.compile(r"\s*(,\s*(?:and\s+|then\s+|or\s+)?|\s+(?:and|or|to|then)\s+|\s*[-–]\s*)")
EXERCISE = re.compile(r"\b[Ee]xercises?\s+(\d+)\.(\d+)")


def prose_pages():
    """(name, text) of every page a reader sees: the toc's pages (all cells) and the README."""
    pages = [("README.md", (ROOT / "README.md").read_text())]
    for entry in toc_files():
        notebook, markdown = ROOT / f"{entry}.ipynb", ROOT / f"{entry}.md"
        if notebook.exists():
            cells = json.loads(notebook.read_text())["cells"]
            pages.append((entry, "\n".join("".join(c["source"]) for c in cells)))
        else:
            pages.append((entry, markdown.read_text()))
    return pages


def chapter_citations(text):
    """Every chapter number cited in `text`: [(number, its parenthetical or None, joiner)].

    Reads runs such as "chapter 3", "ch. 13", "chapters 1 to 6, then 13 (sparse
    Jacobians) and 14 (differentiating simulations)"; the joiner is the word before the
    number ("to" ends a range)."""
    found = []
    for start in CHAPTER_WORD.finditer(text):
        at, joiner = start.end(), ""
        while match := NUMBER.match(text, at):
            words = re.findall(r"[a-z]+|[-–]", joiner)
            found.append((int(match[1]), match[3], words[-1] if words else ""))
            at = match.end()
            more = JOINER.match(text, at)
            if not more or not NUMBER.match(text, more.end()):
                break
            joiner, at = more[1], more.end()
    return found


def test_the_citation_reader_reads_runs_ranges_and_parentheses():
    text = (
        "chapter 3's model; ch. 13; chapters 1 to 6, then 13 (sparse Jacobians) and 14;"
        " chapters 1, 3, 6 and 7, then 8 to 10 (a, b) and 12; chapter 5, where"
        " 7 is no chapter; section 8.1 of chapter 2.5"
    )
    assert chapter_citations(text) == [
        (3, None, ""),
        (13, None, ""),
        (1, None, ""),
        (6, None, "to"),
        (13, "sparse Jacobians", "then"),
        (14, None, "and"),
        (1, None, ""),
        (3, None, ""),
        (6, None, ""),
        (7, None, "and"),
        (8, None, "then"),
        (10, "a, b", "to"),
        (12, None, "and"),
        (5, None, ""),
    ]


@pytest.mark.parametrize("name, text", prose_pages(), ids=[name for name, _ in prose_pages()])
def test_every_chapter_the_prose_cites_is_that_chapter_of_the_toc(name, text):
    chapters, titles = numbered_chapters(), chapter_titles()
    for number, aside, joiner in chapter_citations(text):
        assert number in chapters, f"{name} cites chapter {number}, which the toc does not have"
        if aside and joiner not in ("to", "-", "–"):
            # "13 (sparse Jacobians)": the words in parentheses are from chapter 13's title.
            named = " ".join(re.split(r"[:;,]", aside)[0].split()).lower()
            assert named in titles[number].lower(), (
                f"{name}: chapter {number} is {titles[number]!r}, not {aside!r}"
            )
    for chapter, index in EXERCISE.findall(text):
        chapter, index = int(chapter), int(index)
        assert chapter in chapters, f"{name} cites exercise {chapter}.{index}: no such chapter"
        count = len(exercises_of(f"{chapters[chapter]}.ipynb"))
        assert 1 <= index <= count, f"{name}: chapter {chapter} has {count} exercises, not {index}"


# --- the built site ----------------------------------------------------------------------


class NavigationParser(HTMLParser):
    """The sidebar's links with their text, the page's h1 number, and its search controls."""

    def __init__(self):
        super().__init__()
        self.sidebar, self.h1_number, self.search_fields = [], None, 0
        self._nav = self._link = self._h1 = self._number = 0
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        self._nav += tag == "nav" and "bd-docs-nav" in classes
        if self._nav and tag == "a":
            self._link, self._text = attrs.get("href"), ""
        self._h1 += tag == "h1"
        self._number = self._h1 and tag == "span" and "section-number" in classes
        self.search_fields += "search-button-field" in classes

    def handle_endtag(self, tag):
        if tag == "nav" and self._nav:
            self._nav -= 1
        if tag == "a" and self._link:
            self.sidebar.append((self._link, " ".join(self._text.split())))
            self._link = None
        if tag == "h1" and self._h1:
            self._h1 -= 1

    def handle_data(self, data):
        if self._link:
            self._text += data
        if self._number and self.h1_number is None:
            self.h1_number = data.strip()


def navigation(path):
    parser = NavigationParser()
    parser.feed(path.read_text())
    return parser


def test_sidebar_numbers_every_chapter_by_its_file_and_nothing_else(built_site):
    html, _ = built_site
    chapters, titles = numbered_chapters(), chapter_titles()
    sidebar = navigation(html / "book" / "intro.html").sidebar
    assert len(sidebar) == len(toc_files())
    shown = {}
    for href, text in sidebar:
        number = file_number(href.removesuffix(".html"))
        prefix = re.match(r"(\d+)\. ", text)
        assert bool(prefix) == (number is not None), f"sidebar entry {text!r} ({href})"
        if prefix:
            shown[int(prefix[1])] = text[prefix.end() :]
            assert int(prefix[1]) == number, f"{href} is numbered {prefix[1]} in the sidebar"
    assert shown == titles, "the sidebar's chapters are not those of the numbered parts"
    assert list(shown) == list(chapters)


def test_every_chapter_title_carries_its_number_and_no_other_page_one(built_site):
    html, _ = built_site
    chapters = set(numbered_chapters().values())
    for entry in toc_files():
        number = navigation(html / f"{entry}.html").h1_number
        if entry in chapters:
            assert number == f"{file_number(entry)}.", f"{entry}: title numbered {number!r}"
        else:
            assert number is None, f"{entry} is numbered {number!r}"


def test_every_page_has_one_search_box(built_site):
    html, _ = built_site
    pages = site_pages(html)
    assert len(pages) >= len(toc_files())
    for page in pages:
        parsed = navigation(page)
        if page.name == "index.html" and page.parent == html:
            continue  # the redirect to book/intro.html
        # The sidebar's field (the header bar's were a second, and a third for narrow
        # screens, which show the page's top-bar icon instead).
        assert parsed.search_fields == 1, f"{page.relative_to(html)}: {parsed.search_fields}"
