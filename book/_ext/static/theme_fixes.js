// A code block or output too wide for the page scrolls; pydata-sphinx-theme makes it
// focusable (tabindex 0) so that a keyboard can scroll it (WCAG 2.1.1), but only when the
// page loads or the window is resized. A block inside a closed solution or a hidden code
// cell is not scrollable then, and stayed out of the keyboard's reach once opened. Here
// each such element is watched, and decided again whenever its size changes (as it does
// when its box opens). See book/_ext/theme_fixes.py.
document.addEventListener("DOMContentLoaded", () => {
  const scrollable = [
    "pre",
    ".nboutput > .output_area",
    ".cell_output > .output",
    ".jp-RenderedHTMLCommon",
    ".pst-scrollable-table-container",
  ].join(", ");
  const decide = (element) => {
    const scrolls =
      element.scrollWidth > element.clientWidth ||
      element.scrollHeight > element.clientHeight;
    element.tabIndex = scrolls ? 0 : -1;
  };
  const observer = new ResizeObserver((entries) => {
    entries.forEach((entry) => decide(entry.target));
  });
  document.querySelectorAll(scrollable).forEach((element) => observer.observe(element));
});
