"""Reports of deliveries of uncertain credibility: claims, sources, likelihood ratios.

docs/model.md §9. A claim says a delivery happened; it has a prior probability and
sources, each of a kind with a likelihood ratio P(source | true) / P(source |
false). Claims live in a scenario's ``claims:`` block or in a file of their own
(top-level ``claims:``), checked against the scenario they are used with.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any

from pydantic import Field, Strict, ValidationInfo, field_validator, model_validator

from equipoise.data import FILES
from equipoise.domain.common import Frozen, Name, PositiveCount, Probability, Text
from equipoise.domain.holdings import Holding
from equipoise.errors import InputError

Ratio = Annotated[float, Strict(), Field(gt=0.0, le=1e6, allow_inf_nan=False)]


class LikelihoodRatio(Frozen):
    """How much more likely a source of this kind is if the claim is true than if false."""

    ratio: Ratio
    reasoning: Text = ""


# The defaults are ASSUMPTIONS, not measurements: orders of magnitude chosen so that
# the reasoning below holds; users should override them in their files.
DEFAULT_LIKELIHOOD_RATIOS: dict[str, LikelihoodRatio] = {
    "official_confirmation": LikelihoodRatio(
        ratio=20.0,
        reasoning=(
            "A government confirming its own delivery rarely does so falsely; not infinite, "
            "because states sometimes signal deliveries they have not made."
        ),
    ),
    "satellite_imagery": LikelihoodRatio(
        ratio=8.0,
        reasoning=(
            "Commercial imagery read by credible analysts is strong but open to "
            "misidentification and decoys."
        ),
    ),
    "several_independent_outlets": LikelihoodRatio(
        ratio=5.0,
        reasoning=(
            "Independent credible outlets with their own sourcing agree; they are often "
            "wrong together when they share unnamed officials, so the ratio stays moderate."
        ),
    ),
    "single_credible_outlet": LikelihoodRatio(
        ratio=2.0,
        reasoning="One credible outlet's report: informative but single-sourced.",
    ),
    "consistent_with_confirmed_deliveries": LikelihoodRatio(
        ratio=1.5,
        reasoning=(
            "Fits a pattern of earlier confirmed deliveries: raises plausibility a little, "
            "but a pattern is what a plausible fabrication would also follow."
        ),
    ),
    "unverified_social_media_reports": LikelihoodRatio(
        ratio=1.3,
        reasoning=("Several unverified posts, likely copying one another: near-neutral evidence."),
    ),
    "single_unverified_image": LikelihoodRatio(
        ratio=1.2,
        reasoning=(
            "One unverified image or post: cheap to produce or misattribute, so it barely "
            "separates true from false claims."
        ),
    ),
    "denial_by_recipient": LikelihoodRatio(
        ratio=0.8,
        reasoning="Recipients deny true deliveries too; weak evidence against.",
    ),
    "denial_by_supplier": LikelihoodRatio(
        ratio=0.7,
        reasoning=(
            "Suppliers often deny sensitive true deliveries; a denial is weak evidence against."
        ),
    ),
    "attribution_not_found": LikelihoodRatio(
        ratio=0.5,
        reasoning=(
            "The claim is attributed to a report that cannot be found at the named outlet: "
            "a fabricated attribution is more likely when the claim itself is false."
        ),
    ),
}


# Admiralty grading (NATO AJP-2.1): source reliability A-F, information credibility
# 1-6. A graded source (``grade: B2``) takes the likelihood ratio of source kind
# ``admiralty_B2`` from the shipped table data/files/admiralty.csv (documented in
# data/files/README.md); a claims file may override any row under likelihood_ratios.
ADMIRALTY_FILE = "admiralty.csv"
ADMIRALTY_PREFIX = "admiralty_"
ADMIRALTY_RELIABILITY = "ABCDEF"
ADMIRALTY_CREDIBILITY = "123456"
_GRADE = re.compile(r"^\s*([A-Fa-f])\s*-?\s*([1-6])\s*$")
_GRADE_FIX = (
    "write source reliability A-F then information credibility 1-6 (NATO AJP-2.1), e.g. grade: B2"
)


def normalise_grade(value: Any) -> str | None:
    """'b-2', ' B2 ' -> 'B2'; None when the text is not an Admiralty grade."""
    match = _GRADE.match(value) if isinstance(value, str) else None
    return (match.group(1).upper() + match.group(2)) if match else None


def admiralty_kind(grade: str) -> str:
    """The source kind a graded source counts as: 'B2' -> 'admiralty_B2'."""
    return ADMIRALTY_PREFIX + grade


@lru_cache(maxsize=1)
def admiralty_ratios() -> dict[str, LikelihoodRatio]:
    """Likelihood ratio of every Admiralty grade, from the shipped, editable table.

    The table must hold all 36 grades (A1 to F6), each with a positive ratio.
    """
    label = f"{FILES.replace('.', '/')}/{ADMIRALTY_FILE}"
    with resources.files(FILES).joinpath(ADMIRALTY_FILE).open("r", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    table: dict[str, LikelihoodRatio] = {}
    for line, row in enumerate(rows, start=2):
        grade = normalise_grade(row.get("grade"))
        try:
            ratio = float(row.get("likelihood_ratio") or "")
        except ValueError:
            ratio = math.nan
        if grade is None or not (math.isfinite(ratio) and 0 < ratio <= 1e6):
            raise InputError(
                f"{label}:{line}: bad row {dict(row)}",
                "each row needs a grade A1-F6 and a positive likelihood_ratio",
            )
        reasoning = f"Admiralty grade {grade} (NATO AJP-2.1): {row.get('reasoning') or ''}".rstrip()
        table[admiralty_kind(grade)] = LikelihoodRatio(ratio=ratio, reasoning=reasoning)
    missing = [
        r + c
        for r in ADMIRALTY_RELIABILITY
        for c in ADMIRALTY_CREDIBILITY
        if admiralty_kind(r + c) not in table
    ]
    if missing:
        raise InputError(
            f"{label}: no likelihood ratio for grades {', '.join(missing)}",
            "give a row for each of the 36 grades A1 to F6",
        )
    return table


class ClaimSource(Frozen):
    """One source for a claim. Sources in one ``dependency_group`` share an origin
    (one reporter, one image): only the most informative of them counts.

    A source has a ``kind`` (a row of the likelihood-ratio table) or an Admiralty
    ``grade`` (e.g. B2: usually reliable, probably true), which makes its kind
    ``admiralty_B2`` with the ratio from the Admiralty table; not both.
    """

    kind: Name
    reference: Text
    dependency_group: Name | None = None
    grade: Name | None = None

    @model_validator(mode="before")
    @classmethod
    def _kind_from_grade(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and data.get("grade") is not None and "kind" not in data:
            grade = normalise_grade(data["grade"]) or str(data["grade"])
            return {**data, "kind": admiralty_kind(grade)}
        return data

    @field_validator("grade")
    @classmethod
    def _check_grade(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        grade = normalise_grade(value)
        if grade is None:
            raise ValueError(f"'{value}' is not an Admiralty grade; {_GRADE_FIX}")
        kind = info.data.get("kind")
        if kind is not None and kind != admiralty_kind(grade):
            raise ValueError(
                f"the source has both kind '{kind}' and grade '{value}'; give one of them "
                "(a graded source takes its likelihood ratio from the Admiralty table)"
            )
        return grade


class ClaimDelivery(Frozen):
    """What the claim says was delivered: a supplier package, or explicit systems.

    ``package`` is PACKAGE or SUPPLIER.PACKAGE from a supplier's catalogue; or
    ``systems`` lists holdings directly (with an optional ``supplier``).
    """

    recipient: Name
    package: Name | None = None
    quantity: PositiveCount = 1
    systems: dict[Name, Holding] = Field(default_factory=dict)
    supplier: Name | None = None


class Claim(Frozen):
    """A report that a delivery happened."""

    statement: Text
    delivery: ClaimDelivery
    when: Text = ""
    prior: Probability
    sources: tuple[ClaimSource, ...] = ()


class ClaimsBlock(Frozen):
    """Claims, the likelihood-ratio table (overrides and additions to the defaults),
    groups of mutually exclusive claims, and how the possible worlds are explored."""

    likelihood_ratios: dict[Name, LikelihoodRatio] = Field(default_factory=dict)
    items: dict[Name, Claim] = Field(min_length=1)
    exclusive: tuple[tuple[Name, ...], ...] = ()
    max_enumerated_worlds: Annotated[int, Strict(), Field(ge=1, le=65_536)] = 4096
    sampled_worlds: Annotated[int, Strict(), Field(ge=10, le=100_000)] = 2000
    trials_per_world: Annotated[int, Strict(), Field(ge=2, le=100_000)] = 256

    def ratios(self) -> dict[str, LikelihoodRatio]:
        """The effective table: defaults (and, when a source is graded, the Admiralty
        table), overridden or extended by the file."""
        graded = any(s.grade for claim in self.items.values() for s in claim.sources)
        admiralty = admiralty_ratios() if graded else {}
        return {**DEFAULT_LIKELIHOOD_RATIOS, **admiralty, **self.likelihood_ratios}


class ClaimsFile(Frozen):
    """A file holding only claims."""

    claims: ClaimsBlock
