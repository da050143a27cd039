"""Slider charts: their grids are the models' values, their HTML is inert and deterministic, a grid
too large fails with its name and size, and in Chromium (offline) each slider moves the figures to
what the Python model gives at the slider's ends.
"""
from __future__ import annotations

import asyncio

import dataclasses
import itertools
import json
import math
import re
import shutil
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alibaba_report import params
from alibaba_report.chapters import CHAPTERS as REGISTRY
from alibaba_report.charts import interactive
from alibaba_report.charts.interactive import Figure, Slider, SliderChart
from alibaba_report.synthesis import sliders

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = tuple(c.notebook for c in REGISTRY)  # every registered chapter, however many


def base_parameters(page: str) -> types.SimpleNamespace:
    return types.SimpleNamespace(**params.scenario_parameters("base", page))


@pytest.fixture(scope="module")
def charts(ledger) -> dict[str, SliderChart]:
    out = {"index": sliders.summary("base", ledger)}
    for page in CHAPTERS:
        if page in sliders.PAGES:  # a chapter without one fails test_every_chapter_has_a_slider_chart
            out[page] = sliders.PAGES[page](base_parameters(page), ledger)
    return out


def chart(charts, page: str) -> SliderChart:
    if page not in charts:
        pytest.skip(f"{page} has no slider chart yet (test_every_chapter_has_a_slider_chart fails for it)")
    return charts[page]


def test_every_chapter_has_a_slider_chart():
    missing = [page for page in CHAPTERS if page not in sliders.PAGES]
    assert not missing, (f"chapters without a slider chart: {missing}; add one to alibaba_report/synthesis/sliders.py "
                         "(PAGES) and what its model gives at a point to tests/test_sliders.py's expected()")


def corners(sc: SliderChart) -> list[dict[str, float]]:
    ends = [(s.column, (s.start, s.stop)) for s in sc.sliders]
    return [dict(zip([c for c, _ in ends], combo)) for combo in itertools.product(*[e for _, e in ends])]


# --- what each model gives at a point, computed here through the chapters' own entry points -----

def expected(page: str, point: dict[str, float], claims) -> dict[str, object]:
    if page == "index":
        from alibaba_report.synthesis import valuation

        inp = dataclasses.replace(sliders._with_forward_pe(valuation.scenario_inputs("base"), point["forward_pe"]),
                                  shrink_pct=point["shrink_pct"])
        r = valuation.model(inp, claims)
        price = claims.value(valuation.CLAIMS["price"])
        return {"value_per_ads_usd": float(r["value_per_ads_usd"]), "ntm_eps_usd": float(r["ntm_eps_usd"]),
                "vs_price_pct": 100 * (float(r["value_per_ads_usd"]) / price - 1)}
    p = vars(base_parameters(page)) | point
    if page == "retail_war":
        from alibaba_report.chapters import retail_war as retail

        k = retail.key_outputs(p, claims)
        return {"cumulative_cost_rmb_bn": k["cumulative_cost_rmb_bn"], "ebitda_fy27_rmb_bn": k["ebitda_fy27_rmb_bn"],
                "converged": k["convergence_quarter"].split(" (")[0].replace("not by", "not by")}
    if page == "cloud_ai":
        from alibaba_report.chapters import cloud_ai as cloud

        k = cloud.key_outputs(types.SimpleNamespace(**p), claims)
        return {"irr_pct": k["return_on_capex_pct"], "cash_multiple_x": k["cash_multiple_x"], "payback": k["payback"]}
    if page == "policy_catalyst":
        from alibaba_report.chapters import policy_catalyst as policy

        k = policy.key_outputs(types.SimpleNamespace(**p), claims)
        return {"plan_value_usd_bn": k["plan_value_usd_bn"], "plan_covers_pct": k["plan_covers_pct"]}
    if page == "hk_vs_us":
        from alibaba_report.chapters import hk_vs_us as hk

        price = hk.price_from_eps(point["eps_usd"], point["pe"])
        return {"price_usd": price, "vs_now_pct": hk.upside_pct(claims.value(hk.PRICE_NOW), price),
                "hk_parity_hkd": hk.hk_parity_price_hkd(price, p["usd_hkd"], p["ordinary_shares_per_ads"])}
    if page == "meitu_deal":
        from alibaba_report.chapters import meitu_deal as meitu

        k = meitu.key_outputs(types.SimpleNamespace(**p), claims)
        return {"conversion_value_usd_m": k["conversion_value_usd_m"], "holder_value_usd_m": k["holder_value_usd_m"],
                "gain_pct": k["conversion_gain_pct"]}
    raise KeyError(f"{page}: no expected values for its slider chart; say here what its model gives at a point")


