"""Plain-text table of a sensitivity analysis: inputs ranked per output."""

from __future__ import annotations

import math

from equipoise.analysis.sensitivity import SensitivityResult, output_label

NAMES = {
    "morris": "Morris elementary effects (mu*: mean absolute effect per share of range)",
    "sobol": "Sobol' indices (S1 first order, ST total)",
    "oat": "one at a time (swing: output at the high end minus at the low end)",
}


def _number(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.4g}"


def sensitivity_text(result: SensitivityResult) -> str:
    """Per output, each input's headline index with its 95 % interval, largest first."""
    lines = [
        f"Sensitivity of {result.scenario}: {NAMES[result.method]}",
        f"{result.variants} variants, seed {result.seed}"
        + (f", {result.trials} trials each" if result.trials else ""),
        "",
    ]
    second = {"morris": "sigma", "sobol": "S1", "oat": "at_low"}[result.method]
    width = max((len(name) for name in result.inputs), default=10)
    for output in result.outputs:
        head = [i for i in result.indices if i.output == output and i.measure == result.headline]
        if not head:
            continue
        lines.append(output_label(output))
        for index in sorted(head, key=lambda i: -abs(i.value)):
            other = result.index(output, index.input, second)
            interval = (
                f" [{_number(index.low)}, {_number(index.high)}]"
                if math.isfinite(index.low)
                else ""
            )
            if result.method == "oat":
                high = result.index(output, index.input, "at_high")
                extra = f"  ({_number(other.value)} -> {_number(high.value)})"
            else:
                extra = f"  {second} {_number(other.value)}"
            value = f"{result.headline} {_number(index.value)}{interval}"
            lines.append(f"  {index.input:<{width}}  {value}{extra}")
        lines.append("")
    lines += [f"note: {note}" for note in result.notes]
    return "\n".join(lines).rstrip() + "\n"


__all__ = ["sensitivity_text"]
