"""The Meitu chapter's figures, finished in the house style (the notebook shows them with style.show)."""
from __future__ import annotations

from alibaba_report.chapters.meitu_deal.model import CLAIMS, figures, key_outputs
from alibaba_report.chapters.meitu_deal.tables import payoff_chart_data, round_trip_bars
from alibaba_report.chapters.meitu_deal.text import payoff_title, round_trip_title
from alibaba_report.charts import style


def _escape_dollars(text: str) -> str:
    """A bare $ starts maths in matplotlib: escape it in chart text."""
    return text.replace("$", r"\$")


def payoff_figure(p, claims):
    """The bond's value at maturity against Meitu's share price: face below the conversion price,
    the shares above it, the assumed price marked."""
    f = figures(p, claims)
    curve = payoff_chart_data(p, claims)
    conv_price, top = f["conversion_price_hkd"], float(curve["share_price_hkd"].max())
    fig, ax = style.figure()
    ax.plot(curve.share_price_hkd, curve.conversion_value_usd_m, ls="--", color=style.PALETTE[1],
            label="value of the shares on conversion")
    ax.axhline(f["face_usd_m"], ls=":", color=style.GREY, label="face value repaid at maturity")
    ax.plot(curve.share_price_hkd, curve.holder_value_usd_m, lw=2.5, color=style.PALETTE[0],
            label="holder's value at maturity (the larger of the two)")
    ax.axvline(conv_price, color=style.PALETTE[3], lw=1)
    ax.annotate(_escape_dollars(f"break-even = conversion price\nHK${conv_price:.0f}"),
                (conv_price, 0.25 * curve.holder_value_usd_m.max()),
                xytext=(6, 0), textcoords="offset points", color=style.PALETTE[3], fontsize=9)
    ax.plot([p.meitu_share_price_hkd], [f["holder_value_usd_m"]], marker="o", ms=8, color=style.PALETTE[2], ls="none",
            label=_escape_dollars(f"assumed share price HK${p.meitu_share_price_hkd:.2f}: "
                                  f"USD {f['holder_value_usd_m']:.0f}m"))
    ax.set_xlabel("Meitu share price at maturity (HKD per share)")
    ax.set_ylabel("value to Alibaba (USD million)")
    ax.set_xlim(0, top)
    ax.set_ylim(0, None)
    ax.legend(loc="upper left", fontsize=9)
    title = payoff_title(conv_price, p.meitu_share_price_hkd, f["conversion_value_usd_m"], f["conversion_gain_pct"],
                         f["face_usd_m"])
    source = (claims.source_line([CLAIMS["face_usd_m"], CLAIMS["conversion_price_hkd"]])
              + f". Assumptions: HKD {p.usd_hkd} per USD; Meitu share price HK${p.meitu_share_price_hkd:g} (approximate)."
              " Ignores Meitu's credit risk and the coupon.")
    return style.finish(fig, _escape_dollars(title), _escape_dollars(source))


def round_trip_figure(p, claims):
    """Left, what goes out and what comes back (USD m); right, Meitu's purchases against a year of
    Alibaba Cloud revenue."""
    f = figures(p, claims)
    bars_data = round_trip_bars(p, claims)
    labels, values = list(bars_data["label"]), list(bars_data["usd_m"])
    fig, (ax1, ax2) = style.figure(1, 2, gridspec_kw={"width_ratios": [1.5, 1]})
    bars = ax1.barh(labels[::-1], values[::-1], color=[style.PALETTE[i] for i in (2, 4, 1, 0)],
                    hatch=None, edgecolor="white")
    for bar, hatch in zip(bars, style.HATCHES[:4][::-1]):
        bar.set_hatch(hatch)
    for bar, v in zip(bars, values[::-1]):
        ax1.text(bar.get_width() + 4, bar.get_y() + bar.get_height() / 2, f"{v:,.1f}", va="center", fontsize=9)
    ax1.set_xlabel("USD million")
    ax1.set_xlim(0, 1.18 * max(values))
    ax1.grid(axis="y", visible=False)
    ax1.set_title("What goes out and what comes back", fontsize=10)
    year_rev, per_year = f["cloud_year_revenue_usd_m"], key_outputs(p, claims)["cloud_per_year_usd_m"]
    where = ["a year of revenue\n(4 × the quarter)"]
    ax2.bar(where, [year_rev / 1000], color=style.PALETTE[0], width=0.5)
    ax2.bar(where, [per_year / 1000], color=style.PALETTE[3], width=0.5)
    ax2.annotate(f"Meitu's purchases:\nUSD {per_year:.0f}m a year,\n{f['cloud_share_of_cloud_year_pct']:.2f}% of it",
                 (0, per_year / 1000), xytext=(0.3, 0.25 * year_rev / 1000),
                 arrowprops={"arrowstyle": "->", "color": style.PALETTE[3]}, color=style.PALETTE[3], fontsize=9)
    ax2.set_ylabel("USD billion a year")
    ax2.set_xlim(-0.5, 1.3)
    ax2.grid(axis="x", visible=False)
    ax2.set_title("Against Alibaba Cloud", fontsize=10)
    source = (claims.source_line([CLAIMS[r] for r in ("face_usd_m", "cloud_min_rmb_m", "cloud_years",
                                                      "cloud_quarter_revenue_usd_bn", "cloud_quarter_ebitda_usd_m")])
              + f". Assumptions: RMB {p.usd_rmb} per USD; spend {p.cloud_spend_multiple:g} × the minimum; coupon "
              f"{p.bond_coupon_pct:g}% for {p.bond_term_years:g} years (Meitu's HKEX announcement); "
              "a year = 4 × the quarter.")
    return style.finish(fig, round_trip_title(f), source)
