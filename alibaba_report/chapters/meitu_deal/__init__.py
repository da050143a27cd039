"""The Meitu deal: what Alibaba's USD 250 million convertible bond converts into, and what comes back.

Boerse-global.de (4 January 2026) gives the terms: a USD 250 million convertible bond with a
conversion price of HK$6 per Meitu share, Alibaba promoting Meitu's AI e-commerce tools on Taobao
and Tmall, and a three-year agreement under which Meitu buys at least RMB 560 million of Alibaba's
cloud services. Everything else is a named parameter (FX rates, Meitu's share price and share count,
the bond's coupon and term from Meitu's own announcement).

The arithmetic (:mod:`.model`) takes plain numbers (no I/O, no ledger), so it can be tested by hand:

* conversion: shares the bond converts into, the stake after dilution, the conversion value at a
  share price, a holder's value at maturity (the larger of face and conversion value, ignoring
  credit risk and coupons), the break-even share price;
* the round trip: the cloud agreement per year and in total, in RMB and USD, against the investment
  and against Alibaba Cloud's revenue (its run rate and margin from :mod:`~alibaba_report.chapters.cloud_ai`).

The chapter contract (:mod:`~alibaba_report.chapters.contract`) combines them with the ledger's
claims (ids in ``CLAIMS``): ``compute`` and ``key_outputs`` (:mod:`.model`), ``signposts``,
``prose`` and ``headline`` (:mod:`.text`), the tables (:mod:`.tables`) and the charts
``payoff_figure`` and ``round_trip_figure`` (:mod:`.charts`).
"""
from alibaba_report.chapters.meitu_deal.model import (  # noqa: F401
    bond_floor_usd_m, bond_value, breakeven_share_price_hkd, CLAIMS, cloud_ebitda_on_spend_usd_m, cloud_round_trip,
    compute, conversion_option_usd_m, conversion_shares_m, conversion_value_usd_m, coupons_usd_m, DATE_ROLES, figures,
    holder_value_usd_m, investment_vs_cash_outflow, key_outputs, market_value_usd_m, NOTEBOOK, payoff_curve,
    stake_after_conversion, terms
)
from alibaba_report.chapters.meitu_deal.tables import (  # noqa: F401
    conversion_table, payoff_chart_data, price_table, readable, round_trip_bars, round_trip_table, terms_table
)
from alibaba_report.chapters.meitu_deal.text import (  # noqa: F401
    day_month_year, gain_words, headline, MATERIAL_SHARE_PCT, materiality_words, option_state,
    payoff_alt, payoff_title, prose, round_trip_alt, round_trip_title, signposts
)
from alibaba_report.chapters.meitu_deal.charts import (  # noqa: F401
    payoff_figure, round_trip_figure
)
from alibaba_report.chapters.contract import ModelInputError  # noqa: F401  (the tests' name for a bad input)
