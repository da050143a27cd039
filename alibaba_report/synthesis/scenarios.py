"""The book across its chapters: every chapter's key outputs and signposts under a scenario.

The summary and the scenario pages call the same chapter functions the chapter notebooks call,
with the same parameters (``params.scenario_parameters``): one source of truth, so a value changed
in ``data/scenarios/base.yml`` changes the chapter and the summary alike.
"""
from __future__ import annotations

import types
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from alibaba_report.evidence import ledger
from alibaba_report import params
from alibaba_report.chapters import CHAPTERS, chapter, contract, module  # noqa: F401  (re-exported for the notebooks)

SCENARIOS = ("bear", "base", "bull")


@dataclass(frozen=True)
class KeyOutput:
    notebook: str
    key: str  # a key of the chapter module's key_outputs(p, claims)
    label: str
    unit: str
    better: str  # "higher" or "lower": which way is good for the shareholder
    text_key: str | None = None  # a key whose text stands in when the number is missing (no payback)


KEY_OUTPUTS = (
    KeyOutput("valuation", "value_per_ads_usd", "Value per ADS on 4 Jan 2026 (forward P/E on next-twelve-months EPS)", "USD", "higher"),
    KeyOutput("valuation", "fy27_adj_ebitda_rmb_bn", "FY27 adjusted EBITDA, all chapters' drivers", "RMB bn", "higher"),
    KeyOutput("retail_war", "cumulative_cost_rmb_bn", "Cumulative instant-retail losses", "RMB bn", "lower"),
    KeyOutput("retail_war", "quarters_to_converge", "Quarters until losses converge", "quarters", "lower", "convergence_quarter"),
    KeyOutput("cloud_ai", "payback_year", "Cloud capex payback", "year of the programme", "lower", "payback"),
    KeyOutput("cloud_ai", "return_on_capex_pct", "Return on the cloud capex", "% a year", "higher"),
    KeyOutput("policy_catalyst", "plan_covers_pct", "Plan's value as a share of what the rally added", "%", "higher"),
    KeyOutput("meitu_deal", "bond_value_usd_m", "Meitu bond's value to Alibaba today (a loan plus an option to convert)", "USD m", "higher"),
)


def chapter_params(scenario: str, notebook: str) -> types.SimpleNamespace:
    """The chapter's parameters under ``scenario``, validated, as the notebook sees them (``P``)."""
    return params.check_values(notebook, params.scenario_parameters(scenario, notebook), origin=f"scenario {scenario!r}")


@lru_cache(maxsize=None)
def _outputs_cached(scenario: str, notebook: str, root: str) -> tuple:
    out = module(notebook).key_outputs(chapter_params(scenario, notebook), ledger.load_claims())
    return tuple(out.items())


VALUE = "valuation"  # the book's model of value, compared beside the chapters
VALUE_TITLE = "What the shares are worth"


def chapter_outputs(scenario: str, notebook: str) -> dict:
    """The key outputs of the chapter ``notebook`` under ``scenario``: its module's
    ``key_outputs(p, claims)`` with the scenario's parameters (or, for ``"valuation"``, the key figures)."""
    from alibaba_report import paths

    if notebook == VALUE:
        from alibaba_report.synthesis import key_figures

        return key_figures.figures(scenario)
    return dict(_outputs_cached(scenario, notebook, str(paths.root())))


def title(notebook: str) -> str:
    return VALUE_TITLE if notebook == VALUE else chapter(notebook).title


def comparison(scenarios=SCENARIOS) -> pd.DataFrame:
    """One row per key output, one column per scenario (plus label, unit and chapter)."""
    rows = []
    for ko in KEY_OUTPUTS:
        row = {"chapter": title(ko.notebook), "output": ko.label, "unit": ko.unit, "key": ko.key, "better": ko.better}
        for scen in scenarios:
            row[scen] = chapter_outputs(scen, ko.notebook).get(ko.key)
        rows.append(row)
    return pd.DataFrame(rows)


def readable(ko: KeyOutput, scenario: str) -> str:
    """A key output as a reader reads it: the number rounded, or the chapter's words when the
    number does not exist (losses that never converge, a programme that never pays back)."""
    out = chapter_outputs(scenario, ko.notebook)
    value = out.get(ko.key)
    if value is None or value != value:  # None or NaN
        return str(out.get(ko.text_key, "none")) if ko.text_key else "none"
    if ko.text_key and isinstance(out.get(ko.text_key), str):
        return f"{value:,.0f} ({out[ko.text_key]})" if ko.unit == "quarters" else f"{value:,.0f}"
    if ko.unit.startswith("USD"):  # a value per share: whole dollars, as the summary's key data shows it
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"


