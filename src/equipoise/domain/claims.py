"""Reports of deliveries of uncertain credibility: claims, sources, likelihood ratios.

DOMAIN.md §7. A claim says a delivery happened; it has a prior probability and
sources, each of a kind with a likelihood ratio P(source | true) / P(source |
false). Claims live in a scenario's ``claims:`` block or in a file of their own
(top-level ``claims:``), checked against the scenario they are used with.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict

from equipoise.domain.common import Frozen, Name, PositiveCount, Probability, Text
from equipoise.domain.holdings import Holding

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


class ClaimSource(Frozen):
    """One source for a claim. Sources in one ``dependency_group`` share an origin
    (one reporter, one image): only the most informative of them counts."""

    kind: Name
    reference: Text
    dependency_group: Name | None = None


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
        """The effective table: defaults, overridden or extended by the file."""
        return {**DEFAULT_LIKELIHOOD_RATIOS, **self.likelihood_ratios}


class ClaimsFile(Frozen):
    """A file holding only claims."""

    claims: ClaimsBlock
