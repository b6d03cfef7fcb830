"""A real interception record: reading it, fitting defence shares, backtesting them.

The record is the Ukrainian Air Force's daily reports as compiled by Ivaniuk (2026),
UA AirDefense Tracker (ODC-BY 1.0), shipped with equipoise; a user's newer copy of
the same export reads unchanged. Each row is a reporting window and a weapon model
with counts launched, destroyed, not reaching the target and still in the air.
Models map to weapon families with an editable table (``families.csv``). Shares are
fitted per family with a beta-binomial model (overdispersion between windows), the
salvo engine's channel-limit is tested against a constant share, and predictions of
``destroyed`` given ``launched`` are scored on windows the fit has not seen
(docs/model.md §12). These are one party's claims, not independently verified.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from equipoise.analysis.results import Plottable, clean
from equipoise.engines import interception as engine
from equipoise.errors import InputError, Problem
from equipoise.records.provenance import csv_with_provenance

FILES = "equipoise.data.files"
FOLDER = "ua-air-defence"
RECORD_FILE = "missile_attacks_daily.csv.gz"
FAMILIES_FILE = "families.csv"
CITATION = (
    "Ivaniuk, P. (2026). UA AirDefense Tracker — Ukraine air defense aggregated data. "
    "Compiled from the daily bulletins of the Air Force Command of the Armed Forces of "
    "Ukraine. ODC-BY 1.0."
)
CAVEAT = (
    "One party's claims (Ukrainian Air Force reports), not independently verified; "
    "'destroyed' mixes kinetic interception and electronic suppression."
)
REQUIRED = ("time_start", "time_end", "model", "launched", "destroyed")
OPTIONAL = ("not_reach_goal", "still_attacking")
MIXED = "mixed"
UNMAPPED = "unmapped"
RECENT_HALF_LIFE_DAYS = 180.0
MODELS = (
    "beta_binomial",
    "beta_binomial_saturating",
    "beta_binomial_recent",
    "beta_binomial_kind",
    "binomial_family",
    "binomial_pooled",
)
MODEL_DESCRIPTIONS = {
    "beta_binomial": "per family, constant share, beta-binomial between windows",
    "beta_binomial_saturating": "per family, channel-limited share p*min(n,c)/n, beta-binomial",
    "beta_binomial_recent": (
        f"per family beta-binomial, windows weighted by recency "
        f"(half-life {RECENT_HALF_LIFE_DAYS:g} days)"
    ),
    "beta_binomial_kind": (
        "per family and reporter (national bulletin or regional air command), "
        "beta-binomial; falls back to the family"
    ),
    "binomial_family": "baseline: per family binomial share, no overdispersion",
    "binomial_pooled": "baseline: one binomial share for all families",
}
_DATE = r"^\s*(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2})(?::\d{2})?)?\s*$"


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Families:
    """Model name -> weapon family and scenario threat kind, from an editable table."""

    family: dict[str, str]
    threat_kind: dict[str, str]
    source: str

    def classify(self, model: str) -> tuple[str, tuple[str, ...]]:
        """Family of a row's model field and the names not in the table.

        The full name is looked up first; otherwise it is split on " and ": one
        family if all parts agree, ``mixed`` if they differ, ``unmapped`` if any
        part is unknown.
        """
        name = model.strip()
        if name in self.family:
            return self.family[name], ()
        parts = [part.strip() for part in name.split(" and ") if part.strip()]
        missing = tuple(part for part in parts if part not in self.family)
        if missing or not parts:
            return UNMAPPED, missing or (name,)
        found = {self.family[part] for part in parts}
        return (found.pop() if len(found) == 1 else MIXED), ()


def _open_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(
            f"cannot read {path}: {error.strerror or error}", "check the path"
        ) from None
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path}: not UTF-8 text (byte {error.start})", "save the file as UTF-8 CSV"
        ) from None


def _shipped(name: str) -> tuple[str, str]:
    handle = resources.files(FILES).joinpath(FOLDER).joinpath(name)
    raw = handle.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8"), f"equipoise/data/files/{FOLDER}/{name}"


def read_families(path: str | Path | None = None) -> Families:
    """The model -> family table: the shipped one, or a user's CSV with the same columns.

    Columns: ``model``, ``family``, optional ``threat_kind`` (an equipoise offensive
    kind, empty for none).
    """
    if path is None:
        text, source = _shipped(FAMILIES_FILE)
    else:
        source = str(path)
        text = _open_text(Path(path))
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    if "model" not in columns or "family" not in columns:
        raise InputError(
            f"{source}: a families table needs columns 'model' and 'family' (found {columns})",
            "start from the shipped table: equipoise interception record --families-table",
        )
    family: dict[str, str] = {}
    kind: dict[str, str] = {}
    for row in reader:
        name = (row.get("model") or "").strip()
        value = (row.get("family") or "").strip()
        if not name or not value:
            raise InputError(
                f"{source}:{reader.line_num}: empty model or family", "fill in both columns"
            )
        if name in family and family[name] != value:
            raise InputError(
                f"{source}:{reader.line_num}: model {name!r} is mapped twice "
                f"({family[name]!r} and {value!r})",
                "keep one row per model",
            )
        family[name] = value
        kind[value] = (row.get("threat_kind") or "").strip() or kind.get(value, "")
    return Families(family, kind, source)


def _rows(text: str, source: str) -> tuple[list[str], list[list[str]], list[int]]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{source}: empty file", "give the daily-reports CSV export") from None
    rows: list[list[str]] = []
    lines: list[int] = []
    start = reader.line_num + 1
    try:
        for row in reader:
            if row:
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        raise InputError(
            f"{source}:{reader.line_num}: unreadable CSV ({error})",
            "check the quoting on that line",
        ) from None
    return [name.strip() for name in header], rows, lines


def _times(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse "YYYY-MM-DD HH:MM" (one- or two-digit hour) and "YYYY-MM-DD".

    Returns the times, whether each parsed, and whether it carried a time of day.
    """
    parts = values.fillna("").astype(str).str.extract(_DATE)
    date = pd.to_datetime(parts[0], format="%Y-%m-%d", errors="coerce")
    hours = pd.to_numeric(parts[1], errors="coerce").fillna(0)
    minutes = pd.to_numeric(parts[2], errors="coerce").fillna(0)
    valid = date.notna() & (hours < 24) & (minutes < 60)
    stamp = date + pd.to_timedelta(hours, unit="h") + pd.to_timedelta(minutes, unit="m")
    return stamp.where(valid), valid, parts[1].notna()