def comparison_table(scenarios=SCENARIOS) -> pd.DataFrame:
    """The scenarios side by side, for reading: output, unit, then one column per scenario."""
    rows = []
    for ko in KEY_OUTPUTS:
        row = {"chapter": title(ko.notebook), "key output": ko.label, "unit": ko.unit}
        row.update({scen: readable(ko, scen) for scen in scenarios})
        rows.append(row)
    return pd.DataFrame(rows).set_index(["chapter", "key output"])


# The comparison is drawn as four rows of two small charts on a figure narrow enough that, shown
# at the width of a 390 px phone (about 360 px), no label is under 9 px: at COMPARISON_SIZE[0]
# inches, 100 dpi, a label of COMPARISON_FONT points is 10.5 * 100 / 72 * 360 / 560 = 9.4 px.
COMPARISON_SIZE = (5.6, 11.5)
COMPARISON_FONT = 10.5


def plot_comparison(fig, scenarios=SCENARIOS, current: str | None = None) -> None:
    """One small bar chart per key output, bear to bull, the current scenario outlined; four rows
    of two, on a figure resized to ``COMPARISON_SIZE`` so that it reads on a phone."""
    import textwrap

    from alibaba_report.charts import style

    fig.set_size_inches(*COMPARISON_SIZE)
    ncols = 2
    axes = fig.subplots((len(KEY_OUTPUTS) + ncols - 1) // ncols, ncols).ravel()
    for ax, ko in zip(axes, KEY_OUTPUTS):
        vals = [chapter_outputs(s, ko.notebook).get(ko.key) for s in scenarios]
        vals = [float("nan") if v is None else float(v) for v in vals]
        known = [v for v in vals if v == v]
        # a missing outcome (never converges, never pays back) is the worst one: draw it as an
        # outlined bar beyond the others, never as a zero-height bar that would read as the best
        beyond = (max(known) if ko.better == "lower" else min(known)) * 1.15 if known else 1.0
        heights = [beyond if v != v else v for v in vals]
        bars = ax.bar(range(len(scenarios)), heights,
                      color=[style.SCENARIO_COLOURS.get(s, style.OTHER_COLOUR) for s in scenarios])
        for bar, v, s in zip(bars, vals, scenarios):
            bar.set_hatch(style.SCENARIO_HATCHES.get(s, "xx"))
            bar.set_edgecolor("white")
            if v != v:
                bar.set_facecolor("none")
                bar.set_edgecolor(style.GREY)
                bar.set_hatch("xx")
                bar.set_linestyle("--")
            if s == current:
                bar.set_edgecolor("black")
                bar.set_linewidth(2)
            label = "beyond\nhorizon" if v != v else (f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}")
            ax.annotate(label, (bar.get_x() + bar.get_width() / 2, max(bar.get_height(), 0)),
                        ha="center", va="bottom", fontsize=COMPARISON_FONT, xytext=(0, 2), textcoords="offset points")
        ax.axhline(0, color=style.GREY, lw=0.6)
        ax.set_xticks(range(len(scenarios)), scenarios)
        ax.set_title("\n".join(textwrap.wrap(ko.label, 24) + textwrap.wrap(f"({ko.unit}; {ko.better} is better)", 26)),
                     fontsize=COMPARISON_FONT, loc="left", fontweight="normal")
        ax.tick_params(labelsize=COMPARISON_FONT)
        low, high = min(min(heights), 0), max(max(heights), 0)
        ax.set_ylim(low - 0.12 * (high - low) if low < 0 else 0, high + 0.45 * (high - low))  # room for the labels
    for ax in axes[len(KEY_OUTPUTS):]:
        ax.set_visible(False)


def ordered_as_named(scenarios=SCENARIOS) -> list[str]:
    """Key outputs that do NOT improve from bear through base to bull (empty when all do).

    A missing number (no payback, no convergence) counts as the worst outcome."""
    worst = {"higher": float("-inf"), "lower": float("inf")}
    broken = []
    for ko in KEY_OUTPUTS:
        vals = []
        for s in scenarios:
            v = chapter_outputs(s, ko.notebook).get(ko.key)
            vals.append(worst[ko.better] if v is None or v != v else float(v))
        pairs = list(zip(vals, vals[1:]))
        ok = all(a <= b for a, b in pairs) if ko.better == "higher" else all(a >= b for a, b in pairs)
        if not ok:
            broken.append(ko.label)
    return broken


def valuation_grid(eps_usd: list[float], pe: list[float]) -> pd.DataFrame:
    """Value per ADS on 4 January 2026 (USD) = next-twelve-months EPS x forward multiple, over a grid:
    rows EPS, columns P/E."""
    return pd.DataFrame([[e * m for m in pe] for e in eps_usd],
                        index=pd.Index(eps_usd, name="EPS, next twelve months (USD)"),
                        columns=pd.Index(pe, name="P/E (x)"))


def scenario_valuation_points(scenarios=SCENARIOS) -> pd.DataFrame:
    """Each scenario's next-twelve-months EPS and multiple, and the value they give (the book's model of value)."""
    from alibaba_report.synthesis import key_figures

    rows = []
    for scen in scenarios:
        f = key_figures.figures(scen)
        rows.append({"scenario": scen, "eps_usd": f["ntm_eps_usd"], "pe": params.scenario_parameters(scen, "valuation")["forward_pe"],
                     "value_usd": f["value_per_ads_usd"]})
    return pd.DataFrame(rows).set_index("scenario")


def signposts(scenario: str) -> list[tuple[str, list]]:
    """Every chapter's signposts under ``scenario``: ``(chapter title, [Signpost, ...])`` in book order."""
    case = f"the {scenario} case"
    claims = ledger.load_claims()
    return [(ch.title, module(ch.notebook).signposts(chapter_params(scenario, ch.notebook), claims, case=case))
            for ch in CHAPTERS]


def signposts_table(scenario: str, first_only: bool = False) -> pd.DataFrame:
    """Signposts for reading: the threshold as text, the consequences in full, indexed by chapter."""
    frames = [contract.signposts_frame(posts[:1] if first_only else posts, chapter=title)
              for title, posts in signposts(scenario)]
    return pd.concat(frames, ignore_index=True).set_index(["chapter", "signpost"])


def assumptions_table(scenario: str) -> pd.DataFrame:
    """Every parameter of every chapter under ``scenario``: value, unit, allowed range, reason,
    and whether the scenario moves it away from base."""
    rows = []
    for section in [ch.notebook for ch in CHAPTERS] + [VALUE]:
        spec = params.specs(section)
        base = params.scenario_entries("base", section)
        here = params.scenario_entries(scenario, section)
        for name, ps in spec.items():
            allowed = ", ".join(ps.choices) if ps.choices else f"{ps.min:g} to {ps.max:g}" if ps.min is not None else "True/False"
            rows.append({
                "chapter": title(section), "parameter": name, "value": here[name].value, "unit": ps.unit,
                "allowed": allowed, "base": base[name].value,
                "reason": here[name].reason.strip(),
            })
    return pd.DataFrame(rows)


QUOTED_PRICES = (  # (label, claim id, currency): the prices and target the sources quote, per ADS
    ("price on 4 Jan (boerse-global.de, 4 January)", "us_share_price_s004", "USD"),
    ("resistance (AInvest, 12 January)", "resistance_level_s001", "USD"),
    ("euro close 13 Jan (the 14 January article)", "overseas_shares_close_s002", "EUR"),
    ("October high (boerse-global.de, 4 January)", "us_shares_oct_high_s004", "USD"),
    ("average target (boerse-global.de, 4 January)", "consensus_price_target_s004", "USD"),
)


def quoted_prices_frame(eur_usd: float) -> pd.DataFrame:
    """The sources' price points as a table (label, claim id, USD per ADS; a euro price through
    ``eur_usd``), cheapest first."""
    claims = ledger.load_claims()
    rows = [{"label": label, "claim": cid,
             "usd": claims.value(cid) * (eur_usd if cur == "EUR" else 1.0)} for label, cid, cur in QUOTED_PRICES]
    return pd.DataFrame(rows).sort_values("usd").reset_index(drop=True)


def plot_valuation(ax, eps_usd: list[float], pe: list[float], prices: pd.DataFrame, points: pd.DataFrame) -> None:
    """Value per ADS over EPS x multiple as a shaded field, the sources' prices as iso-value lines,
    each scenario as a labelled point."""
    import numpy as np

    from alibaba_report.charts import style

    e = np.linspace(min(eps_usd), max(eps_usd), 120)
    m = np.linspace(min(pe), max(pe), 120)
    value = np.outer(e, m)
    field = ax.pcolormesh(m, e, value, cmap="cividis", shading="auto", alpha=0.85)
    cs = ax.contour(m, e, value, levels=sorted(prices["usd"]), colors="white", linewidths=1.0, linestyles="--")
    ax.clabel(cs, fmt={lvl: f"{lab.split(' (')[0]}: {lvl:.0f}" for lvl, lab in zip(sorted(prices["usd"]), prices.sort_values("usd")["label"])},
              fontsize=8, inline=True, colors="white")
    # labels alternate below and above their points so neighbouring scenarios do not collide
    offsets = [(8, -16), (-8, 12), (8, 12)]
    for i, (scen, row) in enumerate(points.iterrows()):
        ax.plot(row["pe"], row["eps_usd"], marker=style.MARKERS[i], markersize=9, color="white",
                markeredgecolor="black", linestyle="none")
        dx, dy = offsets[i % len(offsets)]
        ax.annotate(f"{scen}: USD {row['value_usd']:.0f}", (row["pe"], row["eps_usd"]), xytext=(dx, dy),
                    textcoords="offset points", fontsize=8.5, ha="left" if dx > 0 else "right",
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85})
    ax.set_xlabel("P/E multiple applied (x)")
    ax.set_ylabel("EPS, next twelve months (USD per ADS)")
    ax.grid(False)
    cb = ax.figure.colorbar(field, ax=ax, pad=0.02)
    cb.set_label("value per ADS (USD)")


