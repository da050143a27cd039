"""The one way a chart is shown: alt text, PNG, and its data as a CSV during a build."""
from __future__ import annotations

import pandas as pd
import pytest

from alibaba_report.charts import style


@pytest.fixture
def shown(monkeypatch):
    """Capture what style.show displays, as (data, metadata) pairs."""
    out = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False, metadata=None: out.append((obj, metadata)))
    return out


def _chart():
    fig, ax = style.figure()
    ax.plot([1, 2], [3, 4])
    style.finish(fig, "A line that rises", "Source: a test")
    return fig


def test_a_chart_needs_alt_text():
    with pytest.raises(ValueError, match="alt text"):
        style.show(_chart(), alt="a line")


def test_alt_text_travels_with_the_png(shown):
    style.show(_chart(), alt="A line rising from 3 to 4 over two points")
    (data, meta), (small, small_meta), (source, _) = shown  # the chart, its phone layout, its source line
    assert source.data == '<p class="chart-source">Source: a test</p>'
    assert data["text/plain"] == "[chart] A line rising from 3 to 4 over two points"
    assert meta == {"image/png": {"alt": "A line rising from 3 to 4 over two points"}}
    assert small["text/plain"] == "[chart, phone layout] A line rising from 3 to 4 over two points"
    assert small_meta == meta


def test_chart_data_is_written_only_during_a_build(shown, tmp_path, monkeypatch):
    df = pd.DataFrame({"x": [1, 2], "y": [3.0, 4.0]})
    monkeypatch.delenv(style.CHART_DATA_ENV, raising=False)
    style.show(_chart(), alt="A line rising from 3 to 4 over two points", data=df, name="toy-line")
    assert not list(tmp_path.iterdir())  # outside a build nothing is written
    link = shown[-1][0].data
    assert 'href="../_static/chart-data/toy-line.csv"' in link and "download" in link
    monkeypatch.setenv(style.CHART_DATA_ENV, str(tmp_path))
    style.show(_chart(), alt="A line rising from 3 to 4 over two points", data=df, name="toy-line")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "toy-line.csv", index_col=0), df, check_dtype=False)


def test_chart_data_needs_a_well_formed_name():
    df = pd.DataFrame({"x": [1]})
    with pytest.raises(ValueError, match="both data and name"):
        style.show(_chart(), alt="A line rising from 3 to 4 over two points", data=df)
    with pytest.raises(ValueError, match="'<notebook>-<chart>'"):
        style.show(_chart(), alt="A line rising from 3 to 4 over two points", data=df, name="Loss Path.csv")
