"""The explorable figures in the built site: moved from the keyboard, offline, Plotly only
where it is needed, and the static figure for readers without JavaScript and in print.

Each figure (src/explorable, drawn by its chapter's code) sits beside the static figure it
extends. The browser runs Debian's chromium, as in tests/test_browser.py; the site is the
real build of this test run (both fixtures are in tests/conftest.py).
"""

import re
from importlib.resources import files
from urllib.parse import urlparse

import pytest
from test_book import HTML, parse_site_page, site_pages, toc_files
from test_browser import open_page

# page: (the explorable figure's id, the id of the static figure it extends)
FIGURES = {
    "book/01_forward_differences": ("secant-to-tangent", "fig-cube-derivative"),
    "book/03_roundoff_truncation": ("noise-moves-the-best-step", "fig-model-against-measurement"),
    "book/05_noisy_data": ("noisy-derivative-stride", "fig-noisy-estimates"),
    "book/13_sparse_jacobians": ("columns-color-by-color", "fig-sparse-colorings"),
}
PLOTLY = "_static/plotly.min.js"
MARKER = '<div class="explorable"'
LIMIT = 300_000  # bytes of figure data in a page

# Every trace's data as text (typed arrays as lists): changes when any curve moves.
TRACES = """id => Array.from(document.getElementById(id + '-plot').data, trace =>
    JSON.stringify([trace.x, trace.y, trace.z],
                   (key, v) => ArrayBuffer.isView(v) ? Array.from(v) : v))"""
DRAWN = "id => (document.getElementById(id + '-plot').data || []).length > 0"


def explorable_markup(source, name):
    """The figure's markup in the page: its div, from the marker to the script's end."""
    found = re.search(
        rf'<div class="explorable" id="{name}" hidden>.*?</script>\n</div>', source, re.S
    )
    assert found, f"no explorable figure {name!r} in the page"
    return found.group(0)


def open_recording(browser, url):
    """Open `url` as tests/test_browser.py does, recording every request made."""
    requests = []
    page, _, errors, failed = open_page(browser, url, requests)
    return page, requests, errors, failed


def test_the_four_chapters_and_only_they_have_an_explorable_figure(built_site):
    html, _ = built_site
    assert set(FIGURES) <= set(toc_files())
    with_figure = {
        page.relative_to(html).with_suffix("").as_posix()
        for page in site_pages(html)
        if MARKER in page.read_text()
    }
    assert with_figure == set(FIGURES)


def test_plotly_is_served_by_the_site_and_loaded_only_by_pages_with_a_figure(built_site):
    html, _ = built_site
    wheel = (files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    assert (html / PLOTLY).read_bytes() == wheel  # the pinned wheel's, one file for the site
    for page in site_pages(html):
        loads = [url.split("?")[0] for url in parse_site_page(page).loads]
        depth = len(page.relative_to(html).parts) - 1
        wants = MARKER in page.read_text()
        assert (("../" * depth + PLOTLY) in loads) == wants, page.relative_to(html)


@pytest.mark.parametrize("entry", FIGURES)
def test_each_figure_carries_under_300_kb_of_data_with_fixed_ids(built_site, entry):
    name, _ = FIGURES[entry]
    source = (HTML / (entry + ".html")).read_text()
    markup = explorable_markup(source, name)
    assert len(markup.encode()) < LIMIT, f"{entry}: {len(markup.encode()):,} bytes"
    ids = set(re.findall(r'\bid="([^"]+)"', markup))
    assert ids == {name} | {
        f"{name}-{part}" for part in ("caption", "slider", "value", "plot", "figure")
    }
    assert source.count(MARKER) == 1


@pytest.mark.parametrize("entry", FIGURES)
def test_keyboard_moves_the_slider_the_value_text_and_the_curves(site_url, browser, entry):
    name, static = FIGURES[entry]
    page, requests, errors, failed = open_recording(browser, f"{site_url}/{entry}.html")
    try:
        page.wait_for_function(DRAWN, arg=name, timeout=20_000)
        slider, value = page.locator(f"#{name}-slider"), page.locator(f"#{name}-value")
        label = page.locator(f"label[for='{name}-slider']")
        assert label.is_visible() and label.inner_text().strip()
        assert value.is_visible() and slider.is_visible()
        assert slider.evaluate("s => s.tabIndex === 0 && !s.disabled && s.labels.length === 1")
        # beside the static figure it extends, which stays, with its alt text
        assert page.evaluate(
            """([name, static]) => {
                const box = document.getElementById(name);
                const figure = document.getElementById(static);
                return figure.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING;
            }""",
            [name, static],
        )
        assert page.locator(f"#{static} img").get_attribute("alt")

        text, valuetext = value.inner_text(), slider.get_attribute("aria-valuetext")
        traces = page.evaluate(TRACES, name)
        slider.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "([id, text]) => document.getElementById(id + '-value').textContent !== text",
            arg=[name, text],
        )
        assert slider.input_value() == "1"
        assert value.inner_text() != text and slider.get_attribute("aria-valuetext") != valuetext
        assert slider.get_attribute("aria-valuetext") in value.inner_text()
        page.wait_for_function(
            f"([id, before]) => ({TRACES})(id).some((trace, i) => trace !== before[i])",
            arg=[name, traces],
        )
        page.keyboard.press("End")  # to the last position, and its text
        page.wait_for_function(
            "id => document.getElementById(id + '-value').textContent"
            " === JSON.parse(document.getElementById(id + '-figure').textContent).texts.at(-1)",
            arg=name,
        )

        hosts = {urlparse(url).netloc for url in requests if not url.startswith("data:")}
        assert hosts == {urlparse(site_url).netloc}, f"requests to other hosts: {hosts}"
        assert sum(url.split("?")[0].endswith(PLOTLY) for url in requests) == 1
        assert not errors, f"console errors: {errors}"
        assert not failed, f"failed requests: {failed}"
    finally:
        page.close()


