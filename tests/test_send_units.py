"""Pure parts of sending: the token bucket, the classify rule, the ledger fold, the composer."""
from __future__ import annotations

from sitekeeper.mail.throttle import TokenBucket
from sitekeeper.state import LocalStore
from sitekeeper.state.ledger import Ledger


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_token_bucket_paces_to_the_rate_after_its_burst():
    t = FakeTime()
    bucket = TokenBucket(5, burst=1, clock=t.clock, sleep=t.sleep)
    for _ in range(11):
        bucket.take()
    assert abs(t.now - 2.0) < 1e-9  # the first at once, then one every 0.2 s


def test_token_bucket_slows_to_a_lower_rate_but_never_speeds_up():
    t = FakeTime()
    bucket = TokenBucket(10, burst=1, clock=t.clock, sleep=t.sleep)
    bucket.slow_to(1)
    bucket.slow_to(50)
    for _ in range(3):
        bucket.take()
    assert abs(t.now - 2.0) < 1e-9


def test_no_rate_means_no_waiting():
    t = FakeTime()
    bucket = TokenBucket(None, clock=t.clock, sleep=t.sleep)
    for _ in range(100):
        bucket.take()
    assert t.now == 0


def test_ledger_intents_without_outcomes_fold_to_uncertain_and_outcomes_win(tmp_path):
    store = LocalStore(tmp_path)
    first = Ledger(store, "c", "s")
    first.load()
    seg = first.begin([("k1", "a@x.example"), ("k2", "b@x.example")])
    first.finish(seg, [{"k": "k1", "a": "a@x.example", "s": "sent"}, {"k": "k2", "a": "b@x.example", "s": "failed", "p": True}])
    first.begin([("k3", "c@x.example")])  # the run dies here
    again = Ledger(store, "c", "s").load()
    assert again.counts() == {"sent": 1, "uncertain": 1, "failed": 1}
    assert [e.address for _, e in again.unsettled()] == ["c@x.example"]
    again.settle([{"k": "k3", "a": "c@x.example", "s": "sent"}])
    third = Ledger(store, "c", "s").load()
    assert third.counts() == {"sent": 2, "uncertain": 0, "failed": 1}
    assert third.seq > again.seq - 1  # segments keep sorting in the order written


def test_message_bytes_refuses_a_line_break_in_a_header():
    import pytest

    from sitekeeper.mail.message import HeaderError, _address

    with pytest.raises(HeaderError, match="line break"):
        _address("Reply-To", "a@example.com\r\nBcc: victim@example.com")


def test_idempotency_key_ignores_case_and_spaces_and_differs_per_campaign():
    from sitekeeper.mail.message import idempotency_key

    assert idempotency_key("c", "s", " A@Example.com ") == idempotency_key("c", "s", "a@example.com")
    assert idempotency_key("c", "s", "a@example.com") != idempotency_key("c", "t", "a@example.com")
