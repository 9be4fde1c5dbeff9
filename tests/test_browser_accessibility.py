"""WCAG 2.1 level AA, as axe-core checks it, on every page of both sites, light and dark.

axe-core (bundled by axe-playwright-python, pinned in requirements.txt) runs in Debian's
chromium on every HTML page of the real build and of the student edition, with the rules
tagged wcag2a, wcag2aa, wcag21a and wcag21aa, plus label-content-name-mismatch (WCAG 2.5.3,
which axe 4.12 still marks experimental and leaves out unless asked). Each page is checked
with its solutions opened and its math rendered, once in light mode and once in dark mode;
any violation fails the test and is listed with the elements it concerns.

What axe cannot check (how the math reads aloud, whether alt text says what a figure
shows, whether a page makes sense in its reading order) is said on the instructors page.
"""

import functools

import pytest
from conftest import serve
from test_book import ROOT, build_book, site_pages

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "rules": {"label-content-name-mismatch": {"enabled": True}},
    "resultTypes": ["violations"],
}
# No transitions: a color measured halfway from light to dark is neither.
NO_TRANSITIONS = "*, *::before, *::after { transition: none !important; }"


@pytest.fixture(scope="session")
def sites(built_site, student_site):
    """{"site": url, "student": url}: both sites served for the session."""
    html, _ = built_site
    servers = {"site": serve(html), "student": serve(student_site)}
    yield {name: f"http://127.0.0.1:{s.server_address[1]}" for name, s in servers.items()}
    for server in servers.values():
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def axe_browser(browser):
    # The session's one browser (tests/conftest.py): a second sync_playwright in the same
    # worker would fail ("Sync API inside the asyncio loop") when xdist gives this module and
    # the other browser tests one worker.
    return browser


@functools.cache
def axe_script():
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


def violations(page):
    page.evaluate(axe_script())
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}x: {v['help']}): "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in result["violations"]
    ]


def check_page(browser, url):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        assert page.goto(url, wait_until="load").status == 200
        page.add_style_tag(content=NO_TRANSITIONS)
        if page.locator(".math").count():
            page.wait_for_function("() => window.MathJax && MathJax.startup", timeout=20_000)
            page.evaluate("() => MathJax.startup.promise")
        buttons = page.locator(".solution button.toggle-button")
        for index in range(buttons.count()):
            buttons.nth(index).click()
        # Opened, a code block wider than the page must become focusable, to be scrolled.
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('pre')).every(pre =>"
            " pre.scrollWidth <= pre.clientWidth || pre.tabIndex === 0)",
            timeout=10_000,
        )
        found = {"light": violations(page)}
        page.evaluate(
            "() => { const root = document.documentElement;"
            " root.dataset.mode = 'dark'; root.dataset.theme = 'dark'; }"
        )
        found["dark"] = violations(page)
        problems = [f"{mode}: {v}" for mode, listed in found.items() for v in listed]
        assert not problems, "WCAG 2.1 AA violations:\n" + "\n".join(problems)
    finally:
        page.close()


def pages_of(folder):
    """Every page of a site but the redirect at its root, as paths relative to it."""
    pages = [p.relative_to(folder).as_posix() for p in site_pages(folder)]
    return [p for p in pages if p != "index.html"]


# The pages of the real build as the source says they will be (the toc's, search, index),
# so that the tests can be listed before the build; the test checks the lists agree.
PAGES = ["search.html", "genindex.html"] + [
    f"{entry}.html" for entry in build_book.toc_files(ROOT)
]


def test_the_pages_checked_are_every_page_of_both_sites(built_site, student_site):
    html, _ = built_site
    assert sorted(pages_of(html)) == sorted(PAGES)
    assert sorted(pages_of(student_site)) == sorted(PAGES)


# xdist's loadscope sends each class to one worker: two classes, two workers at a time.
class TestTheSite:
    @pytest.mark.parametrize("page", PAGES)
    def test_page_passes_axe_wcag21_aa_light_and_dark(self, sites, axe_browser, page):
        check_page(axe_browser, f"{sites['site']}/{page}")


class TestTheStudentEdition:
    @pytest.mark.parametrize("page", PAGES)
    def test_page_passes_axe_wcag21_aa_light_and_dark(self, sites, axe_browser, page):
        check_page(axe_browser, f"{sites['student']}/{page}")
