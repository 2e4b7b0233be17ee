"""One token bucket per client sender: at most ``rate`` messages a second, whatever sends.

``bucket_for(client, sender, rate)`` returns the one bucket of that sender in this process,
so two campaigns of a client sent in one run share it (the limit is the mail provider's,
per sender, not per campaign). ``take()`` blocks until a token is there; it is thread-safe,
so concurrent senders would share the rate instead of multiplying it. The clock and sleep
are injected for the unit tests.
"""
from __future__ import annotations

import threading
import time


class TokenBucket:
    def __init__(self, rate: float | None, burst: float | None = None, clock=time.monotonic, sleep=time.sleep):
        self.rate = rate if rate and rate > 0 else None
        # A burst of one second's worth at most, and at least one token.
        self.burst = max(1.0, burst if burst is not None else (min(self.rate, 10.0) if self.rate else 1.0))
        self.clock, self.sleep = clock, sleep
        self.tokens = self.burst
        self.stamp = clock()
        self.lock = threading.Lock()

    def slow_to(self, rate: float | None) -> None:
        """Lower the rate (e.g. to the SES account's maximum); never raises it."""
        if rate and rate > 0 and (self.rate is None or rate < self.rate):
            with self.lock:
                self.rate = rate
                self.burst = max(1.0, min(self.burst, rate))
                self.tokens = min(self.tokens, self.burst)

    def take(self) -> float:
        """Wait for one token; returns the seconds waited."""
        if self.rate is None:
            return 0.0
        waited = 0.0
        while True:
            with self.lock:
                now = self.clock()
                self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
                self.stamp = now
                if self.tokens >= 1 - 1e-9:  # tolerance: float sums of refills land just under 1
                    self.tokens = max(0.0, self.tokens - 1)
                    return waited
                need = (1 - self.tokens) / self.rate
            self.sleep(need)
            waited += need


_BUCKETS: dict[tuple[str, str], TokenBucket] = {}
_GUARD = threading.Lock()


def bucket_for(client: str, sender: str, rate: float | None) -> TokenBucket:
    with _GUARD:
        key = (client, sender.lower())
        if key not in _BUCKETS:
            _BUCKETS[key] = TokenBucket(rate)
        return _BUCKETS[key]
