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

The PDF is written to _build/pdf/numerical-differentiation.pdf (or
...-student.pdf), and copied into the site's folder (_build/html, or the student
edition's), where the link on the book's first page points.
"""

import functools
import http.server
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


def main(argv):
    student = "--student" in argv
    flags = [arg for arg in argv if arg != "--student"]
    started = time.perf_counter()
    folder, site = build_single_page(flags, student)
    built = time.perf_counter()
    pdf = ROOT / "_build" / "pdf" / f"{NAME}{'-student' if student else ''}.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    print_to_pdf(folder, pdf)
    if site.exists():
        shutil.copyfile(pdf, site / pdf.name)
    print(
        f"{pdf.relative_to(ROOT)}: {pdf.stat().st_size / 1e6:.1f} MB; single page built in "
        f"{built - started:.1f} s, printed in {time.perf_counter() - built:.1f} s",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
