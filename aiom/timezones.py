"""IANA time-zone names, for validating organisation and protocol settings."""

import functools
import zoneinfo


@functools.cache
def known_timezones() -> frozenset[str]:
    """Reading the names scans the zone database on disk (~15 ms): once per process."""
    return frozenset(zoneinfo.available_timezones())
