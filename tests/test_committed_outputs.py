"""The committed notebooks glue what the package computes today, on this machine and on another.

The first test is the inner loop's: `make test-fast` names each notebook whose committed figures moved
(a model, a claim or a base value changed) and the command that refreshes it, without a kernel. The
second runs the same code in a child process with numpy's SIMD paths limited and one thread, as on an
older or different CPU, and asserts the same figures at the stated precision.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import notebook_glue as ng
import pytest

STEMS = ng.toc_stems()


def test_the_book_has_notebooks_to_check():
    assert len(STEMS) > 0


@pytest.mark.parametrize("stem", STEMS)
def test_committed_glue_matches_the_package(stem):
    then = ng.committed(stem)
    assert then, f"book/{stem}.ipynb holds no glued values: was it committed without outputs? run make refresh NB={stem}"
    diffs = ng.differences(ng.computed(stem), then)
    assert not diffs, (f"book/{stem}.ipynb is stale: {len(diffs)} glued value(s) differ from what the package computes "
                       f"under base; run `make refresh NB={stem}` and commit it.\n  " + "\n  ".join(diffs[:12]))


LIMITED = {
    "NPY_DISABLE_CPU_FEATURES": "AVX512F AVX512CD AVX512_SKX AVX2 FMA3",  # numpy's baseline SIMD paths only
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "123",
}


@pytest.mark.notebook  # runs every notebook's code once more in a child process (tens of seconds)
def test_another_machines_numbers_are_the_committed_ones():
    env = {**os.environ, **LIMITED}
    env.pop("REPORT_ROOT", None)
    proc = subprocess.run([sys.executable, str(ng.ROOT / "tests" / "notebook_glue.py")], env=env,
                          capture_output=True, text=True, timeout=900, cwd=ng.ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # numpy warns on stderr about a feature it cannot disable only when the CPU lacks it; either way
    # the dispatch is limited to what remains
    limited = json.loads(proc.stdout)
    assert set(limited) == set(STEMS)
    problems = {stem: ng.differences(limited[stem], ng.committed(stem)) for stem in STEMS}
    problems = {s: d for s, d in problems.items() if d}
    assert not problems, "with numpy's CPU features limited, these glued values differ:\n" + json.dumps(problems, indent=1)[:4000]


def test_a_moved_figure_is_named_and_a_last_digit_is_not():
    assert ng.differences({"value": 155.0}, {"value": 154.5}) == ["value: committed '154.5', now '155.0'"]
    assert ng.differences({"value": 248.07899203125}, {"value": 248.07899203125004}) == []
    assert ng.differences({"text": "new words"}, {"text": "old words"}) and ng.differences({}, {"gone": 1.0})


def test_two_long_texts_that_differ_late_are_shown_where_they_differ():
    head = "The sources date every article but not the policy: the 9%+ session falls between 9 and 12 January, "
    (line,) = ng.differences({"title": head + "by the AI-written source alone"}, {"title": head + "by the AI-written seed alone"})
    assert "seed alone" in line and "source alone" in line and "…" in line


@pytest.mark.parametrize("stem", STEMS)
def test_committed_notebooks_carry_no_image_bytes(stem):
    """What nbval compares is text; chart bytes would make every refresh a diff of hundreds of kB."""
    nb = json.loads((ng.ROOT / "book" / f"{stem}.ipynb").read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    assert outputs, f"book/{stem}.ipynb has no outputs: nbval would pass it without comparing anything"
    images = [k for o in outputs for k in o.get("data", {}) if k.startswith("image/")]
    assert not images, f"book/{stem}.ipynb carries {len(images)} image(s); run `make refresh NB={stem}`"
