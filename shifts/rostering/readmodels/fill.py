"""The one fill rate: the share of wanted places that are filled, each shift counted up to its minimum."""

from collections.abc import Iterable


def fill_rate(places: Iterable[tuple[int, int]]) -> float | None:
    """`places` is (min_staff, staffed) per shift. None when the week has no shifts; 1.0 when shifts want nobody.

    A shift over its minimum does not make up for one below it: the rate is 100% only when no shift is short."""
    places = list(places)
    if not places:
        return None
    wanted = sum(low for low, _staffed in places)
    if not wanted:
        return 1.0
    return sum(min(staffed, low) for low, staffed in places) / wanted
