"""What this process has lately found unreachable (the cache, the broker), so that pages can
tell leads the site runs degraded without asking the services on every request."""

import threading
import time

# How long one failure counts: long enough for the next pages of a burst, short enough that
# the banner goes soon after the service is back.
OUTAGE_SECONDS = 30.0

_lock = threading.Lock()
_down_until: dict[str, float] = {}


def outage_report(service: str, seconds: float = OUTAGE_SECONDS) -> bool:
    """Note that `service` failed just now; True if it was not already noted as down."""
    now = time.monotonic()
    with _lock:
        first = _down_until.get(service, 0.0) <= now
        _down_until[service] = now + seconds
    return first


def outage_clear(service: str) -> None:
    with _lock:
        _down_until.pop(service, None)


def is_down(service: str) -> bool:
    return _down_until.get(service, 0.0) > time.monotonic()


def current_outages() -> list[str]:
    now = time.monotonic()
    return sorted(service for service, until in _down_until.items() if until > now)
