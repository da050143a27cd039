"""The rules nbval applies to both sides of every compared output (tests/nbval_sanitize.cfg), read as
nbval reads them: each replaces what varies between machines and runs, and leaves the data alone."""
from __future__ import annotations

import configparser
import json
import re
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rules() -> list[tuple[re.Pattern, str]]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "tests" / "nbval_sanitize.cfg", encoding="utf-8")
    return [(re.compile(cfg[s]["regex"]), cfg[s]["replace"]) for s in cfg.sections()]


def sanitize(text: str) -> str:
    for pattern, replace in rules():
        text = pattern.sub(replace, text)
    return text


def test_a_kernel_path_and_an_address_in_a_warning_read_the_same_on_every_run():
    # a kernel's cell file under whatever temporary folder this machine has, and under another
    one = f"{Path(tempfile.gettempdir()) / 'ipykernel_4242' / '1234567.py'}:3: UserWarning: figure at 0x7f3a2b1c0d90"
    two = f"{Path('scratch', 'xyz', 'ipykernel_17', '99.py')}:3: UserWarning: figure at 0x55aa01"
    assert sanitize(one) == sanitize(two) == "IPYKERNEL_CELL:3: UserWarning: figure at 0xADDRESS"


def test_a_float_printed_in_full_is_compared_to_eight_decimals():
    assert sanitize("248.07899203125004") == sanitize("248.07899203125") == "248.07899203"
    assert sanitize("248.07899213") != sanitize("248.07899203")  # a moved figure still differs


def test_a_sliders_data_passes_through_with_its_figures():
    """The summary's slider carries its whole grid as one word of about 180,000 characters: the rules
    must leave every figure in it as it is (they are already at the stated precision)."""
    nb = json.loads((ROOT / "book" / "index.ipynb").read_text(encoding="utf-8"))
    htmls = ["".join(o["data"]["text/html"]) for c in nb["cells"] if c["cell_type"] == "code"
             for o in c.get("outputs", []) if "slider-chart" in "".join(o.get("data", {}).get("text/html", ""))]
    assert len(htmls) > 0
    longest = max(htmls, key=len)
    assert max(len(w) for w in longest.split()) > 10_000
    assert sanitize(longest) == longest
