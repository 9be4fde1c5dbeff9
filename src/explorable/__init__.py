"""explorable: the book's explorable figures, a Plotly figure redrawn as a slider moves.

A chapter computes its data with its own code (and ``diffops``) for every position of a
slider, and ``slider_figure`` turns them into one output that works:

- on the book's site, offline: the page carries the figure's JSON in a ``div`` with a
  fixed id, and ``book/_ext/explorable_figures.py`` serves ``plotly.min.js`` from the
  plotly wheel to the pages that have such a ``div``, and to no others;
- on Colab, which loads Plotly from its CDN (the only case where the output names
  another host);
- in JupyterLab and on Binder, where the plotly package's own renderer draws it with
  Plotly's slider.

The slider is a native ``<input type="range">``: focusable, moved by the arrow keys,
with a visible ``<label>`` and its value in text in an ``<output>``, which screen readers
announce. The output is hidden until the figure is drawn, so a reader without
JavaScript, the PDF and a screen reader keep the static figure beside it, with its caption
and alt text. Two runs give the same bytes: fixed ids, keys sorted, no time or random id.

It ships with ``diffops`` (the same ``pip install``) so that the chapters run on Colab,
where only the installed packages are there, as they run in the build.
"""

import html
import json
import re
import sys

import plotly.graph_objects as go
from plotly.io.json import to_json_plotly
from plotly.offline import get_plotlyjs_version

__all__ = ["ExplorableFigure", "slider_figure"]

