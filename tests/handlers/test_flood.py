"""The flood limits' pure parts: one robot is one sender, and the order of the caps."""

from __future__ import annotations

import pytest

from handlers.flood import AckDecision, canonical_sender, decide_ack


@pytest.mark.parametrize(
    "address",
    [
        "robot@example.net",
        "Robot@EXAMPLE.NET.",
        "<robot+1234@example.net>",
        "SRS0=HHH=TT=example.net=robot@forwarder.example",
        "SRS1=xxx=forwarder.example==HHH=TT=example.net=robot@second.example",
        "SRS0=HHH=TT=example.net=prvs=1234abcd=robot@forwarder.example",
        "prvs=1234abcd=robot@example.net",
        "btv1==0123456789==robot@example.net",
    ],
)
def test_the_return_paths_of_one_robot_are_one_sender(address: str) -> None:
    assert canonical_sender(address) == "robot@example.net"


def test_different_people_stay_different() -> None:
    assert canonical_sender("anna@example.net") != canonical_sender("anna@example.org")
    assert canonical_sender("") == ""


def test_the_global_cap_wins_and_alerts_once() -> None:
    common = {"sender": "a@example.net", "per_sender_cap": 3, "global_cap": 5}
    assert decide_ack(**common, sent_to_sender=0, sent_last_hour=4, paused=False) == (
        AckDecision(True)
    )
    assert decide_ack(**common, sent_to_sender=3, sent_last_hour=0, paused=False) == (
        AckDecision(False, "per-sender cap")
    )
    first = decide_ack(**common, sent_to_sender=3, sent_last_hour=5, paused=False)
    assert first == AckDecision(False, "global hourly cap", alert=True)
    again = decide_ack(**common, sent_to_sender=0, sent_last_hour=9, paused=True)
    assert again == AckDecision(False, "global hourly cap", alert=False)
    assert decide_ack(
        **{**common, "sender": ""}, sent_to_sender=0, sent_last_hour=0, paused=False
    ) == AckDecision(False, "no sender")
