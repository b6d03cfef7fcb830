"""Results as a notebook shows them: a one-line ``repr``, an HTML view that is valid
HTML and opens with the verdict, and figures that display inline (``_repr_png_``)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import numpy as np
import pytest

import equipoise
from equipoise.analysis.results import verdicts

VOID = {"br", "hr", "img", "meta", "input"}


class Balanced(HTMLParser):
    """Checks that every opened element is closed, in order (what a browser forgives,
    a test should not)."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open, tag
        assert self.open[-1] == tag, (self.open, tag)
        self.open.pop()


def _results() -> list[Any]:
    analysis = equipoise.analyze("west-asia-2024", trials=200)
    grid = equipoise.deterrence_map(
        "west-asia-2024",
        "IRN",
        "ISR",
        equipoise.AxisSpec("IRN", "mrbm", np.array([0.0, 120.0, 240.0])),
        equipoise.AxisSpec("ISR", "upper-tier-bmd", np.array([0.0, 6.0])),
        first_strike_advantage=False,
    )
    whatif = equipoise.whatif("west-asia-2024", ["IRN:ew-complex"], trials=200)
    return [analysis, analysis.dyads[0], grid, whatif, equipoise.claims_report("west-asia-2024")]


@pytest.mark.parametrize("result", _results(), ids=lambda r: type(r).__name__)
def test_repr_is_short_and_html_is_valid(result: Any) -> None:
    assert len(repr(result)) < 120
    assert "\n" not in repr(result)
    page = result._repr_html_()
    checker = Balanced()
    checker.feed(page)
    checker.close()
    assert checker.open == []
    for line in verdicts(result):
        assert line.split(":")[0] in page


def test_html_view_opens_with_each_dyads_verdict() -> None:
    result = equipoise.analyze("levant-2018", trials=200)
    page = result._repr_html_()
    for dyad in result.dyads:
        assert f"{dyad.a}-{dyad.b}: {dyad.sides[0].called} is" in page.replace("&#x27;", "'")
    assert page.index("deterred from striking first") < page.index("<table")


def test_figures_display_inline() -> None:
    figure = equipoise.analyze("levant-2018", trials=200).plot()
    assert figure._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"


def test_progress_true_shows_a_bar_and_gives_the_same_numbers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``progress=True`` draws a tqdm bar (stderr here; a widget in a notebook) and
    changes nothing else."""
    with_bar = equipoise.analyze("levant-2018", trials=300, seed=2, progress=True)
    assert "analyze levant-2018" in capsys.readouterr().err
    plain = equipoise.analyze("levant-2018", trials=300, seed=2)
    assert with_bar.to_dict() == plain.to_dict()
