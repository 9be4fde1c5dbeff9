"""src/explorable: the markup, JSON and MIME bundle of an explorable figure, without a build.

The figures themselves, in the built site and a browser, are tested in
tests/test_browser_explorable.py.
"""

import json
import re
import sys
import types

import numpy as np
import plotly.graph_objects as go
import pytest

import explorable


def small_figure():
    fig = go.Figure()
    fig.add_scatter(x=np.arange(4.0), y=np.arange(4.0) ** 2, name="fixed")
    fig.add_scatter(x=np.arange(4.0), name="moves")
    return fig


def small_steps(count=3):
    return [
        (f"a = {a}", f"a = {a}: the line a x </script>", {1: {"y": a * np.arange(4.0)}})
        for a in range(count)
    ]


def small_explorable(**options):
    arguments = {
        "name": "small-figure",
        "label": "Slope a",
        "caption": "Move a.",
        "alt": "A line.",
    }
    return explorable.slider_figure(small_figure(), small_steps(), **(arguments | options))


def figure_json(markup):
    found = re.search(
        r'<script type="application/json" id="small-figure-figure">(.*?)</script>', markup
    )
    return found.group(1)


def test_the_markup_has_fixed_ids_a_labelled_slider_and_its_value_in_text():
    markup = small_explorable(start=1).html()
    assert markup.startswith('<div class="explorable" id="small-figure" hidden>')
    assert '<label for="small-figure-slider">Slope a</label>' in markup
    assert re.search(
        r'<input type="range" id="small-figure-slider" min="0" max="2" step="1" value="1" '
        r'aria-valuetext="a = 1"',
        markup,
    )
    # The <output> starts with the text of the slider's first position, escaped.
    assert (
        '<output for="small-figure-slider" id="small-figure-value">'
        "a = 1: the line a x &lt;/script&gt;</output>" in markup
    )
    plot = '<div class="explorable-plot" id="small-figure-plot" role="img" aria-label="A line.">'
    assert plot in markup
    assert '<p class="explorable-caption" id="small-figure-caption">Move a.</p>' in markup
    assert "cdn.plot.ly" not in markup and "http" not in markup


def test_the_figure_json_is_sorted_binary_and_safe_inside_a_script_element():
    markup = small_explorable().html()
    text = figure_json(markup)
    assert "<" not in text and ">" not in text  # "</script>" in a text cannot end the element
    spec = json.loads(text)
    assert text == json.dumps(spec, sort_keys=True, separators=(",", ":")).replace(
        "<", "\\u003c"
    ).replace(">", "\\u003e").replace("&", "\\u0026")
    assert [frame["name"] for frame in spec["frames"]] == ["0", "1", "2"]
    assert all(frame["traces"] == [1] for frame in spec["frames"])
    # arrays in binary, as Plotly writes them, in the frames too
    assert set(spec["frames"][2]["data"][0]["y"]) == {"dtype", "bdata"}
    assert spec["values"] == ["a = 0", "a = 1", "a = 2"]
    assert spec["config"]["displayModeBar"] is False
    assert spec["layout"]["template"]["layout"]["paper_bgcolor"] == "white"


def test_two_calls_give_the_same_bytes_and_leave_the_callers_figure_alone():
    fig = small_figure()
    before = fig.to_json()
    first = explorable.slider_figure(fig, small_steps(), name="a", label="a", caption="", alt="")
    second = explorable.slider_figure(fig, small_steps(), name="a", label="a", caption="", alt="")
    assert first.html() == second.html()
    assert fig.to_json() == before


def test_the_first_position_is_drawn_before_the_slider_moves():
    spec = json.loads(figure_json(small_explorable(start=2).html()))
    start = spec["frames"][2]["data"][0]["y"]
    assert spec["data"][1]["y"] == start


def test_on_colab_only_the_output_loads_plotly_from_its_cdn(monkeypatch):
    figure = small_explorable()
    bundle = figure._repr_mimebundle_()
    assert "cdn.plot.ly" not in bundle["text/html"]
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    colab = figure._repr_mimebundle_()["text/html"]
    version = explorable.get_plotlyjs_version()
    assert colab.startswith(
        f'<script id="small-figure-plotly" src="https://cdn.plot.ly/plotly-{version}.min.js">'
    )
    assert colab.endswith(bundle["text/html"])


def test_jupyterlab_gets_plotlys_own_slider_over_the_same_frames():
    bundle = small_explorable(start=1)._repr_mimebundle_()
    lab = bundle["application/vnd.plotly.v1+json"]
    (slider,) = lab["layout"]["sliders"]
    assert slider["active"] == 1
    assert [step["label"] for step in slider["steps"]] == ["a = 0", "a = 1", "a = 2"]
    assert [step["args"][0] for step in slider["steps"]] == [["0"], ["1"], ["2"]]
    assert [frame["name"] for frame in lab["frames"]] == ["0", "1", "2"]
    json.dumps(lab)  # plain JSON, as a MIME bundle must be
    assert "small-figure" in bundle["text/plain"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Small figure"}, "`name` must be"),
        ({"start": 3}, "`start` must be"),
        ({"steps": []}, "`steps` must hold"),
        ({"steps": [*small_steps(2), ("b", "b", {0: {"y": [1]}})]}, "the same traces"),
        ({"steps": [("b", "b", {2: {"y": [1]}})]}, "the figure has 2"),
    ],
)
def test_wrong_arguments_are_refused_with_a_message_naming_them(change, message):
    arguments = {
        "figure": small_figure(),
        "steps": small_steps(),
        "name": "small",
        "label": "a",
        "caption": "",
        "alt": "",
    }
    with pytest.raises(ValueError, match=message):
        explorable.slider_figure(**(arguments | change))
