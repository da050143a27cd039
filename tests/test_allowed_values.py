"""Every allowed value builds: property-based tests over each chapter's parameter space and over
whole scenarios.

The specifications in ``data/parameters/*.yml`` say what a reader may set. Whatever they allow, the
page must compute: its model, its sentences, its key outputs, its charts and their data, its slider
grids, with finite numbers wherever a number is shown. A chapter page is run here without a kernel:
its notebook's code cells are executed in this process (the glue, the chart display and the slider
display recorded instead of shown), so a failure names the notebook and the cell as a build would.

Hypothesis draws the values with a fixed seed (``derandomize``) and a bounded number of examples, and
always tries every parameter at its minimum and every parameter at its maximum first.
"""
from __future__ import annotations

import contextlib
import itertools
import json
import math
import re
import shutil
import types
from pathlib import Path
from unittest import mock

import matplotlib
import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from alibaba_report import params
from alibaba_report.chapters import CHAPTERS

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [c.notebook for c in CHAPTERS]

# A fixed seed and a small budget: the module runs in about a minute on one core, the same draws
# on every machine, and it never writes a .hypothesis database into the tree.
# every allowed value, generated: tens of seconds, so in `make test`, not in the inner loop
pytestmark = pytest.mark.properties

BUDGET = settings(max_examples=4, derandomize=True, database=None, deadline=None, print_blob=False,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Numbers a page shows that have no value in part of the allowed space (a cloud programme that adds
# no revenue has no break-even margin and no return) and that the page still prints through a number
# format: the summary's sentence on the cloud needs words of its own there (as the cloud page has),
# which belongs with the summary's text. Listed by page and name rather than hidden; every other
# number a page shows must be finite.
GLUE_REFERENCE = re.compile(r"\{glue(?::\w+)?\}`(\w+)(?::[^`]*)?`")

NOT_A_NUMBER = re.compile(r"(?<![\w.])[+\-\u2212]?(nan|inf|infinity)(?![\w])", re.IGNORECASE)


# --- the values a specification allows --------------------------------------------------------

def value_strategy(spec: params.ParamSpec):
    if spec.type == "float":
        return st.one_of(st.sampled_from([spec.min, spec.max]),
                         st.floats(spec.min, spec.max, allow_nan=False, allow_infinity=False))
    if spec.type == "int":
        return st.integers(int(spec.min), int(spec.max))
    if spec.type == "bool":
        return st.booleans()
    return st.sampled_from(list(spec.choices))


def extreme(spec: params.ParamSpec, which: str):
    """The spec's minimum (``which="min"``) or maximum, in its type; a choice: the first or last."""
    if spec.type in ("float", "int"):
        v = getattr(spec, which)
        return int(v) if spec.type == "int" else float(v)
    if spec.type == "bool":
        return which == "max"
    return list(spec.choices)[0 if which == "min" else -1]


def at_extreme(notebook: str, which: str) -> dict:
    return {name: extreme(spec, which) for name, spec in params.specs(notebook).items()}


def chapter_values(notebook: str):
    return st.fixed_dictionaries({name: value_strategy(spec) for name, spec in params.specs(notebook).items()})


# --- a page run without a kernel ---------------------------------------------------------------

def run_page(notebook: str, values: dict) -> types.SimpleNamespace:
    """Execute ``book/<notebook>.ipynb``'s code cells here, the parameters cell replaced by
    ``values``; return what it glued, the charts' data it offered for download and its slider charts."""
    import myst_nb

    from alibaba_report.charts import interactive, style

    glued, charts, slider_charts = {}, [], []

    def show(fig, alt, data=None, name=None):
        import matplotlib.pyplot as plt

        assert alt and len(alt) >= 20, f"{notebook}: chart {name} without alt text"
        plt.close(fig)
        charts.append((name, data))

    cells = nbformat.read(ROOT / "book" / f"{notebook}.ipynb", as_version=4).cells
    namespace = dict(values)
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(myst_nb, "glue", lambda name, value, display=True: glued.update({name: value})))
        stack.enter_context(mock.patch.object(style, "show", show))
        stack.enter_context(mock.patch.object(interactive, "show", slider_charts.append))
        stack.enter_context(mock.patch("IPython.display.display", lambda *a, **k: None))
        for i, cell in enumerate(cells):
            if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
                continue
            try:
                exec(compile(cell.source, f"book/{notebook}.ipynb cell {i}", "exec"), namespace)  # noqa: S102
            except Exception as exc:
                raise AssertionError(f"book/{notebook}.ipynb cell {i} raised {type(exc).__name__}: {exc} "
                                     f"under {values}") from exc
    shown = {m.group(1) for c in cells if c.cell_type == "markdown" for m in GLUE_REFERENCE.finditer(c.source)}
    return types.SimpleNamespace(notebook=notebook, glued=glued, shown=shown, charts=charts, sliders=slider_charts)


def _text(value) -> str | None:
    if isinstance(value, str):
        return value
    return getattr(value, "data", None) if isinstance(getattr(value, "data", None), str) else None


def shown_problems(page: types.SimpleNamespace) -> list[str]:
    """Numbers a reader would see as nan or inf: glued numbers the page's text shows, glued sentences,
    the charts' data, the slider charts (whose spec must also be valid JSON)."""
    from alibaba_report.charts import interactive

    out = []
    for name, value in page.glued.items():
        if isinstance(value, (float, np.floating)) and not math.isfinite(value) and name in page.shown:
            out.append(f"number shown as {name} = {value}")
        text = _text(value)
        if text and NOT_A_NUMBER.search(text):
            m = NOT_A_NUMBER.search(text)
            out.append(f"glued text {name}: ...{text[max(0, m.start() - 50):m.end() + 10]!r}")
    for name, data in page.charts:
        if isinstance(data, pd.DataFrame):
            numbers = data.select_dtypes("number").to_numpy(dtype=float)
            if np.isinf(numbers).any():
                out.append(f"chart data {name} holds an infinite number")
    for sc in page.sliders:
        try:
            json.dumps(interactive.spec(sc), allow_nan=False)
        except ValueError as exc:
            out.append(f"slider chart {sc.name}: {exc}")
    return out


def sliders_open_at_the_page_values(page: types.SimpleNamespace, values: dict) -> list[str]:
    """A slider that moves one of the page's parameters opens at the page's value."""
    return [f"slider chart {sc.name}: {s.column} opens at {s.initial}, the page has {values[s.column]}"
            for sc in page.sliders for s in sc.sliders
            if s.column in values and not math.isclose(s.initial, values[s.column], rel_tol=1e-6, abs_tol=1e-6)]


def refused_by_name(exc: params.ParameterError, notebook: str, values: dict) -> bool:
    """The refusal is one of the combinations the specifications name, and the values are one."""
    return any(words in str(exc) and all(n in str(exc) for n in names) and not test(values)
               for names, test, words in params.COMBINATIONS.get(notebook, []))


def check_page(notebook: str, values: dict) -> None:
    try:
        params.check_values(notebook, values)
    except params.ParameterError as exc:
        assert refused_by_name(exc, notebook, values), exc
        return
    page = run_page(notebook, values)
    assert page.glued, f"{notebook}: nothing glued"
    problems = shown_problems(page) + sliders_open_at_the_page_values(page, values)
    assert not problems, f"{notebook} under {values}:\n" + "\n".join(problems)


# --- the repros: allowed values that crashed ----------------------------------------------------

def base_values(notebook: str) -> dict:
    return params.scenario_parameters(params.BASE, notebook)


@pytest.mark.parametrize("notebook, change", [
    ("retail_war", {"quarters_modelled": 13}),  # "All arrays must be of the same length"
    ("cloud_ai", {"cloud_growth_pct": 0.0}),  # "Out of range float values are not JSON compliant"
    ("retail_war", {"shrink_pct": 0.0}),  # the slider opened at 5
])
def test_allowed_value_that_crashed_builds(notebook, change):
    check_page(notebook, {**base_values(notebook), **change})


# --- every chapter's whole parameter space -------------------------------------------------------

def _chapter_test(notebook: str):
    @BUDGET
    @given(values=chapter_values(notebook))
    @example(values=at_extreme(notebook, "min"))
    @example(values=at_extreme(notebook, "max"))
    def test(values):
        check_page(notebook, values)

    test.__name__ = f"test_every_allowed_value_builds_{notebook}"
    return test


for _nb in NOTEBOOKS:
    globals()[f"test_every_allowed_value_builds_{_nb}"] = _chapter_test(_nb)


# --- whole scenarios ----------------------------------------------------------------------------

def scenario_document(draw_value) -> dict:
    """A scenario file setting every parameter of every section, each value from ``draw_value(spec)``."""
    shared = params.read_yaml(params.spec_dir() / "shared.yml")
    doc: dict = {"description": "every parameter set"}
    doc["shared"] = {name: {"value": draw_value(params.ParamSpec.model_validate(entry)), "reason": "a test value"}
                     for name, entry in shared.items() if name != "scenario"}
    for nb in params.notebooks_with_specs():
        if params.is_scenario_page(nb):
            continue
        own = {k: v for k, v in params.specs(nb).items() if k not in shared}
        doc[nb] = {name: {"value": draw_value(spec), "reason": "a test value"} for name, spec in own.items()}
    return doc


@pytest.fixture(scope="module")
def scenario_root(tmp_path_factory):
    """A copy of the repository's data and seeds where test scenarios are written."""
    root = tmp_path_factory.mktemp("repo")
    for part in ("data", "seeds"):
        shutil.copytree(ROOT / part, root / part)
    with mock.patch.dict("os.environ", {"REPORT_ROOT": str(root)}):
        yield root


_names = (f"drawn-{i}" for i in itertools.count())


def check_scenario(root: Path, doc: dict) -> None:
    """Write ``doc`` as a new scenario and compute everything a book under it computes without a kernel:
    the check, every chapter's key outputs, the model of value, the key figures (finite, or no value
    at all: never infinite), the summary's slider chart and the What changed page."""
    from alibaba_report.charts import interactive
    from alibaba_report.evidence import ledger
    from alibaba_report.synthesis import compare, scenarios, sliders

    name = next(_names)  # a new name each time: the package caches results per scenario name
    (root / "data" / "scenarios" / f"{name}.yml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    try:
        params.check_scenario(name)
    except params.ParameterError as exc:  # only a combination the specifications name may be refused
        values = {n: e["value"] for n, e in doc.get("valuation", {}).items()}
        assert f"data/scenarios/{name}.yml" in str(exc) and refused_by_name(exc, "valuation", values), exc
        return
    for nb in NOTEBOOKS:
        outputs = scenarios.chapter_outputs(name, nb)
        assert outputs, f"{nb}: no key outputs under {doc}"
    figures = compare.computed_figures(name)
    json.dumps(figures, allow_nan=False)  # a figure with no value is null, never NaN or infinity
    json.dumps(interactive.spec(sliders.summary(name, ledger.load_claims())), allow_nan=False)
    page = compare.page_for(name)
    assert not NOT_A_NUMBER.search(page), page


@st.composite
def scenario_documents(draw):
    return scenario_document(lambda spec: draw(value_strategy(spec)))


@BUDGET
@given(doc=scenario_documents())
@example(doc=scenario_document(lambda spec: extreme(spec, "min")))  # refused: every weight zero
@example(doc=scenario_document(lambda spec: 1.0 if spec.unit == "% probability" else extreme(spec, "min")))
@example(doc=scenario_document(lambda spec: extreme(spec, "max")))
def test_every_allowed_scenario_computes(scenario_root, doc):
    check_scenario(scenario_root, doc)


def test_every_combination_refused_is_stated_in_its_specification():
    for notebook, rules in params.COMBINATIONS.items():
        text = " ".join((params.spec_dir() / f"{notebook}.yml").read_text(encoding="utf-8").split())
        for names, _test, words in rules:
            assert words in text, f"data/parameters/{notebook}.yml does not say that {words}"
            assert all(n in params.specs(notebook) for n in names)



SCENARIO_PAGES = [nb for nb in params.notebooks_with_specs() if params.is_scenario_page(nb)]


@pytest.mark.parametrize("which", ["min", "max"])
def test_the_scenario_pages_build_under_a_scenario_at_the_extremes(scenario_root, which):
    """The summary, the scenarios page and Methods under a scenario with every parameter at its
    minimum (the weights at 1%: all zero is refused) or at its maximum, run as their notebooks."""
    doc = scenario_document(lambda spec: 1.0 if spec.unit == "% probability" and which == "min" else extreme(spec, which))
    name = next(_names)
    (scenario_root / "data" / "scenarios" / f"{name}.yml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    params.check_scenario(name)
    assert SCENARIO_PAGES
    for page in SCENARIO_PAGES:
        values = params.scenario_parameters(name, page)
        problems = shown_problems(run_page(page, values))
        assert not problems, f"{page} under the all-{which} scenario:\n" + "\n".join(problems)


def test_the_cloud_page_says_in_words_what_has_no_value():
    """With no growth the programme adds no revenue: no margin makes it pay back and it has no return
    to change; the page says so instead of printing inf% and nan points."""
    from alibaba_report.chapters import cloud_ai as cloud

    assert cloud.breakeven_margin_phrase(65.33) == "pays back only at a cash margin of 65.3% or more"
    assert cloud.breakeven_margin_phrase(65.5, decimals=0, on_revenue=True) == \
        "pays back only at a cash margin of 66% or more on the revenue it adds"
    assert cloud.breakeven_margin_sentence(65.33) == "It breaks even at a cash margin of 65.3%"
    assert cloud.life_effect_phrase(2.04) == "one more year of life changes the return by +2.0 points"
    for phrase in (cloud.breakeven_margin_phrase(math.inf), cloud.breakeven_margin_sentence(math.inf),
                   cloud.life_effect_phrase(math.nan), cloud.util_effect_phrase(90.0, math.nan)):
        assert not NOT_A_NUMBER.search(phrase) and ("no revenue" in phrase or "has none" in phrase
                                                    or "never pays back" in phrase), phrase
    page = run_page("cloud_ai", {**base_values("cloud_ai"), "cloud_growth_pct": 0.0})
    assert page.glued["breakeven_margin_phrase"].startswith("never pays back")
    assert "cloud_breakeven_margin_pct" not in page.shown and "life_effect_phrase" in page.shown  # in words