def _reporter(source: pd.Series | None, size: int) -> np.ndarray:
    """Who published the window: a regional air command ("PvK..." accounts: South,
    East, Centre, mostly daily summaries of small numbers) or the national Air Force
    Command and General Staff (overnight bulletins)."""
    if source is None:
        return np.full(size, "national", dtype=object)
    account = source.fillna("").astype(str).str.split("/").str[0].str.lower()
    return np.where(account.str.startswith("pvk").to_numpy(), "regional", "national")


def _counts(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Numbers, whether blank, whether bad (not a non-negative whole number)."""
    text = values.fillna("").astype(str).str.strip()
    blank = text.isin(["", "nan", "NaN", "None", "null"])
    number = pd.to_numeric(text.where(~blank), errors="coerce")
    bad = ~blank & (number.isna() | (number < 0) | (number.round() != number))
    return number.where(~bad), blank, bad


class _CreditedCsv(Plottable):
    """A result of the record whose CSV carries the citation (ODC-BY 1.0), caveat and
    source in leading ``# `` lines (read back with ``pandas.read_csv(path, comment="#")``)."""

    source: str
    citation: str
    caveat: str

    def to_frame(self) -> pd.DataFrame:
        raise NotImplementedError

    def to_csv(self) -> str:
        """``to_frame()`` as CSV after its credit lines."""
        credit = (self.citation, self.caveat, f"Data: {self.source}")
        return csv_with_provenance(self.to_frame(), credit)


@dataclass(frozen=True, repr=False)
class InterceptionRecord(_CreditedCsv):
    """The record, one row per input line, with each row's family and usability.

    ``rows`` keeps every input row (``line`` is its line in the file); rows that
    cannot enter a fit have ``usable`` false and a ``problem``; ``problems`` lists
    them with file and line. ``unmapped`` counts model names missing from the
    families table.
    """

    source: str
    families_source: str
    rows: pd.DataFrame
    problems: tuple[Problem, ...]
    unmapped: dict[str, int]
    threat_kinds: dict[str, str]
    citation: str = CITATION
    caveat: str = CAVEAT

    def windows(self) -> pd.DataFrame:
        """Usable rows summed per reporting window and family (the unit of every fit).

        ``not_reach_goal`` is summed over the rows that report it; ``nrg_reported``
        says whether any did.
        """
        use = self.rows[self.rows["usable"]].copy()
        use["nrg_reported"] = use["not_reach_goal"].notna()
        use["nrg"] = use["not_reach_goal"].fillna(0.0)
        use["nrg_launched"] = use["launched"].where(use["nrg_reported"], 0.0)
        keys = ["time_start", "time_end", "family", "window_kind"]
        grouped = (
            use.groupby(keys, sort=True, dropna=False)
            .agg(
                launched=("launched", "sum"),
                destroyed=("destroyed", "sum"),
                not_reach_goal=("nrg", "sum"),
                nrg_launched=("nrg_launched", "sum"),
                nrg_reported=("nrg_reported", "any"),
                rows=("line", "size"),
                first_line=("line", "min"),
            )
            .reset_index()
        )
        grouped["date"] = grouped["time_start"].dt.normalize()
        grouped["quarter"] = grouped["time_start"].dt.to_period("Q").astype(str)
        for column in ("launched", "destroyed", "not_reach_goal", "nrg_launched"):
            grouped[column] = grouped[column].astype(int)
        return grouped.sort_values(["time_start", "family"]).reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """One row per family: rows, windows, totals, pooled shares, first and last date."""
        windows = self.windows()
        rows = self.rows.groupby("family").size().rename("rows")
        usable = self.rows[self.rows["usable"]].groupby("family").size().rename("usable_rows")
        summary = windows.groupby("family").agg(
            windows=("launched", "size"),
            launched=("launched", "sum"),
            destroyed=("destroyed", "sum"),
            nrg_windows=("nrg_reported", "sum"),
            not_reach_goal=("not_reach_goal", "sum"),
            nrg_launched=("nrg_launched", "sum"),
            first=("date", "min"),
            last=("date", "max"),
        )
        frame = pd.concat([rows, usable, summary], axis=1).fillna(
            {"usable_rows": 0, "windows": 0, "launched": 0, "destroyed": 0}
        )
        frame["share_destroyed"] = frame["destroyed"] / frame["launched"].where(
            frame["launched"] > 0
        )
        frame["share_not_reach_goal"] = frame["not_reach_goal"] / frame["nrg_launched"].where(
            frame["nrg_launched"] > 0
        )
        frame["first"] = frame["first"].dt.date.astype(str)
        frame["last"] = frame["last"].dt.date.astype(str)
        frame = frame.drop(columns=["nrg_launched"]).reset_index(names="family")
        return frame.sort_values("launched", ascending=False).reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        frame = self.to_frame()
        return clean(
            {
                "source": self.source,
                "families_table": self.families_source,
                "citation": self.citation,
                "caveat": self.caveat,
                "rows": len(self.rows),
                "usable_rows": int(self.rows["usable"].sum()),
                "windows": int(frame["windows"].sum()),
                "first": str(self.rows["time_start"].min().date()),
                "last": str(self.rows["time_start"].max().date()),
                "unmapped": dict(self.unmapped),
                "problems": [
                    {"line": p.line, "field": p.field, "message": p.message, "fix": p.fix}
                    for p in self.problems
                ],
                "families": frame.to_dict(orient="records"),
            }
        )

    def plot(self, **options: Any) -> Any:
        from equipoise.plots.interception import record_figure

        return record_figure(self, **options)


def interception_record(
    path: str | Path | None = None, *, families: str | Path | Families | None = None
) -> InterceptionRecord:
    """Read the daily-reports CSV (the shipped copy by default, plain or gzip).

    Every row is kept. A row without a readable start time, launched or destroyed
    count, or with more destroyed than launched, is marked unusable with a problem
    naming its line; a bad ``not_reach_goal`` is blanked with a problem; names not
    in the families table make the row's family ``unmapped`` and are listed.
    """
    if path is None:
        text, source = _shipped(RECORD_FILE)
    else:
        source = str(path)
        text = _open_text(Path(path))
    table = families if isinstance(families, Families) else read_families(families)
    header, rows, lines = _rows(text, source)
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InputError(
            f"{source}:1: missing column(s) {', '.join(missing)} (found {', '.join(header)})",
            "give the UA AirDefense Tracker daily-reports export (missile_attacks_daily.csv)",
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise InputError(
            f"{source}:1: column(s) {', '.join(repeated)} appear more than once",
            "keep one column of each name (the export has each once)",
        )
    width = len(header)
    short = [line for line, row in zip(lines, rows, strict=True) if len(row) != width]
    padded = [(row + [""] * width)[:width] for row in rows]
    raw = pd.DataFrame(padded, columns=header, dtype=object)
    problems: list[Problem] = [
        Problem(
            source, "", f"{width} fields expected, found another number", "check the quoting", line
        )
        for line in short
    ]
    frame = pd.DataFrame({"line": np.asarray(lines, dtype=int)})
    frame["time_start"], start_ok, _ = _times(raw["time_start"])
    frame["time_end"], _, _ = _times(raw["time_end"])
    frame["window_kind"] = _reporter(raw.get("source"), len(raw))
    frame["model"] = raw["model"].fillna("").astype(str).str.strip()
    columns: dict[str, tuple[pd.Series, pd.Series, pd.Series]] = {}
    for name in ("launched", "destroyed", *OPTIONAL):
        source_column = raw[name] if name in raw else pd.Series([""] * len(raw), dtype=object)
        columns[name] = _counts(source_column)
        frame[name] = columns[name][0].to_numpy(dtype=float)
    usable = np.ones(len(frame), dtype=bool)
    reasons = np.full(len(frame), "", dtype=object)

    def flag(mask: Any, field_name: str, message: str, fix: str, *, exclude: bool) -> None:
        mask = np.asarray(mask, dtype=bool)
        for line in frame["line"].to_numpy()[mask]:
            problems.append(Problem(source, field_name, message, fix, int(line)))
        if exclude:
            reasons[mask & usable] = f"{field_name}: {message}"
            usable[mask] = False

    flag(
        ~start_ok.to_numpy(),
        "time_start",
        "not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM); row kept, left out of fits",
        "correct the date",
        exclude=True,
    )
    for name in ("launched", "destroyed"):
        _number, blank, bad = columns[name]
        flag(
            blank,
            name,
            "missing count; row kept, left out of fits",
            f"fill in {name}",
            exclude=True,
        )
        flag(
            bad,
            name,
            "not a whole number >= 0; row kept, left out of fits",
            f"correct {name}",
            exclude=True,
        )
    launched = frame["launched"].to_numpy()
    destroyed = frame["destroyed"].to_numpy()
    flag(
        np.nan_to_num(destroyed) > np.nan_to_num(launched, nan=np.inf),
        "destroyed",
        "more destroyed than launched; row kept, left out of fits",
        "correct launched or destroyed",
        exclude=True,
    )
    flag(
        launched == 0,
        "launched",
        "zero launched: no information; left out of fits",
        "",
        exclude=True,
    )
    for name in OPTIONAL:
        _, _, bad = columns[name]
        flag(bad, name, "not a whole number >= 0; blanked", f"correct {name}", exclude=False)
    nrg = frame["not_reach_goal"].to_numpy()
    too_many = np.nan_to_num(nrg) > np.nan_to_num(launched, nan=np.inf)
    flag(
        too_many,
        "not_reach_goal",
        "more than launched; blanked",
        "correct not_reach_goal",
        exclude=False,
    )
    frame.loc[too_many, "not_reach_goal"] = np.nan
    total = (
        np.nan_to_num(destroyed)
        + np.nan_to_num(frame["not_reach_goal"].to_numpy())
        + np.nan_to_num(frame["still_attacking"].to_numpy())
    )
    flag(
        (total > np.nan_to_num(launched, nan=np.inf)) & usable,
        "launched",
        "destroyed + not_reach_goal + still_attacking exceed launched; kept as reported",
        "check the source bulletin",
        exclude=False,
    )
    classified = [table.classify(name) for name in frame["model"]]
    frame["family"] = [family for family, _ in classified]
    unmapped: dict[str, int] = {}
    for _, names in classified:
        for name in names:
            unmapped[name] = unmapped.get(name, 0) + 1
    frame["usable"] = usable
    frame["problem"] = reasons
    problems.sort(key=lambda p: (p.line or 0, p.field))
    return InterceptionRecord(
        source=source,
        families_source=table.source,
        rows=frame,
        problems=tuple(problems),
        unmapped=dict(sorted(unmapped.items(), key=lambda item: -item[1])),
        threat_kinds=dict(table.threat_kind),
    )


def as_record(
    record: InterceptionRecord | str | Path | None, families: str | Path | Families | None = None
) -> InterceptionRecord:
    if isinstance(record, InterceptionRecord):
        return record
    return interception_record(record, families=families)


# --------------------------------------------------------------------------- fitting


@dataclass(frozen=True)
class QuarterShare:
    """A family's share destroyed in one calendar quarter, with a 95 % band."""

    family: str
    quarter: str
    windows: int
    launched: int
    destroyed: int
    share: float
    low: float
    high: float


@dataclass(frozen=True)
class FamilyFit:
    """Fitted shares of one family: destroyed, not reaching the goal, saturation test.

    ``destroyed`` is the beta-binomial constant-share fit; ``saturating`` the
    channel-limited one; ``window_low``/``window_high`` the 5-95 % range of the
    share between windows (the fitted Beta); ``nrg`` the share not reaching the
    goal, fitted on the windows that report it (None where none does), and
    ``nrg_all`` over all windows with unreported counted as none lost;
    ``neutralised`` the share destroyed or not reaching the goal (as reported);
    ``by_reporter`` the share destroyed in the national Air Force bulletins and in
    the regional air commands' reports separately.
    """

    family: str
    threat_kind: str
    windows: int
    launched: int
    destroyed: engine.ShareFit
    binomial: engine.ShareFit
    saturating: engine.ShareFit
    lr_statistic: float
    lr_p_value: float
    window_low: float
    window_high: float
    nrg: engine.ShareFit | None
    nrg_windows: int
    nrg_all: engine.ShareFit
    neutralised: engine.ShareFit
    largest_salvo: int
    by_reporter: dict[str, engine.ShareFit] = field(default_factory=dict)

    @property
    def saturation_verdict(self) -> str:
        if (
            np.isfinite(self.saturating.channels)
            and self.lr_p_value < 0.05
            and self.saturating.aic < self.destroyed.aic - 2.0
        ):
            return f"saturation: share falls above about {self.saturating.channels:.0f} per window"
        return "no saturation visible"

    def row(self) -> dict[str, Any]:
        nrg = self.nrg
        return {
            "family": self.family,
            "threat_kind": self.threat_kind,
            "windows": self.windows,
            "launched": self.launched,
            "share_destroyed": self.destroyed.share,
            "share_destroyed_low": self.destroyed.share_low,
            "share_destroyed_high": self.destroyed.share_high,
            "rho": self.destroyed.rho,
            "window_share_low": self.window_low,
            "window_share_high": self.window_high,
            "nrg_windows": self.nrg_windows,
            "share_not_reach_goal_all_windows": self.nrg_all.share,
            "share_neutralised": self.neutralised.share,
            "share_neutralised_low": self.neutralised.share_low,
            "share_neutralised_high": self.neutralised.share_high,
            "rho_neutralised": self.neutralised.rho,
            "share_not_reach_goal": nrg.share if nrg else None,
            "share_not_reach_goal_low": nrg.share_low if nrg else None,
            "share_not_reach_goal_high": nrg.share_high if nrg else None,
            "saturating_share": self.saturating.share,
            "channels": self.saturating.channels,
            "channels_low": self.saturating.channels_low,
            "channels_high": self.saturating.channels_high,
            "largest_salvo": self.largest_salvo,
            **{
                f"share_destroyed_{reporter}{suffix}": (
                    getattr(self.by_reporter[reporter], attribute)
                    if reporter in self.by_reporter
                    else None
                )
                for reporter in ("national", "regional")
                for suffix, attribute in (
                    ("", "share"),
                    ("_low", "share_low"),
                    ("_high", "share_high"),
                )
            },
            "aic_constant": self.destroyed.aic,
            "aic_saturating": self.saturating.aic,
            "lr_statistic": self.lr_statistic,
            "lr_p_value": self.lr_p_value,
            "saturation": self.saturation_verdict,
        }


def _window_range(fit: engine.ShareFit) -> tuple[float, float]:
    if fit.rho <= 0:
        return fit.share, fit.share
    a = fit.share * (1 - fit.rho) / fit.rho
    b = (1 - fit.share) * (1 - fit.rho) / fit.rho
    return float(stats.beta.ppf(0.05, a, b)), float(stats.beta.ppf(0.95, a, b))


def _fit_family(family: str, kind: str, windows: pd.DataFrame) -> FamilyFit:
    k = windows["destroyed"].to_numpy()
    n = windows["launched"].to_numpy()
    constant = engine.fit_share(k, n)
    binomial = engine.fit_share(k, n, overdispersed=False)
    saturating = engine.fit_share(k, n, saturating=True, profile=True)
    statistic, p_value = engine.saturation_test(constant, saturating)
    reported = windows[windows["nrg_reported"]]
    nrg = (
        engine.fit_share(reported["not_reach_goal"].to_numpy(), reported["nrg_launched"].to_numpy())
        if len(reported)
        else None
    )
    low, high = _window_range(constant)
    # not_reach_goal with unreported as none lost, as in the neutralised share
    lost = np.minimum(windows["not_reach_goal"].to_numpy(), n)
    by_reporter = {
        str(reporter): engine.fit_share(part["destroyed"].to_numpy(), part["launched"].to_numpy())
        for reporter, part in windows.groupby("window_kind")
        if len(part) >= 2
    }
    return FamilyFit(
        family=family,
        threat_kind=kind,
        windows=len(windows),
        launched=int(n.sum()),
        destroyed=constant,
        binomial=binomial,
        saturating=saturating,
        lr_statistic=statistic,
        lr_p_value=p_value,
        window_low=low,
        window_high=high,
        nrg=nrg,
        nrg_windows=len(reported),
        nrg_all=engine.fit_share(lost, n),
        neutralised=engine.fit_share(np.minimum(k + lost, n), n),
        largest_salvo=int(n.max()),
        by_reporter=by_reporter,
    )


@dataclass(frozen=True, repr=False)
class InterceptionFit(_CreditedCsv):
    """Per-family fits of the record, per-quarter shares, and the scenario block."""

    source: str
    families: tuple[FamilyFit, ...]
    quarters: tuple[QuarterShare, ...]
    windows: pd.DataFrame = field(repr=False)
    citation: str = CITATION
    caveat: str = CAVEAT

    def family(self, name: str) -> FamilyFit:
        for fit in self.families:
            if fit.family == name:
                return fit
        raise InputError(
            f"no family {name!r} in this fit",
            f"one of: {', '.join(f.family for f in self.families)}",
        )

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([fit.row() for fit in self.families])

    def quarters_frame(self) -> pd.DataFrame:
        return pd.DataFrame([q.__dict__ for q in self.quarters])

    def to_dict(self) -> dict[str, Any]:
        return clean(
            {
                "source": self.source,
                "citation": self.citation,
                "caveat": self.caveat,
                "model": (
                    "destroyed ~ BetaBinomial(launched, share, rho) per family and window; "
                    "saturating: share(n) = p*min(n, c)/n; 95 % Wald intervals (logit scale), "
                    "channel limit by profile likelihood"
                ),
                "families": [fit.row() for fit in self.families],
                "quarters": [q.__dict__ for q in self.quarters],
            }
        )

    def to_yaml(self, *, attacker: str = "RUS", defender: str = "UKR", cases: int = 5) -> str:
        """A scenario that carries the fitted classes and calibration cases (YAML text)."""
        return scenario_yaml(self, attacker=attacker, defender=defender, cases=cases)

    def plot(self, kind: str = "time", **options: Any) -> Any:
        from equipoise.plots.interception import fit_figure, saturation_figure

        if kind == "salvo":
            return saturation_figure(self, **options)
        return fit_figure(self, **options)


def fit_interception(
    record: InterceptionRecord | str | Path | None = None,
    *,
    families: str | Path | Families | None = None,
    min_windows: int = 2,
) -> InterceptionFit:
    """Fit every family with at least ``min_windows`` windows on the whole record."""
    rec = as_record(record, families)
    windows = rec.windows()
    fits: list[FamilyFit] = []
    quarters: list[QuarterShare] = []
    for family, group in windows.groupby("family", sort=False):
        if len(group) < min_windows:
            continue
        fit = _fit_family(str(family), rec.threat_kinds.get(str(family), ""), group)
        fits.append(fit)
        for quarter, part in group.groupby("quarter"):
            share, low, high = engine.fit_share_fixed_rho(
                part["destroyed"].to_numpy(), part["launched"].to_numpy(), fit.destroyed.rho
            )
            quarters.append(
                QuarterShare(
                    str(family),
                    str(quarter),
                    len(part),
                    int(part["launched"].sum()),
                    int(part["destroyed"].sum()),
                    share,
                    low,
                    high,
                )
            )
    fits.sort(key=lambda f: -f.launched)
    return InterceptionFit(rec.source, tuple(fits), tuple(quarters), windows)


def _slug(text: str) -> str:
    return text.replace("_", "-")


def _round_up(value: float, digits: int = 4) -> float:
    """``value`` rounded up at ``digits`` decimals, so a band written this way still
    holds the far end of the interval it was built from (rounding to nearest dropped
    0.67882 to 0.6788 and put a window at that end just outside its own band)."""
    scale = 10.0**digits
    return math.ceil(value * scale - 1e-9) / scale


def scenario_yaml(fit: InterceptionFit, *, attacker: str, defender: str, cases: int) -> str:
    """A valid scenario carrying one offensive class per family and calibration cases.

    Each family with a threat kind becomes a class whose ``arrival`` is one minus
    the share not reaching the goal ``g`` (jamming, crashes: the record's EW and
    reliability; unreported counted as none, as in the reported neutralised share),
    and one air-defence class whose kill probability against it is the share
    destroyed of those that arrive, ``d / (1 - g)``, so the model's neutralised
    share is ``d + g``. Calibration cases are the ``cases`` largest windows per
    family; the tolerance is the distance from ``d + g`` (as written, rounded) to the
    farther end of the 90 % beta-binomial predictive interval of the neutralised
    count at that salvo size, rounded up. Only the
    ``classes``, ``sources`` and ``calibration`` blocks are fitted; force sizes are
    placeholders for the calibration replay.
    """
    from equipoise.domain.loading import dump_scenario, load_scenario

    classes: dict[str, Any] = {}
    kill: dict[str, float] = {}
    calibration: list[dict[str, Any]] = []
    inventory: dict[str, Any] = {}
    source = "ua-air-defence"
    for family in fit.families:
        if family.threat_kind not in (
            "ballistic_missile",
            "cruise_missile",
            "drone",
            "strike_aircraft",
            "rocket_artillery",
        ):
            continue
        name = f"ua-{_slug(family.family)}"
        lost = family.nrg_all.share
        lost_text = (
            f"share not reaching the goal {lost:.3f} over all {family.windows} windows "
            f"(unreported counted as none; {family.nrg_windows} windows report it)"
        )
        d = family.destroyed
        classes[name] = {
            "kind": family.threat_kind,
            "description": f"{family.family} as reported in the record ({family.windows} windows)",
            "arrival": round(1.0 - lost, 4),
            "damage": 1.0,
            "source": f"{source}: {lost_text}; damage is a placeholder",
        }
        kill[name] = round(float(min(1.0, d.share / max(1.0 - lost, 1e-9))), 4)
        inventory[name] = {"launchers": 1000, "rounds": 100000}
        group = fit.windows[fit.windows["family"] == family.family].nlargest(cases, "launched")
        n = group["launched"].to_numpy()
        # d + g as the scenario writes it (arrival and kill probability rounded), the
        # share `analyze` replays, so each band is centred where the model lands
        modelled = 1.0 - classes[name]["arrival"] * (1.0 - kill[name])
        _, cdf = engine.predictive_table(n, modelled, family.neutralised.rho)
        low, high = engine.central_interval(cdf, 0.9)
        tolerances = np.maximum(modelled - low / n, high / n - modelled)
        for (_, window), tolerance in zip(group.iterrows(), tolerances, strict=True):
            share = (
                min(window["destroyed"] + window["not_reach_goal"], window["launched"])
                / (window["launched"])
            )
            calibration.append(
                {
                    "name": f"ua-{window['time_start']:%Y%m%d-%H%M}-{_slug(family.family)}",
                    "attacker": attacker,
                    "defender": defender,
                    "attack": {name: int(window["launched"])},
                    "waves": 1,
                    "reported_neutralised_share": round(float(share), 4),
                    "tolerance": _round_up(float(np.clip(tolerance, 0.005, 1.0))),
                    # the window is in the name; the band is the fit's 90 % predictive interval
                    "source": source,
                }
            )
    if not classes:
        raise InputError("no family with a threat kind to write", "fill threat_kind in the table")
    described = "; ".join(
        f"{_slug(f.family)} {f.destroyed.share:.3f} ({f.destroyed.share_low:.3f}-"
        f"{f.destroyed.share_high:.3f})"
        for f in fit.families
        if f"ua-{_slug(f.family)}" in kill
    )
    classes["ua-air-defence"] = {
        "kind": "air_defence",
        "description": "the defence as the record reports it, one layer, no channel limit",
        "interceptors_per_battery": 1_000_000,
        "channels_per_battery": 1_000_000,
        "kill_probability": kill,
        "source": f"{source}: share destroyed per family, 95 % intervals: {described}",
    }
    document = {
        "name": "ua-air-defence-record",
        "title": "Interception shares fitted to the UA AirDefense Tracker record (calibration "
        "only: forces and values are placeholders)",
        "description": (
            "Fitted by equipoise interception fit. Only classes, sources and calibration "
            f"come from the record; force sizes and values are placeholders. {CAVEAT}"
        ),
        "sources": {
            source: f"{CITATION} {CAVEAT} Calibration cases: the largest windows of each "
            "family, named by the day and hour they start; each band is the fitted 90 % "
            "predictive interval of the neutralised count at that salvo size."
        },
        "classes": classes,
        "states": {
            attacker: {"unacceptable_damage": 50.0, "inventory": inventory},
            defender: {
                "unacceptable_damage": 50.0,
                "inventory": {"ua-air-defence": {"units": 1}},
            },
        },
        "dyads": [{"a": attacker, "b": defender}],
        "calibration": calibration,
    }
    scenario = load_scenario(document)
    header = (
        f"# Fitted by `equipoise interception fit` from {fit.source}.\n# {CITATION}\n# {CAVEAT}\n"
    )
    return header + dump_scenario(scenario)


# --------------------------------------------------------------------------- backtest


def _predict(
    model: str, train: pd.DataFrame, test: pd.DataFrame, origin: pd.Timestamp
) -> tuple[np.ndarray, np.ndarray]:
    """Mean share and rho for each test window under ``model``, fitted on ``train``."""
    mean = np.zeros(len(test))
    rho = np.zeros(len(test))
    k_all = train["destroyed"].to_numpy()
    n_all = train["launched"].to_numpy()
    if model == "binomial_pooled":
        pooled = engine.fit_share(k_all, n_all, overdispersed=False, intervals=False)
        return np.full(len(test), pooled.share), rho
    overdispersed = model != "binomial_family"
    fallback = engine.fit_share(k_all, n_all, overdispersed=overdispersed, intervals=False)
    by_kind = model == "beta_binomial_kind"
    keys = ["family", "window_kind"] if by_kind else ["family"]
    for key, index in test.groupby(keys).indices.items():
        parts = key if isinstance(key, tuple) else (key,)
        part = train[train["family"] == parts[0]]
        if by_kind:
            same = part[part["window_kind"] == parts[1]]
            part = same if len(same) >= 2 else part
        n_test = test["launched"].to_numpy()[index]
        if len(part) < 2:
            fit = fallback
        else:
            weights = None
            if model == "beta_binomial_recent":
                age = (origin - part["time_start"]).dt.total_seconds().to_numpy() / 86400.0
                weights = 0.5 ** (np.maximum(age, 0.0) / RECENT_HALF_LIFE_DAYS)
            fit = engine.fit_share(
                part["destroyed"].to_numpy(),
                part["launched"].to_numpy(),
                overdispersed=overdispersed,
                saturating=model == "beta_binomial_saturating",
                weights=weights,
                intervals=False,
            )
        mean[index] = fit.mean_share(n_test)
        rho[index] = fit.rho
    return mean, rho


def _scores(
    windows: pd.DataFrame, train_until: pd.Timestamp, test_end: pd.Timestamp | None, seed: int
) -> pd.DataFrame:
    train = windows[windows["time_start"] < train_until]
    test = windows[windows["time_start"] >= train_until]
    if test_end is not None:
        test = test[test["time_start"] < test_end]
    if train.empty or test.empty:
        return pd.DataFrame()
    streams = np.random.SeedSequence(seed).spawn(len(MODELS))
    frames = []
    for model, stream in zip(MODELS, streams, strict=True):
        mean, rho = _predict(model, train, test, train_until)
        scored = engine.score_predictions(
            test["destroyed"].to_numpy(), test["launched"].to_numpy(), mean, rho, stream
        )
        frame = test[["time_start", "family", "launched", "destroyed"]].copy()
        frame["model"] = model
        frame["mean"] = mean * test["launched"].to_numpy()
        for key in ("log_density", "low50", "high50", "low90", "high90", "pit", "in50", "in90"):
            frame[key] = scored[key]
        frames.append(frame)
    result = pd.concat(frames, ignore_index=True)
    result["train_until"] = str(train_until.date())
    return result


def _summary(scores: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    grouped = scores.groupby(by, sort=False)
    return grouped.agg(
        windows=("log_density", "size"),
        coverage_50=("in50", "mean"),
        coverage_90=("in90", "mean"),
        mean_log_density=("log_density", "mean"),
    ).reset_index()


@dataclass(frozen=True, repr=False)
class Backtest(_CreditedCsv):
    """Out-of-sample scores of every model, per family and overall.

    ``scores`` has one row per (test window, model); ``chosen_model`` is the model
    with the best overall mean log predictive density.
    """

    source: str
    mode: str
    train_until: str
    scores: pd.DataFrame = field(repr=False)
    citation: str = CITATION
    caveat: str = CAVEAT

    @property
    def overall(self) -> pd.DataFrame:
        return _summary(self.scores, ["model"])

    @property
    def chosen_model(self) -> str:
        overall = self.overall
        best = int(np.argmax(overall["mean_log_density"].to_numpy()))
        return str(overall["model"].iloc[best])

    def pit_histogram(self, model: str, bins: int = 10) -> list[int]:
        pit = self.scores.loc[self.scores["model"] == model, "pit"].to_numpy()
        counts, _ = np.histogram(pit, bins=bins, range=(0.0, 1.0))
        return [int(c) for c in counts]

    def to_frame(self) -> pd.DataFrame:
        """One row per (family or 'all', model): windows, coverage, mean log density."""
        overall = self.overall.assign(family="all")
        families = _summary(self.scores, ["family", "model"])
        frame = pd.concat([overall, families], ignore_index=True)
        return frame[
            ["family", "model", "windows", "coverage_50", "coverage_90", "mean_log_density"]
        ]

    def folds_frame(self) -> pd.DataFrame:
        return _summary(self.scores, ["train_until", "model"])

    def to_dict(self) -> dict[str, Any]:
        overall = {str(row["model"]): row for row in self.overall.to_dict(orient="records")}
        families = _summary(self.scores, ["family", "model"])
        return clean(
            {
                "source": self.source,
                "citation": self.citation,
                "caveat": self.caveat,
                "mode": self.mode,
                "train_until": self.train_until,
                "models": {name: MODEL_DESCRIPTIONS[name] for name in MODELS},
                "chosen_model": self.chosen_model,
                "overall": {
                    model: {
                        "windows": int(overall[model]["windows"]),
                        "coverage_50": float(overall[model]["coverage_50"]),
                        "coverage_90": float(overall[model]["coverage_90"]),
                        "mean_log_density": float(overall[model]["mean_log_density"]),
                        "pit_histogram": self.pit_histogram(model),
                    }
                    for model in MODELS
                    if model in overall
                },
                "families": families.to_dict(orient="records"),
                "folds": self.folds_frame().to_dict(orient="records"),
            }
        )

    def plot(self, **options: Any) -> Any:
        from equipoise.plots.interception import backtest_figure

        return backtest_figure(self, **options)


def _date(value: str | pd.Timestamp, what: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise InputError(f"{what}: {value!r} is not a date", "write it as YYYY-MM-DD") from None
    if pd.isna(stamp):
        raise InputError(f"{what}: {value!r} is not a date", "write it as YYYY-MM-DD")
    return stamp


def backtest(
    record: InterceptionRecord | str | Path | None = None,
    *,
    train_until: str | pd.Timestamp = "2025-06-30",
    rolling: bool = False,
    families: str | Path | Families | None = None,
    seed: int = 0,
) -> Backtest:
    """Fit on windows starting on or before ``train_until``, predict every later one.

    With ``rolling``, the origin moves to each quarter's end from ``train_until`` on
    (earliest: the end of the record's second quarter when ``train_until`` is
    before it) and each fold predicts the next quarter only.
    """
    rec = as_record(record, families)
    windows = rec.windows()
    # "until DATE" includes the whole of that day.
    origin = _date(train_until, "--train-until").normalize() + pd.Timedelta(days=1)
    if not rolling:
        scores = _scores(windows, origin, None, seed)
        if scores.empty:
            raise InputError(
                f"no windows on both sides of {train_until}",
                f"choose a date between {windows['date'].min():%Y-%m-%d} and "
                f"{windows['date'].max():%Y-%m-%d}",
            )
        return Backtest(rec.source, "single", str(_date(train_until, "").date()), scores)
    quarters = pd.period_range(windows["time_start"].min(), windows["time_start"].max(), freq="Q")
    starts = [q.end_time.normalize() + pd.Timedelta(days=1) for q in quarters[1:-1]]
    starts = [start for start in starts if start >= origin]
    seeds = np.random.SeedSequence(seed).generate_state(max(len(starts), 1))
    folds = [
        _scores(windows, start, start + pd.offsets.QuarterBegin(startingMonth=1), int(s))
        for start, s in zip(starts, seeds, strict=False)
    ]
    folds = [fold for fold in folds if not fold.empty]
    if not folds:
        raise InputError(
            f"no quarter after {train_until} to predict", "choose an earlier --train-until"
        )
    return Backtest(rec.source, "rolling", str(_date(train_until, "").date()), pd.concat(folds))
