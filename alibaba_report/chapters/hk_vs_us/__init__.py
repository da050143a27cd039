"""Hong Kong versus US pricing: parity, index weight and the arithmetic of the quoted valuation.

One Alibaba American depositary share (NYSE: BABA) stands for a fixed number of the ordinary shares
that trade in Hong Kong (HKEX: 9988), so the two prices are tied by two named assumptions: the
ADS-to-share ratio and the USD/HKD rate. The model is that arithmetic and the arithmetic of the
sources' multiples, prices and targets (boerse-global.de, 4 January 2026; AInvest, 12 January; the
8 January and 14 January articles), each a plain function of numbers (no I/O), so that a reader can
check every figure on the page by hand.

:mod:`.model` holds the numbers (``CLAIMS``, the arithmetic, ``compute``, ``key_outputs``,
``page_figures``), :mod:`.tables` the page's tables, :mod:`.text` the words (``prose``,
``signposts``, ``headline``) and :mod:`.charts` the figures. Conventions: percentages are in percent
(5.0 means 5%), prices in the currency named by the argument, a "move" is a relative change of a price.
"""
from alibaba_report.chapters.hk_vs_us.model import (  # noqa: F401
    ANALYSTS, base_from_growth, BUYS, change_pct, CHAPTER_CLAIMS, CLAIMS, compute, DRAWDOWN, drawdown_pct,
    eps_from_pe, eps_fy26_if_growth_base, EPS_FY27, EPS_GROWTH, EUR_BELOW_HIGH, EUR_CLOSE, eur_to_usd, GAIN_2025,
    high_52w_eur, high_from_distance, hk_parity_price_hkd, hk_premium_pct, index_figures, index_move_pp, key_outputs,
    MOVE_JAN8, MOVES, NOTEBOOK, ntm_eps, ntm_eps_if_growth_base, NTM_SHARE_OF_FY26, OCT_HIGH, PAGE_CLAIMS,
    page_figures, PE_001, PE_AMAZON, PE_FORWARD, pe_from_price, PE_SP500, price_figures, price_from_eps,
    price_from_upside, PRICE_NOW, RESISTANCE, ROUND_MULTIPLE_TOLERANCE_X, ROUND_PCT_TOLERANCE_PP,
    SAME_LEVEL_TOLERANCE_PCT, start_of_2025_price_usd, stock_move_for_index_move, TARGET, target_from_upside,
    TARGET_UPSIDE_STATED, UPSIDE_001, upside_pct, us_parity_price_usd, valuation_figures, WEIGHT
)
from alibaba_report.chapters.hk_vs_us.tables import (  # noqa: F401
    Check, check_stated, checks, checks_table, implied_eps_table, index_effect_of_seed_moves, ledger_table,
    LONG_TERM_LOGIC, multiples_table, NEAR_TERM_LOGIC, price_points, price_points_for_reading, reference_prices,
    two_logics, upside_001_table
)
from alibaba_report.chapters.hk_vs_us.text import (  # noqa: F401
    above_or_below, headline, index_effect_alt, index_effect_title, multiples_alt, multiples_title,
    PARITY_TOLERANCE_PCT, premium_origin, premium_words, prose, resistance_reading, signposts, timeline_alt,
    timeline_title, words_vs
)
from alibaba_report.chapters.hk_vs_us.charts import (  # noqa: F401
    index_effect_figure, multiples_figure, REFERENCE_LINE_STYLES, timeline_figure
)