def _allowed_text(allowed: str) -> str:
    parts = [p.strip() for p in allowed.split(",")]
    return f"{parts[0]} … {parts[-1]} ({len(parts)} choices)" if len(parts) > 4 else allowed


def assumptions_markdown(scenario: str) -> str:
    """Every assumption as a list per chapter, for reading: name, value and unit, range, reason.

    The reasons come from data files, so everything is escaped; a value that differs from base
    says so.
    """
    from alibaba_report.evidence.appendix import md_escape

    table = assumptions_table(scenario)
    parts = []
    for chapter_title, rows in table.groupby("chapter", sort=False):
        parts += [f"**{md_escape(chapter_title)}**", ""]
        for _, r in rows.iterrows():
            moved = "" if r["value"] == r["base"] else f"; base {md_escape(str(r['base']))}"
            parts.append(
                f"- `{r['parameter']}` = **{md_escape(str(r['value']))}** {md_escape(r['unit'])} "
                f"(allowed {md_escape(_allowed_text(r['allowed']))}{moved}): {md_escape(' '.join(r['reason'].split()))}"
            )
        parts.append("")
    return "\n".join(parts)


# Reader words for the assumptions the scenarios move (the model of value's own labels first).
READER_NAMES = {
    "cloud_growth_pct": "cloud revenue growth in year 1",
    "cloud_growth_fade_pp": "how fast cloud growth fades",
    "ai_share_years": "years for AI to reach its target share of cloud revenue",
    "asset_life_years": "servers' working life",
    "utilisation_pct": "share of capacity sold",
    "factories_adopting": "factories that adopt cloud and AI",
    "spend_per_factory_rmb_m": "yearly cloud and AI spend per factory",
    "alibaba_share_pct": "Alibaba's share of that spend",
    "profit_multiple": "multiple of the plan's FY27 profit",
    "meitu_share_price_hkd": "Meitu's share price",
    "cloud_spend_multiple": "Meitu's cloud spend, as a multiple of the contract's minimum",
}