# The colorblind palette of seaborn, the colors of the book's static figures.
COLORS = [
    "#0173b2",
    "#de8f05",
    "#029e73",
    "#d55e00",
    "#cc78bc",
    "#ca9161",
    "#fbafe4",
    "#949494",
    "#ece133",
    "#56b4e9",
]
_AXIS = {
    "showline": True,
    "linecolor": "#444444",
    "ticks": "outside",
    "tickcolor": "#444444",
    "showgrid": False,
    "zeroline": False,
    "automargin": True,
    "exponentformat": "power",
}
# The look of the static figures (white, axes with ticks, no grid), as a Plotly template:
# a chapter's own layout settings override it.
TEMPLATE = go.layout.Template(
    layout={
        "colorway": COLORS,
        "font": {"family": "Helvetica, Arial, sans-serif", "size": 13, "color": "#222222"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        # below the plots, which keep the page's width
        "legend": {"orientation": "h", "x": 0, "y": -0.3, "yanchor": "top"},
        "height": 520,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "dragmode": False,
        "hovermode": "closest",
    }
)
CONFIG = {"displayModeBar": False, "responsive": True, "scrollZoom": False}
NAME = re.compile(r"[a-z][a-z0-9-]*")

# Draws the figure once Plotly is there, then redraws it at each move of the slider.
# The same script for every figure; it finds its elements by the figure's id.
SCRIPT = """\
(function (id) {
  var box = document.getElementById(id);
  var spec = JSON.parse(document.getElementById(id + "-figure").textContent);
  var plot = document.getElementById(id + "-plot");
  var slider = document.getElementById(id + "-slider");
  var output = document.getElementById(id + "-value");
  function start() {
    box.hidden = false;
    var ready = Plotly.newPlot(plot, spec.data, spec.layout, spec.config)
      .then(function () { return Plotly.addFrames(plot, spec.frames); });
    slider.addEventListener("input", function () {
      var step = Number(slider.value);
      output.textContent = spec.texts[step];
      slider.setAttribute("aria-valuetext", spec.values[step]);
      ready.then(function () {
        return Plotly.animate(plot, [spec.frames[step].name], {
          mode: "immediate", frame: {duration: 0, redraw: true}, transition: {duration: 0}
        });
      });
    });
  }
  if (window.Plotly) { start(); return; }
  var loader = document.getElementById(id + "-plotly");
  if (loader) loader.addEventListener("load", start);
})(%s);"""


def _json(value):
    """Compact JSON with sorted keys, safe inside a <script> element."""
    text = json.dumps(json.loads(to_json_plotly(value)), sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class ExplorableFigure:
    """The output of `slider_figure`: shown by Jupyter, written into the book's page.

    ``spec`` holds what the browser draws (data, layout, frames, config and the slider's
    texts); ``html()`` is the page's markup. Displayed, it gives ``text/html`` (the site,
    Colab) and Plotly's own MIME type with a Plotly slider (JupyterLab), and a line of
    plain text.
    """

    def __init__(self, name, spec, *, label, caption, alt, start):
        self.name, self.spec, self.label = name, spec, label
        self.caption, self.alt, self.start = caption, alt, start

    def html(self, cdn=False):
        """The markup: caption, labelled slider, value, plot, its JSON and the script.

        `cdn`: also load Plotly from its CDN (on Colab, which has no copy of its own)."""
        name, spec, start = self.name, self.spec, self.start
        esc = html.escape
        loader = (
            f'<script id="{name}-plotly" src="https://cdn.plot.ly/plotly-'
            f'{get_plotlyjs_version()}.min.js"></script>\n'
            if cdn
            else ""
        )
        return (
            f"{loader}"
            f'<div class="explorable" id="{name}" hidden>\n'
            f'<p class="explorable-caption" id="{name}-caption">{esc(self.caption)}</p>\n'
            f'<div class="explorable-controls">\n'
            f'<label for="{name}-slider">{esc(self.label)}</label>\n'
            f'<input type="range" id="{name}-slider" min="0" '
            f'max="{len(spec["frames"]) - 1}" step="1" value="{start}" '
            f'aria-valuetext="{esc(spec["values"][start])}" '
            f'aria-describedby="{name}-caption">\n'
            f'<output for="{name}-slider" id="{name}-value">'
            f"{esc(spec['texts'][start])}</output>\n"
            f"</div>\n"
            f'<div class="explorable-plot" id="{name}-plot" role="img" '
            f'aria-label="{esc(self.alt)}"></div>\n'
            f'<script type="application/json" id="{name}-figure">{_json(spec)}</script>\n'
            f"<script>\n{SCRIPT % json.dumps(name)}\n</script>\n"
            f"</div>"
        )

    def lab_figure(self):
        """The figure with a Plotly slider over the same frames, for Plotly's own renderer."""
        spec = json.loads(_json(self.spec))
        steps = [
            {
                "label": value,
                "method": "animate",
                "args": [
                    [frame["name"]],
                    {"mode": "immediate", "frame": {"duration": 0, "redraw": True}},
                ],
            }
            for value, frame in zip(spec["values"], spec["frames"], strict=True)
        ]
        layout = dict(spec["layout"])
        layout["sliders"] = [
            {"active": self.start, "steps": steps, "currentvalue": {"prefix": self.label + ": "}}
        ]
        return {
            "data": spec["data"],
            "layout": layout,
            "frames": spec["frames"],
            "config": spec["config"],
        }

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "text/html": self.html(cdn="google.colab" in sys.modules),
            "application/vnd.plotly.v1+json": self.lab_figure(),
            "text/plain": f"explorable figure {self.name!r}: {self.label}",
        }


def slider_figure(figure, steps, *, name, label, caption, alt, start=0):
    """An explorable figure: `figure` redrawn at each position of a slider.

    Parameters
    ----------
    figure : plotly.graph_objects.Figure
        The traces and the layout. Traces that do not move are drawn as given.
    steps : list of (value, text, changes)
        One tuple for each position of the slider, in order. ``value`` is the slider's
        value in a few words ("h = 0.5"), which screen readers read on the slider;
        ``text`` is what the page shows beside the slider at that position (the value and
        what it gives); ``changes`` maps the index of each trace that moves to the
        attributes it has at that position, for example ``{1: {"x": x, "y": y}}``.
    name : str
        The figure's id in the page, fixed so that every build gives the same bytes:
        lower-case letters, digits and hyphens, unique in the book.
    label : str
        The slider's visible label.
    caption : str
        What to do and what to see, shown above the slider.
    alt : str
        A description of the plot for screen readers.
    start : int
        The slider's first position.

    Returns
    -------
    ExplorableFigure
        Displayed by Jupyter; its `html()` is the page's markup.
    """
    if not NAME.fullmatch(name):
        raise ValueError(f"`name` must be lower-case letters, digits and hyphens: {name!r}")
    if not steps:
        raise ValueError("`steps` must hold at least one position of the slider.")
    if not 0 <= start < len(steps):
        raise ValueError(f"`start` must be a position of the slider, 0 to {len(steps) - 1}.")
    moving = sorted(steps[0][2])
    if any(sorted(changes) != moving for _, _, changes in steps):
        raise ValueError("every step of `steps` must change the same traces.")
    if any(not 0 <= index < len(figure.data) for index in moving):
        raise ValueError(f"`steps` changes traces {moving}; the figure has {len(figure.data)}.")
    figure = go.Figure(figure)  # a copy: the caller's figure stays as it was
    figure.update_layout(template=TEMPLATE)
    for index, changes in steps[start][2].items():
        figure.data[index].update(changes)
    # Each change as a trace of its trace's type: checked by Plotly, and its arrays
    # written in binary (base64) by `to_dict`, as the figure's own.
    figure.frames = [
        go.Frame(
            name=str(position),
            traces=moving,
            data=[type(figure.data[i])(changes[i]) for i in moving],
        )
        for position, (_, _, changes) in enumerate(steps)
    ]
    spec = {
        **figure.to_dict(),
        "config": CONFIG,
        "values": [value for value, _, _ in steps],
        "texts": [text for _, text, _ in steps],
    }
    return ExplorableFigure(
        name, json.loads(to_json_plotly(spec)), label=label, caption=caption, alt=alt, start=start
    )
