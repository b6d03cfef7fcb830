"""Field types and the frozen base shared by every file format equipoise reads."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

MAX_COUNT = 10_000_000
MAX_VALUE = 1e9

Count = Annotated[int, Strict(), Field(ge=0, le=MAX_COUNT)]
PositiveCount = Annotated[int, Strict(), Field(ge=1, le=MAX_COUNT)]
Probability = Annotated[float, Strict(), Field(ge=0.0, le=1.0, allow_inf_nan=False)]
NonNegative = Annotated[float, Strict(), Field(ge=0.0, le=MAX_VALUE, allow_inf_nan=False)]
Positive = Annotated[float, Strict(), Field(gt=0.0, le=MAX_VALUE, allow_inf_nan=False)]
Real = Annotated[float, Strict(), Field(ge=-MAX_VALUE, le=MAX_VALUE, allow_inf_nan=False)]
Name = Annotated[str, Strict(), Field(min_length=1, max_length=80)]
Text = Annotated[str, Strict(), Field(max_length=4000)]
Year = Annotated[int, Strict(), Field(ge=1000, le=3000)]


class Frozen(BaseModel):
    """Base of every file model: immutable, no unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)