def same(a, b) -> bool:
    if isinstance(b, str) or isinstance(a, str):
        return a == b
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return a is None or (isinstance(a, float) and math.isnan(a))
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("page", ["index", *CHAPTERS])
def test_grid_equals_the_model_at_its_corners(page, charts, ledger):
    sc = chart(charts, page)
    checked = 0
    for point in corners(sc):
        row = sc.row_at(**point)
        for column, value in expected(page, point, ledger).items():
            assert same(row[column], value), f"{page} at {point}: {column} grid {row[column]!r}, model {value!r}"
            checked += 1
    assert checked >= 2 * len(corners(sc)) > 0


def test_retail_convergence_label_matches_the_chapter(charts, ledger):
    # the grid's short label is the chapter's label without its calendar part, at every corner
    sc = charts["retail_war"]
    for point in corners(sc):
        assert sc.row_at(**point)["converged"] == expected("retail_war", point, ledger)["converged"]


@pytest.mark.parametrize("page", CHAPTERS)
def test_sliders_start_at_the_page_parameters(page, charts):
    p = base_parameters(page)
    if page == "hk_vs_us":  # the seeds' own arithmetic: the sliders start at the seeds' multiple and forecast
        from alibaba_report.chapters import hk_vs_us as hk
        from alibaba_report.evidence import ledger as lg

        c = lg.load_claims()
        p = types.SimpleNamespace(pe=c.value(hk.PE_FORWARD), eps_usd=c.value(hk.EPS_FY27))
    for s in chart(charts, page).sliders:
        own = sliders._forward_pe(p) if s.column == "forward_pe" else getattr(p, s.column)
        assert s.initial == pytest.approx(float(own)), f"{page}: slider {s.label} starts off its base value"


def test_summary_slider_starts_at_the_base_case(charts):
    from alibaba_report.synthesis import valuation

    base = valuation.scenario_inputs("base")
    start = {s.column: s.initial for s in charts["index"].sliders}
    assert start == {"shrink_pct": pytest.approx(float(base.shrink_pct)),
                     "forward_pe": pytest.approx(float(sliders._forward_pe(base)))}


@pytest.mark.parametrize("page", ["index", *CHAPTERS])
def test_grid_sizes_and_slider_counts(page, charts):
    sc = chart(charts, page)
    assert 1 <= len(sc.sliders) <= 3
    assert 0 < len(sc.grid) <= interactive.MAX_GRID_ROWS
    assert len(sc.grid) == math.prod(len(s.values()) for s in sc.sliders)


# --- the HTML: inert, deterministic, with a fallback ---------------------------------------------

EVIL = "</script><script>alert(1)</script><!--"


def tiny_chart(title: str = "A small chart for tests", rows: int | None = None) -> SliderChart:
    s = Slider("x_pct", "An input", "%", 0, 10, 1, 5)
    g = interactive.grid("test-tiny", [s])
    g["y_usd"] = g["x_pct"] * 2.0
    if rows is not None:
        g = pd.DataFrame({"x_pct": np.zeros(rows), "y_usd": np.zeros(rows)})
    return SliderChart(name="test-tiny", title=title, grid=g, sliders=(s,), y=Figure("y_usd", "Y", "USD "),
                       figures=(Figure("y_usd", "Y", "USD "),),
                       description=f"Y in US dollars as the input goes from 0 to 10% {title}", source=title,
                       reference=(title, 3.0))


def _payload(page_html: str, el: str) -> str:
    m = re.search(rf'<script type="application/json" id="{el}-spec">(.*?)</script>', page_html, re.S)
    assert m, "no spec block"
    return m.group(1)


def test_spec_with_script_text_stays_inert():
    sc = tiny_chart(EVIL)
    out = interactive.html(sc)
    assert out.count("</script>") == out.count("<script") == 3  # only the three scripts the chart opens
    assert "<!--" not in out and "alert(1)</script>" not in out
    payload = _payload(out, interactive.element_id(sc))
    assert not set(payload) & set("<>&")
    assert json.loads(payload) == json.loads(json.dumps(interactive.spec(sc)))  # same meaning after escaping
    assert EVIL in json.dumps(json.loads(payload))  # the text is still there, as text


def test_html_is_deterministic(ledger, charts):
    first = interactive.html(charts["meitu_deal"])
    interactive.html(charts["index"])  # another chart in between must not shift names or ids
    again = sliders.meitu_deal(base_parameters("meitu_deal"), ledger)
    assert interactive.html(again) == first
    assert interactive.plain_text(again) == interactive.plain_text(charts["meitu_deal"])
    assert not re.search(r'"(param|view|selector)_\d+"', first), "an automatic (counter-based) name in the spec"
    assert 'id="slider-meitu_deal-conversion"' in first


