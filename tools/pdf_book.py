"""Print the book to one PDF: a single-page HTML build printed by Debian's chromium.

Run by `make pdf` (the full book, solutions included) and `make pdf-student` (the student
edition, from the configuration `make book-student` writes), as
`python tools/pdf_book.py [--student] [FLAGS...]`, FLAGS passed on to `jupyter-book build`.

1. `jupyter-book build --builder singlehtml` puts every page of the table of contents
   into one HTML file. It takes the notebooks' outputs from the jupyter cache of the last
   `make book` and reads the pages from that build's doctrees (so after `make book` no
   notebook runs, and little is read again).
2. Playwright opens that file in Debian's chromium (served on a localhost port), waits
   until MathJax has typeset every formula and the fonts are loaded, and prints it with
   Chromium's print stylesheet of the theme: A4, page numbers in the footer, a clickable
   outline of the chapters and sections (Playwright's `outline=True`, from the headings)
   and a tagged PDF. Figures are SVG in the page, so they stay vectors; fonts are
   embedded.

3. Chromium names each outline entry after the text it painted for the heading, and that
   text is wrong in three ways: a heading that its `break-after: avoid` pushed to the next
   page is painted twice ("A test functionA test function"), the lines of a wrapped heading
   run together ("from functionvalues"), and math is left out ("The step must grow
   with "). `fix_outline` gives each entry its heading's own title from the HTML (math as
   its TeX source), rewriting those title strings and the file's cross-reference table.

The PDF is written to _build/pdf/numerical-differentiation.pdf (or
...-student.pdf), and copied into the site's folder (_build/html, or the student
edition's), where the link on the book's first page points.
"""

import bisect
import functools
import html.parser
import http.server
import itertools
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import student_site  # noqa: E402  (tools/student_site.py: the student edition's config)

