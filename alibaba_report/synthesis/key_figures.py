"""The book's key figures: every quantity shown on more than one page, computed once per scenario.

Pages glue a key figure under its registry name (the page's own scenario) or as
``<scenario>__<name>`` (another scenario's), so the build can find every page that shows it and
check that each shows the registry's value. The build writes the registry of each built scenario to
``key-figures.json`` at the root of the site.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alibaba_report import paths, precision
from alibaba_report.evidence import ledger
from alibaba_report.synthesis import valuation

SCENARIOS = valuation.SCENARIOS
SEPARATOR = "__"  # "<scenario>__<name>": another scenario's figure on a page


@dataclass(frozen=True)
class KeyFigure:
    name: str
    label: str  # reader words
    unit: str
    compute: Callable[[str], float]  # scenario -> value


def _claims():
    return ledger.load_claims()


def _value(key: str) -> Callable[[str], float]:
    return lambda s: valuation.scenario_value(s, _claims())[key]


def _retail(key: str) -> Callable[[str], float]:
    def f(s: str) -> float:
        from alibaba_report.synthesis import scenarios

        return float(scenarios.chapter_outputs(s, "retail_war")[key])
    return f


def _cloud(key: str) -> Callable[[str], float]:
    def f(s: str) -> float:
        from alibaba_report.synthesis import scenarios

        return float(scenarios.chapter_outputs(s, "cloud_ai")[key])
    return f


def _weighted(key: str) -> Callable[[str], float]:
    """``key`` weighted by the scenario's own probabilities of bear, base and bull."""
    return lambda s: valuation.weighted(key, _claims(), s)


def _nan(x: float | None) -> float:
    return float("nan") if x is None else float(x)


def _price_4jan() -> float:
    return _claims().value(valuation.CLAIMS["price"])


def _price_13jan() -> float:
    from alibaba_report.synthesis import value_tables

    return value_tables.price_13jan_usd(_claims())


def _upside(price: Callable[[], float]) -> Callable[[str], float]:
    return lambda s: (valuation.weighted("value_12m_usd", _claims(), s) / price() - 1.0) * 100.0


REGISTRY = (
    KeyFigure("value_per_ads_usd", "value per ADS on 4 January 2026: the forward P/E on the next twelve months' earnings",
              "USD", _value("value_per_ads_usd")),
    KeyFigure("probability_weighted_value_usd", "probability-weighted value per ADS on 4 January 2026", "USD",
              _weighted("value_per_ads_usd")),
    KeyFigure("value_12m_usd", "value per ADS on 4 January 2027: the same multiple on the following twelve months' earnings",
              "USD", _value("value_12m_usd")),
    KeyFigure("target_price_12m_usd", "12-month target price: the probability-weighted value on 4 January 2027",
              "USD", _weighted("value_12m_usd")),
    KeyFigure("upside_pct_4jan", "return to the 12-month target from the USD 152 US close of 4 January 2026", "%",
              _upside(_price_4jan)),
    KeyFigure("upside_pct_13jan", "return to the 12-month target from the euro close of 13 January 2026, in USD", "%",
              _upside(_price_13jan)),
    KeyFigure("fy27_eps_usd", "FY27 earnings per ADS", "USD", _value("eps_fy27_usd")),
    KeyFigure("ntm_eps_usd", "earnings per ADS over the twelve months from 4 January 2026", "USD", _value("ntm_eps_usd")),
    KeyFigure("fy27_adj_ebitda_rmb_bn", "FY27 adjusted EBITDA, every driver", "RMB bn", _value("ebitda_fy27_rmb_bn")),
    KeyFigure("ev_ebitda_x", "EV/EBITDA the value implies (FY27)", "x", _value("ev_ebitda_x")),
    KeyFigure("retail_war_cost_rmb_bn", "instant-retail losses over the 12 quarters modelled", "RMB bn",
              _retail("cumulative_cost_rmb_bn")),
    KeyFigure("cloud_breakeven_margin_pct", "cash margin the cloud programme needs to pay back", "%",
              _cloud("breakeven_margin_pct")),
    KeyFigure("breakeven_pe_x", "forward P/E the USD 152 price pays on the next twelve months' earnings", "x",
              lambda s: valuation.breakeven_pe(s, _claims())),
    KeyFigure("implied_shrink_pct", "quarterly loss shrink at which the value equals the USD 152 price", "% a quarter",
              lambda s: _nan(valuation.breakeven_shrink_pct(s, _claims()))),
    KeyFigure("implied_cloud_margin_pct", "cash margin on new cloud revenue at which the value equals the USD 152 price",
              "%", lambda s: _nan(valuation.breakeven_cloud_margin_pct(s, _claims()))),
)
BY_NAME = {k.name: k for k in REGISTRY}


