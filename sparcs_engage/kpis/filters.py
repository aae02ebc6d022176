"""Which engagement the KPIs are about: :class:`KpiFilter` (city, district, period, channels),
the period in the city's own time zone, and the checks that give a clear message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sparcs_engage.cities import City, load_cities
from sparcs_engage.i18n import N_, MessageError
from sparcs_engage.settings import load_settings

CHANNELS: tuple[str, ...] = ("survey", "footprint", "workshop")
CHANNEL_TITLES: dict[str, str] = {
    "survey": N_("City Vision survey"),
    "footprint": N_("Carbon footprint"),
    "workshop": N_("Workshops"),
}


class KpiFilterError(MessageError):
    """A filter that cannot be applied; ``message`` is a msgid, ``params`` its values."""


@dataclass(frozen=True)
class KpiFilter:
    """Which engagement the KPIs are about: a city, optionally one district, a period of days
    (both ends included, in the city's time zone) and the channels."""

    city: str
    district: str | None = None
    start: date | None = None
    end: date | None = None
    channels: tuple[str, ...] = CHANNELS

    def __post_init__(self) -> None:
        unknown = [c for c in self.channels if c not in CHANNELS]
        if unknown:
            raise KpiFilterError(N_("Unknown channel {channel}."), channel=unknown[0])
        if self.start and self.end and self.start > self.end:
            raise KpiFilterError(N_("The period starts after it ends."))

    def uses(self, channel: str) -> bool:
        return channel in self.channels


def filter_text(flt: KpiFilter) -> str:
    """The filter in words, for the audit log."""
    parts = [f"city {flt.city}"]
    if flt.district:
        parts.append(f"district {flt.district}")
    parts.append(f"{flt.start or 'start'} to {flt.end or 'today'}")
    if tuple(flt.channels) != CHANNELS:
        parts.append("channels " + "+".join(flt.channels))
    return ", ".join(parts)


def last_quarter(today: date) -> tuple[date, date]:
    """The last full calendar quarter before today's."""
    first_of_this = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_this - timedelta(days=1)
    return date(end.year, end.month - 2, 1), end


def city_or_error(city_id: str) -> City:
    registry = load_cities(load_settings().data_dir)
    if city_id not in registry:
        raise KpiFilterError(N_("Unknown city {city}."), city=city_id)
    return registry[city_id]


@cache
def local_month(utc_hour: str, zone: str) -> str:
    """The city's calendar month (YYYY-MM) of a UTC hour "YYYY-MM-DD HH"."""
    moment = datetime.strptime(utc_hour, "%Y-%m-%d %H").replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m")


def period_bounds(flt: KpiFilter, city: City) -> tuple[datetime | None, datetime | None]:
    """The period as UTC instants: from the start day's midnight to the day after the end."""
    zone = ZoneInfo(city.timezone)
    start = datetime.combine(flt.start, time(0), zone).astimezone(UTC) if flt.start else None
    end = None
    if flt.end:
        end = datetime.combine(flt.end + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end
