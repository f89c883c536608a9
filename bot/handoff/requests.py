"""Asking for a human: what the bot knows when it puts a conversation in the queue."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

URGENCY_DANGER = 0  # immediate danger
URGENCY_MINOR = 1
URGENCY_NORMAL = 2

TEAM_YOUTH = "youth"
TEAM_SHELTER = "shelter"
TEAM_COUNTY = "county"


@dataclass(frozen=True)
class HandoffRequest:
    sender_id: str
    channel: str
    language: str
    urgency: int
    topic: Optional[str]
    team: str


def urgency_for(intent: Optional[str]) -> int:
    if intent == "emergency":
        return URGENCY_DANGER
    if intent == "minor":
        return URGENCY_MINOR
    return URGENCY_NORMAL


def team_for(topic: Optional[str], urgency: int) -> str:
    """Children go to the youth service, shelter requests to shelter intake."""
    if urgency == URGENCY_MINOR or topic == "minor":
        return TEAM_YOUTH
    if topic == "need_shelter":
        return TEAM_SHELTER
    return TEAM_COUNTY