def test_a_page_without_a_figure_does_not_request_plotly(site_url, browser):
    page, requests, errors, failed = open_recording(
        browser, f"{site_url}/book/02_taylor_formulas.html"
    )
    try:
        assert requests and not any("plotly" in url for url in requests)
        assert not errors and not failed, (errors, failed)
    finally:
        page.close()


def contrast(page, selector):
    """WCAG contrast ratio of an element's text against the background it is drawn on
    (the first one not transparent among it and its parents)."""
    return page.evaluate(
        """selector => {
            const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
            const lum = c => {
                const [r, g, b] = rgb(c).map(v => v / 255).map(v =>
                    v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
                return 0.2126 * r + 0.7152 * g + 0.0722 * b;
            };
            let element = document.querySelector(selector);
            const text = lum(getComputedStyle(element).color);
            while (getComputedStyle(element).backgroundColor.match(/[\\d.]+/g)[3] === "0") {
                element = element.parentElement;
            }
            const back = lum(getComputedStyle(element).backgroundColor);
            return (Math.max(text, back) + 0.05) / (Math.min(text, back) + 0.05);
        }""",
        selector,
    )


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_label_and_value_are_legible_and_the_plot_white_in_both_modes(site_url, browser, mode):
    entry, (name, _) = next(iter(FIGURES.items()))
    page, _, errors, _ = open_page(browser, f"{site_url}/{entry}.html")
    try:
        page.wait_for_function(DRAWN, arg=name, timeout=20_000)
        page.evaluate(
            "mode => { document.documentElement.dataset.mode = mode;"
            " document.documentElement.dataset.theme = mode; }",
            mode,
        )
        for selector in (f"label[for='{name}-slider']", f"#{name}-value", f"#{name}-caption"):
            assert contrast(page, selector) >= 4.5, (mode, selector)
        background = page.evaluate(
            "id => getComputedStyle(document.querySelector('#' + id + '-plot .main-svg'))"
            ".backgroundColor",
            name,
        )
        assert background in ("rgb(255, 255, 255)", "rgba(255, 255, 255, 1)"), background
        assert not errors
    finally:
        page.close()


def test_without_javascript_and_in_print_the_static_figure_stands_alone(site_url, browser):
    entry, (name, static) = next(iter(FIGURES.items()))
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{site_url}/{entry}.html", wait_until="load")
        assert not page.locator(f"#{name}").is_visible()
        assert page.locator(f"#{static} img").is_visible()
    finally:
        context.close()
    page, _, _, _ = open_page(browser, f"{site_url}/{entry}.html")
    try:
        page.wait_for_function(DRAWN, arg=name, timeout=20_000)
        assert page.locator(f"#{name}").is_visible()
        page.emulate_media(media="print")
        assert not page.locator(f"#{name}").is_visible()
        cell = page.locator(f".cell:has(#{name})")
        assert cell.count() == 1 and not cell.is_visible()  # its folded code too
        assert page.locator(f"#{static} img").is_visible()
    finally:
        page.close()