@pytest.mark.parametrize("page", ["index", *CHAPTERS])
def test_html_loads_the_sites_bundle_with_the_menu_off(page, charts):
    out = interactive.html(chart(charts, page))
    assert f'<script src="{interactive.BUNDLE_URL}"></script>' in out
    assert interactive.BUNDLE_URL.startswith("../_static/")
    assert "actions: false" in out
    assert not re.search(r"https?://(?!vega\.github\.io/schema)", out), "a URL outside the site in the chart"


def test_plain_text_says_what_the_chart_shows(charts):
    sc = charts["index"]
    text = interactive.plain_text(sc)
    start = {s.column: s.initial for s in sc.sliders}
    assert sc.description in text
    for line in sc.shown(**start):
        assert line in text
    for s in sc.sliders:
        assert s.title in text


# --- bad input ------------------------------------------------------------------------------------

def test_grid_too_large_names_the_chart_and_its_size():
    a = Slider("a_pct", "A", "%", 0, 200, 1, 0)
    b = Slider("b_pct", "B", "%", 0, 100, 1, 0)
    with pytest.raises(interactive.GridTooLarge, match=r"'page-huge'.*20,301 points.*20,000"):
        interactive.grid("page-huge", [a, b])


def test_chart_from_a_too_large_grid_is_refused():
    with pytest.raises(interactive.GridTooLarge, match=r"'test-tiny'.*25,000 points"):
        tiny_chart(rows=25_000)


def test_grid_missing_a_column_is_refused():
    sc = tiny_chart()
    with pytest.raises(ValueError, match="no column"):
        dataclasses.replace(sc, grid=sc.grid.drop(columns="y_usd"))


def test_slider_range_not_a_whole_number_of_steps_is_refused():
    with pytest.raises(ValueError, match="whole number of steps"):
        Slider("a_pct", "A", "%", 0, 10, 3, 0)


def test_grid_points_are_exact_decimals():
    s = Slider("a", "A", "x", 0.1, 1.0, 0.1, 0.3)
    assert list(s.values()) == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    assert Slider("a", "A", "x", 0, 10, 1, 3.4).initial == 3.0


# --- the bundle --------------------------------------------------------------------------------

def test_bundle_written_once_into_static(tmp_path):
    from alibaba_report import paths
    from alibaba_report.pipeline import cache

    bundle = cache.vega_bundle(paths.root())  # vl-convert's, as the render ships it
    target = interactive.write_bundle(tmp_path, bundle)
    assert target == tmp_path / "vega" / "vega-bundle.js"
    text = target.read_text(encoding="utf-8")
    assert len(text) > 500_000 and "window.vegaEmbed" in text
    stamp = target.stat().st_mtime_ns
    interactive.write_bundle(tmp_path, bundle)
    assert target.stat().st_mtime_ns == stamp  # left alone when already equal


def test_the_bundle_is_made_once_per_vl_convert_version_and_remade_when_damaged(tmp_path, monkeypatch):
    """The render asks for the bundle on every build; it is made once and then read from _build/cache."""
    from alibaba_report.pipeline import cache

    made = []
    monkeypatch.setattr(interactive, "bundle_text", lambda: made.append(1) or "(function () { window.vegaEmbed = 1; })();\n")
    first = cache.vega_bundle(tmp_path)
    assert cache.vega_bundle(tmp_path) == first and len(made) == 1
    stored = next((tmp_path / "_build" / "cache" / "vega").glob("*/vega-bundle.js"))
    stored.write_text("alert('edited')", encoding="utf-8")  # damaged or edited: never shipped
    assert cache.vega_bundle(tmp_path) == first and len(made) == 2


def test_sphinx_step_ships_the_bundle_after_a_good_html_build(tmp_path):
    from alibaba_report.pipeline import sphinxext

    def app(fmt):
        return types.SimpleNamespace(builder=types.SimpleNamespace(format=fmt), outdir=str(tmp_path / fmt))

    sphinxext._ship_vega_bundle(app("html"), None)
    assert (tmp_path / "html" / "_static" / "vega" / "vega-bundle.js").exists()
    sphinxext._ship_vega_bundle(app("latex"), None)
    sphinxext._ship_vega_bundle(app("failed"), RuntimeError("build failed"))
    assert not (tmp_path / "latex").exists() and not (tmp_path / "failed").exists()


# --- in Chromium, offline -------------------------------------------------------------------------

def _figure_texts_js(el: str, labels: list[str]) -> str:
    return f"""() => {{
      const labels = {json.dumps(labels)};
      const texts = [...document.querySelectorAll('#{el} svg g.mark-text text')].map(t => t.textContent);
      return labels.map(l => texts.find(t => t.startsWith(l + ': ')) ?? null);
    }}"""