@lru_cache(maxsize=None)
def _figures_cached(scenario: str, root: str) -> tuple:
    return tuple((k.name, float(k.compute(scenario))) for k in REGISTRY)


def figures(scenario: str) -> dict[str, float]:
    """Every key figure under ``scenario``, by name."""
    return dict(_figures_cached(scenario, str(paths.root())))


def glue_names(scenario: str, others=SCENARIOS) -> dict[str, float]:
    """What a page glues: the page's scenario under the bare names, every scenario as
    ``<scenario>__<name>``."""
    out = dict(figures(scenario))
    for s in others:
        out.update({f"{s}{SEPARATOR}{k}": v for k, v in figures(s).items()})
    return out


# --- finding the figures on built pages --------------------------------------------------------

def glued_values(notebook_path: Path) -> dict[str, float]:
    """The numbers an executed notebook glues, by glue name (text/plain parsed as a float)."""
    nb = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    out = {}
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            data = o.get("data", {})
            # myst-nb stores a glued value under its mime prefix ("application/papermill.record/text/plain")
            text = next((v for key, v in data.items() if key == "text/plain" or key.endswith("/text/plain")), None)
            if name is None or text is None:
                continue
            text = "".join(text) if isinstance(text, list) else text
            try:
                out[name] = float(text.strip().strip("'\""))
            except ValueError:
                continue
    return out


def _split(glue_name: str, page_scenario: str) -> tuple[str, str] | None:
    if glue_name in BY_NAME:
        return page_scenario, glue_name
    scen, sep, name = glue_name.partition(SEPARATOR)
    if sep and name in BY_NAME:
        return scen, name
    return None


def page_report(executed: dict[str, Path], scenario: str) -> tuple[list[dict], list[str]]:
    """For every built scenario figure, the pages that show it; and every page whose glued value
    disagrees with the registry (a message naming the page, the figure and both values)."""
    shown: dict[tuple[str, str], list[str]] = {}
    problems = []
    for page, path in sorted(executed.items()):
        for gname, value in glued_values(path).items():
            hit = _split(gname, scenario)
            if hit is None:
                continue
            scen, name = hit
            expected = figures(scen)[name]
            if not precision.same(value, expected):  # pages glue at the stated precision
                problems.append(f"page {page!r} shows {name} ({scen}) as {value!r}; the registry has {expected!r}")
            shown.setdefault((scen, name), []).append(page)
    rows = []
    for scen in dict.fromkeys([*SCENARIOS, scenario]):
        for k in REGISTRY:
            v = figures(scen)[k.name]
            rows.append({"name": k.name, "label": k.label, "value": precision.stated(v) if math.isfinite(v) else None,
                         "unit": k.unit, "scenario": scen, "pages": sorted(set(shown.get((scen, k.name), [])))})
    return rows, problems


def write_json(site: Path, executed: dict[str, Path], scenario: str) -> list[str]:
    """Write ``key-figures.json`` at the root of ``site``; return the disagreements found."""
    rows, problems = page_report(executed, scenario)
    (Path(site) / "key-figures.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return problems
