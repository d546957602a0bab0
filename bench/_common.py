"""Shared helpers for the benches: print a figure next to its target and its floor."""

from __future__ import annotations


def report(name: str, measured: float, target: float, floor: float, unit: str) -> str:
    """Print and return one line: measured, the target it must meet, and the floor measured in
    the same run (the best this machine could do for the same work), with the ratios.

    Lower is better for every unit the benches use (seconds, milliseconds).
    """
    verdict = "OK" if measured <= target else "MISSED"
    vs_floor = measured / floor if floor > 0 else float("inf")
    line = (
        f"{name}: {measured:,.2f} {unit} | target <= {target:,.2f} {unit} ({verdict}, {measured / target:.0%} of target)"
        f" | floor {floor:,.2f} {unit} (x{vs_floor:.2f} the floor)"
    )
    print(line, flush=True)
    return line