CHROMIUM = "/usr/bin/chromium"
NAME = "numerical-differentiation"
FOOTER = (
    '<div style="width: 100%; font-size: 9px; color: #444; text-align: center;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


# Shadows and filters would be printed as images (several hundred, most of the file's
# size); the sidebars and buttons are already hidden by the theme's print stylesheet.
PRINT_CSS = """
* { box-shadow: none !important; text-shadow: none !important; filter: none !important; }
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def build_single_page(flags, student):
    """Run the singlehtml build; return the folder it wrote and the site's folder."""
    command = [Path(sys.executable).parent / "jupyter-book", "build", ROOT]
    if student:
        config = student_site.OUTPUT / "_config.yml"
        if not config.exists():
            raise SystemExit("run `make book-student` first: it writes the student config")
        command += ["--config", config, "--path-output", student_site.OUTPUT]
        output, site = student_site.OUTPUT / "_build", student_site.HTML
    else:
        output, site = ROOT / "_build", ROOT / "_build" / "html"
    flags = [flag for flag in flags if flag != "--all"]  # reuse the pages' doctrees
    result = subprocess.run([*command, "--builder", "singlehtml", *flags], cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(result.returncode)
    return output / "singlehtml", site


def print_to_pdf(folder, path):
    """Print the single page that `folder` holds to `path`."""
    from playwright.sync_api import sync_playwright

    # Sphinx writes the page as book/intro.html (the root document) with links relative
    # to the folder itself (_static/..., _images/...): it is read from there.
    shutil.copyfile(folder / "book" / "intro.html", folder / "book.html")
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/book.html"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            page.goto(url, wait_until="load")
            page.wait_for_function("() => window.MathJax && MathJax.startup", timeout=60_000)
            page.evaluate("() => MathJax.startup.promise")  # every formula typeset
            page.evaluate("() => document.fonts.ready.then(() => true)")
            page.emulate_media(media="print")
            page.add_style_tag(content=PRINT_CSS)
            page.pdf(
                path=path,
                format="A4",
                print_background=True,
                margin={"top": "18mm", "bottom": "18mm", "left": "15mm", "right": "15mm"},
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER,
                outline=True,
                tagged=True,
            )
            browser.close()
    finally:
        server.shutdown()
        server.server_close()


class HeadingTitles(html.parser.HTMLParser):
    r"""Every h1-h6 of a page, in order, as (title, words): the title is its text without
    the "#" link and with math as its TeX source (`\(|x|\)` becomes `|x|`); the words
    leave the math out, as Chromium's painted text does."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings, self.parts, self.inside, self.in_link = [], [], False, False

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.inside, self.parts = True, []
        elif self.inside and tag == "a" and "headerlink" in (dict(attrs).get("class") or ""):
            self.in_link = True

    def handle_endtag(self, tag):
        if tag == "a":
            self.in_link = False
        elif re.fullmatch(r"h[1-6]", tag) and self.inside:
            self.inside = False
            text = "".join(self.parts)
            title = re.sub(r"\\\((.*?)\\\)", r"\1", text, flags=re.DOTALL)
            words = re.sub(r"\\\(.*?\\\)", "", text, flags=re.DOTALL)
            self.headings.append((" ".join(title.split()), squashed(words)))

    def handle_data(self, data):
        if self.inside and not self.in_link:
            self.parts.append(data)


def squashed(text):
    return "".join(text.split())


def painted_as(painted, words):
    """Whether Chromium's `painted` text can be a heading's `words` (both without white
    space): the same letters in order, some painted twice, math left out."""
    letters = iter(painted)
    return bool(words) and len(painted) <= 2 * len(words) + 4 and all(c in letters for c in words)


# An outline entry as Chromium (Skia) writes it: an uncompressed object, its title first.
ITEM = re.compile(
    rb"\n(\d+) 0 obj\n<</Title (\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f]*>)\n(.*?)>>\n", re.DOTALL
)


def pdf_string(token):
    """The text of a PDF string token: (literal), or <hex> in UTF-16 with its BOM."""
    if token.startswith(b"<"):
        raw = bytes.fromhex(token[1:-1].decode())
        return raw[2:].decode("utf-16-be") if raw[:2] == b"\xfe\xff" else raw.decode("latin-1")
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def unescape(match):
        code = match.group(1)
        return bytes([int(code, 8)]) if code[:1].isdigit() else escapes.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", unescape, token[1:-1], flags=re.DOTALL).decode("latin-1")


def outline_in_order(data):
    """The outline entries' title matches, in document order (the tree walked depth first)."""
    items = {int(m.group(1)): m for m in ITEM.finditer(data)}

    def ref(match, key):
        found = re.search(rb"/%s (\d+) 0 R" % key, match.group(3))
        return int(found.group(1)) if found else None

    root = re.search(rb"/Type /Outlines\n/First (\d+) 0 R", data)
    ordered, stack = [], [int(root.group(1))] if root else []
    while stack:
        number = stack.pop()
        if number not in items:
            raise SystemExit(f"outline entry {number} is not written as this tool reads it")
        item = items[number]
        ordered.append(item)
        for following in (ref(item, b"Next"), ref(item, b"First")):
            if following is not None:
                stack.append(following)
    return ordered


def fix_outline(pdf, headings):
    """Give the outline entries of `pdf` the titles of the `headings` they stand for.

    Entries and headings are both in document order; each entry takes the next heading
    whose words its painted text can be (`painted_as`), and keeps its own title when none
    of the next eight can. The title strings change length, so each offset in the
    cross-reference table after a change moves by as much. Returns the titles changed.
    """
    data = pdf.read_bytes()
    changes, next_heading = [], 0
    for match in outline_in_order(data):
        painted = pdf_string(match.group(2))
        letters = squashed(painted)
        for k in range(next_heading, min(next_heading + 8, len(headings))):
            title, words = headings[k]
            if painted_as(letters, words):
                next_heading = k + 1
                if painted != title:
                    text = ("\ufeff" + title).encode("utf-16-be").hex().upper()
                    changes.append((match.start(2), match.end(2), f"<{text}>".encode()))
                break
    changes.sort()
    xref = data.rindex(b"\nxref\n") + 1
    pieces, start = [], 0
    for begin, end, replacement in changes:
        pieces += [data[start:begin], replacement]
        start = end
    # shift[i]: how far an object after the i-th change (and before the next) has moved
    starts = [begin for begin, _, _ in changes]
    deltas = (len(replacement) - (end - begin) for begin, end, replacement in changes)
    shift = [0, *itertools.accumulate(deltas)]
    body = b"".join([*pieces, data[start:xref]])
    table = re.match(rb"xref\n0 (\d+)\n", data[xref:])
    if table is None:
        raise SystemExit("the PDF's cross-reference table is not one section from object 0")
    count, entries = int(table.group(1)), data[xref + table.end() :]
    rows = []
    for n in range(count):
        offset, generation, kind = entries[20 * n : 20 * n + 18].split()
        offset = int(offset)
        if kind == b"n":
            offset += shift[bisect.bisect_left(starts, offset)]
            if not body.startswith(b"%d 0 obj" % n, offset):
                raise SystemExit(f"fix_outline: object {n} is not where the new table says")
        rows.append(b"%010d %s %s \n" % (offset, generation, kind))
    trailer = re.sub(rb"startxref\n\d+", b"startxref\n%d" % len(body), entries[20 * count :])
    pdf.write_bytes(body + table.group(0) + b"".join(rows) + trailer)
    return len(changes)


def main(argv):
    student = "--student" in argv
    flags = [arg for arg in argv if arg != "--student"]
    started = time.perf_counter()
    folder, site = build_single_page(flags, student)
    built = time.perf_counter()
    pdf = ROOT / "_build" / "pdf" / f"{NAME}{'-student' if student else ''}.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    print_to_pdf(folder, pdf)
    parser = HeadingTitles()
    parser.feed((folder / "book" / "intro.html").read_text())
    fixed = fix_outline(pdf, parser.headings)
    if site.exists():
        shutil.copyfile(pdf, site / pdf.name)
    print(
        f"{pdf.relative_to(ROOT)}: {pdf.stat().st_size / 1e6:.1f} MB, {fixed} outline titles "
        f"set from the headings; single page built in "
        f"{built - started:.1f} s, printed in {time.perf_counter() - built:.1f} s",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
