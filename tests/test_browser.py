"""The built site in a real browser: Playwright driving Debian's chromium.

`make test` installs chromium when it is missing. The pages are served from the real
build on a free localhost port, and the browser is shared by every browser test module
(both fixtures are in tests/conftest.py). `make screenshots` runs these tests
with BOOK_SCREENSHOTS=1, which also saves a light and a dark full-page screenshot of every
page to _build/screenshots/ (left out of `make test`: they take a third of its browser time).
"""

import io
import os
import re

import pytest
from test_book import HTML, ROOT, toc_files

SCREENSHOTS = ROOT / "_build" / "screenshots"
SHOT = {"full_page": True, "type": "jpeg", "quality": 70}


def screenshot(page, name):
    if os.environ.get("BOOK_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.jpg", **SHOT)


def open_page(browser, url, requests=None):
    """Open `url`; return the page, its response, and the lists of problems it reports.

    `requests`: a list to which the address of every request the page makes is appended."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors, failed = [], []
    if requests is not None:
        page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    page.on(
        "response", lambda r: failed.append(f"{r.url} ({r.status})") if r.status >= 400 else None
    )
    response = page.goto(url, wait_until="load")
    return page, response, errors, failed


IMAGES = """() => Array.from(document.querySelectorAll('article img')).map(img => ({
    src: img.getAttribute('src'), alt: img.getAttribute('alt') || '',
    loaded: img.complete && img.naturalWidth > 0,
    width: img.getBoundingClientRect().width, height: img.getBoundingClientRect().height,
    opacity: Number(getComputedStyle(img).opacity),
    visibility: getComputedStyle(img).visibility}))"""


def image_brightness(page, index):
    """Mean brightness (0 to 255) of the on-screen pixels of the index-th article image."""
    from PIL import Image, ImageStat

    png = page.locator("article img").nth(index).screenshot()
    return ImageStat.Stat(Image.open(io.BytesIO(png)).convert("L")).mean[0]


def check_page_in_light_and_dark(site_url, browser, entry):
    """Load one page of the site; check it in light mode, then in dark mode."""
    page, response, errors, failed = open_page(browser, f"{site_url}/{entry}.html")
    try:
        assert response.status == 200
        # Math: MathJax (served by the site) turned every formula into rendered elements.
        source = (HTML / (entry + ".html")).read_text()
        if 'class="math' in source:
            page.wait_for_selector("mjx-container", state="attached", timeout=20_000)
            page.wait_for_function("() => !document.querySelector('.MathJax_Processing')")
            assert page.locator("mjx-container").count() >= source.count('class="math')
        text = page.evaluate("() => document.querySelector('article').innerText")
        for raw in ("$$", "\\(", "\\begin"):
            assert raw not in text, f"raw {raw!r} left in the visible text"
        # Solutions start closed; a click on each opens it and shows its figures.
        closed = page.locator(".solution button.toggle-button")
        assert closed.count() == source.count('class="solution dropdown admonition"')
        for index in range(closed.count()):
            closed.nth(index).click()
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('article img'))"
            ".every(img => getComputedStyle(img).visibility === 'visible')"
        )
        # Figures: loaded, described, and visible in both modes.
        images = page.evaluate(IMAGES)
        for image in images:
            assert image["loaded"], f"{image['src']} did not load"
            assert image["alt"].strip() and not re.search(r"[\\/]|\.(svg|png)$", image["alt"])
        name = entry.replace("/", "_")
        screenshot(page, f"{name}-light")
        page.evaluate(
            "() => { const root = document.documentElement;"
            " root.dataset.mode = 'dark'; root.dataset.theme = 'dark'; }"
        )
        background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert background != "rgb(255, 255, 255)", "the page did not switch to dark mode"
        for index, image in enumerate(page.evaluate(IMAGES)):
            assert image["width"] > 100 and image["height"] > 50, image
            assert image["opacity"] > 0.9 and image["visibility"] == "visible", image
            if image["src"].endswith(".svg"):  # a figure: its white background must show
                assert image_brightness(page, index) > 150, f"{image['src']} is too dark"
        screenshot(page, f"{name}-dark")
        assert not errors, f"console errors: {errors}"
        assert not failed, f"failed requests: {failed}"
    finally:
        page.close()


def search_page_finds_central_difference(site_url, browser):
    page, response, errors, failed = open_page(
        browser, f"{site_url}/search.html?q=central+difference"
    )
    try:
        assert response.status == 200
        page.wait_for_selector("ul.search li a", timeout=20_000)
        hits = page.eval_on_selector_all("ul.search li a", "links => links.map(a => a.href)")
        assert any("book/02_taylor_formulas.html" in hit for hit in hits[:3]), hits[:5]
        assert not errors and not failed, (errors, failed)
    finally:
        page.close()


# xdist's loadscope sends each class to one worker: two classes, two workers at a time.
PAGES = toc_files()


class TestFirstHalfOfThePages:
    @pytest.mark.parametrize("entry", PAGES[: len(PAGES) // 2])
    def test_page_in_a_browser_light_and_dark(self, site_url, browser, entry):
        check_page_in_light_and_dark(site_url, browser, entry)


class TestSecondHalfOfThePages:
    @pytest.mark.parametrize("entry", PAGES[len(PAGES) // 2 :])
    def test_page_in_a_browser_light_and_dark(self, site_url, browser, entry):
        check_page_in_light_and_dark(site_url, browser, entry)

    def test_search_page_finds_central_difference_in_its_chapter(self, site_url, browser):
        search_page_finds_central_difference(site_url, browser)
