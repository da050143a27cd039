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


def files_under(folder) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_chart_data_is_written_only_during_a_build(shown, tmp_path, monkeypatch):
    """Outside a build (no $REPORT_CHART_DATA_DIR) nothing is written: not where the link points from
    the notebook's folder (../_static/chart-data), not in the folder itself, not in the repository."""
    from alibaba_report import paths

    df = pd.DataFrame({"x": [1, 2], "y": [3.0, 4.0]})
    monkeypatch.delenv(style.CHART_DATA_ENV, raising=False)
    notebook_dir = tmp_path / "book"  # run as a notebook is: from its own folder
    notebook_dir.mkdir()
    monkeypatch.chdir(notebook_dir)
    repo_before = {p for p in (paths.root() / "book").rglob("*.csv")} | {p for p in paths.root().glob("_static/**/*.csv")}
    style.show(_chart(), alt="A line rising from 3 to 4 over two points", data=df, name="toy-line")
    assert files_under(tmp_path) == set()  # where a relative write (the link's own path) would land
    repo_after = {p for p in (paths.root() / "book").rglob("*.csv")} | {p for p in paths.root().glob("_static/**/*.csv")}
    assert repo_after == repo_before
    link = shown[-1][0].data
    assert 'href="../_static/chart-data/toy-line.csv"' in link and "download" in link
    target = tmp_path / "site" / "_static" / "chart-data"
    monkeypatch.setenv(style.CHART_DATA_ENV, str(target))
    style.show(_chart(), alt="A line rising from 3 to 4 over two points", data=df, name="toy-line")
    assert files_under(tmp_path) == {"site/_static/chart-data/toy-line.csv"}  # the same call, in a build: written
    pd.testing.assert_frame_equal(pd.read_csv(target / "toy-line.csv", index_col=0), df, check_dtype=False)


def _lightness(hex_colour: str) -> float:
    """CIE L* (0 black .. 100 white) of an sRGB colour: how light it prints in grey."""
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y


def test_scenario_colours_step_in_grey_from_bear_to_bull():
    """In grey the scenarios read as a ramp, light (bear) to dark (bull), each step 10 L* or more."""
    bear, base, bull = (_lightness(style.SCENARIO_COLOURS[s]) for s in ("bear", "base", "bull"))
    assert bear - base >= 10 and base - bull >= 10, (bear, base, bull)
    assert _lightness("#777777") == pytest.approx(50.0, abs=1.0) and _lightness("#000000") == 0.0


def test_chart_data_needs_a_well_formed_name():
    df = pd.DataFrame({"x": [1]})
    with pytest.raises(ValueError, match="both data and name"):
        style.show(_chart(), alt="A line rising from 3 to 4 over two points", data=df)
    with pytest.raises(ValueError, match="'<notebook>-<chart>'"):
        style.show(_chart(), alt="A line rising from 3 to 4 over two points", data=df, name="Loss Path.csv")


def test_a_wrapped_source_line_never_splits_a_hyphenated_name():
    """The source line is wrapped to the figure's width; "boerse-global.de" must never read "boerse- global.de"."""
    import matplotlib.pyplot as plt

    from alibaba_report.charts import style

    for pad in range(0, 90, 7):  # move the name across the wrap boundary
        fig, ax = plt.subplots(figsize=(8, 4))
        style.finish(fig, "A title that states the finding", "x" * pad + " prices from boerse-global.de (4 January) and more")
        assert "boerse-global.de" in style.source_of(fig), style.source_of(fig)
        plt.close(fig)