async def _read_figures(page, js: str, want: list[str], timeout_s: float = 5.0) -> list:
    """The figures the chart shows, read until they equal ``want`` or ``timeout_s`` has passed
    (Vega redraws asynchronously after a slider moves)."""
    import time

    end = time.monotonic() + timeout_s
    while True:
        got = await page.evaluate(js)
        if got == want or time.monotonic() > end:
            return got
        await page.wait_for_timeout(50)


def _tiny_site(tmp_path: Path, charts: dict[str, SliderChart]) -> Path:
    from alibaba_report import paths
    from alibaba_report.pipeline import cache

    site = tmp_path / "site"
    interactive.write_bundle(site / "_static", cache.vega_bundle(paths.root()))
    shutil.copy(ROOT / "book" / "_static" / "sliders.css", site / "_static" / "sliders.css")
    (site / "book").mkdir(parents=True)
    for page, sc in charts.items():
        (site / "book" / f"{page}.html").write_text(
            "<!doctype html><html lang=en><head><meta charset=utf-8>"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{page}</title><link rel="stylesheet" href="../_static/sliders.css"></head>'
            f"<body style='margin:0 16px'><main><h1>{page}</h1>{interactive.html(sc)}</main></body></html>",
            encoding="utf-8")
    return site


async def _check_sliders(chromium, base: str, host: str, pages: dict) -> tuple[list, list, int]:
    outside, problems, checked = [], [], 0
    context = await chromium.new_context(viewport={"width": 390, "height": 844})

    async def guard(route):
        if route.request.url.startswith(f"http://{host}/"):
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort("blockedbyclient")

    await context.route("**/*", guard)
    try:
        for page_name, sc in pages.items():
            page = await context.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), asyncio.ensure_future(d.dismiss())))
            await page.goto(f"{base}book/{page_name}.html", wait_until="load")
            el = interactive.element_id(sc)
            await page.wait_for_selector(f"#{el} svg g.mark-text text", timeout=15_000)
            inputs = page.locator(f"#{el} input[type=range]")
            count = await inputs.count()
            if count != len(sc.sliders):
                problems.append(f"{page_name}: {count} sliders on the page, {len(sc.sliders)} in the chart")
                continue
            labels = [f.label for f in sc.figures]
            start = {s.column: s.initial for s in sc.sliders}
            for point in [start, *corners(sc)]:
                for i, s in enumerate(sc.sliders):
                    if point is start:
                        continue
                    await inputs.nth(i).focus()
                    await inputs.nth(i).press("Home" if point[s.column] == s.start else "End")
                want = sc.shown(**point)
                got = await _read_figures(page, _figure_texts_js(el, labels), want)
                if got != want:
                    problems.append(f"{page_name} at {point}: page shows {got}, model gives {want}")
                checked += 1
            widths = await page.evaluate(f"() => [document.documentElement.scrollWidth, "
                                         f"document.querySelector('#{el} svg').getBoundingClientRect().right]")
            if widths[0] > 390 or widths[1] > 390:
                problems.append(f"{page_name}: wider than a 390 px screen (page {widths[0]}, chart {widths[1]})")
            if await page.locator(f"#{el} .vega-actions, #{el} details").count():
                problems.append(f"{page_name}: the chart has an action menu")
            if errors:
                problems.append(f"{page_name}: console errors {errors}")
            await page.close()
    finally:
        await context.close()
    return outside, problems, checked


@pytest.mark.browser
@pytest.mark.build
def test_sliders_in_chromium_show_the_models_values_at_their_ends(tmp_path, charts, ledger, browser):
    from alibaba_report.pipeline import browser as br

    pages = {**charts, "evil": tiny_chart(EVIL)}
    site = _tiny_site(tmp_path, pages)
    server = br.serve(site)
    with server as base:
        outside, problems, checked = browser.run(_check_sliders, base, server.host, pages)
    assert not outside, f"requests outside the site: {outside}"
    assert not problems, "\n".join(problems)
    assert checked > len(pages)
    assert server.requests.get("/_static/vega/vega-bundle.js", 0) >= 1


def test_the_invitation_to_move_the_sliders_is_left_out_of_print_with_them():
    """In the PDF the slider charts are not printed; a sentence asking to move them would stand beside
    nothing. Each invitation sits in a ``slider-intro`` container that the print stylesheet hides."""
    import json
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    found = 0
    for nb in sorted((root / "book").glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            text = "".join(cell["source"])
            if cell["cell_type"] == "markdown" and "Move the sliders" in text:
                found += 1
                assert text.startswith(":::{container} slider-intro\n"), f"{nb.name}: {text[:80]!r}"
    assert found >= 5
    css = (root / "book" / "_static" / "sliders.css").read_text(encoding="utf-8")
    assert re.search(r"@media print\s*{[^}]*\.slider-intro[^}]*display:\s*none", css)
