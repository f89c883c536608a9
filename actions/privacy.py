"""Erasing a conversation when the person asks."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


class ActionDeleteData(Action):
    """Confirms the erasure; the tracker store erases everything when it would save
    this turn (bot/storage/tracker_store.py), so nothing of it is written back."""

    def name(self) -> Text:
        return "action_delete_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_data_deleted")
        return []