def reader_name(parameter: str) -> str:
    """An assumption in reader words; the parameter's name only if none is written (a test keeps the
    scenarios page free of those)."""
    from alibaba_report.synthesis import valuation

    if parameter in READER_NAMES:
        return READER_NAMES[parameter]
    return valuation.LABELS[parameter][0] if parameter in valuation.LABELS else parameter


def changed_assumptions(scenarios=SCENARIOS) -> tuple[pd.DataFrame, int]:
    """The assumptions that differ between the scenarios (value per scenario, with the unit), in reader
    words, and the number of assumptions in all."""
    tables = {s: assumptions_table(s).set_index(["chapter", "parameter"]) for s in scenarios}
    diff = pd.DataFrame({s: tables[s]["value"] for s in scenarios})
    # a shared parameter (the exchange rate, the cloud programme's) is one assumption: listed once, under
    # the first chapter that has it
    diff = diff[~diff.index.get_level_values("parameter").duplicated()]
    diff.insert(0, "unit", tables["base"]["unit"])
    moved = diff[[any(diff.loc[i, s] != diff.loc[i, "base"] for s in scenarios) for i in diff.index]]
    moved.index = pd.MultiIndex.from_tuples([(ch, reader_name(name)) for ch, name in moved.index],
                                            names=["chapter", "assumption"])
    return moved, len(diff)
