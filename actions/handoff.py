"""Actions that bring in a human counsellor."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import channel, language, latest_topic, user_intents
from bot.handoff import service
from bot.handoff.requests import URGENCY_NORMAL, HandoffRequest, team_for, urgency_for


async def _request(tracker: Tracker) -> Tuple[HandoffRequest, Optional[int]]:
    intents = user_intents(tracker)
    urgency = min([urgency_for(i) for i in intents] or [URGENCY_NORMAL])
    topic = latest_topic(tracker)
    request = HandoffRequest(
        sender_id=tracker.sender_id,
        channel=channel(tracker),
        language=language(tracker),
        urgency=urgency,
        topic=topic,
        team=team_for(topic, urgency),
    )
    position = await service.enqueue(request)
    return request, position


async def _present_or_night_message(dispatcher: CollectingDispatcher, request: HandoffRequest, position: int) -> int:
    """Counsellors of the team at the console now. With none, the person is promised no
    wait: they hear that they keep their place and how to reach the emergency number."""
    present = await service.counsellors_present(request.team)
    if not present:
        dispatcher.utter_message(response="utter_no_counsellor_online", queue_position=position)
    return present


async def _tell_wait(dispatcher: CollectingDispatcher, request: HandoffRequest, position: Optional[int]) -> None:
    """That a counsellor will write, the place in the queue and a rough wait, in the
    person's language (or the night message, see :func:`_present_or_night_message`)."""
    if not position:  # a counsellor already has the conversation
        dispatcher.utter_message(response="utter_human_requested")
        return
    present = await _present_or_night_message(dispatcher, request, position)
    if present:
        dispatcher.utter_message(response="utter_human_requested")
        dispatcher.utter_message(
            response="utter_queue_position", queue_position=position, wait_minutes=service.wait_minutes(position, present)
        )


class ActionRequestHuman(Action):
    """Put the conversation in the counsellors' queue and tell the person."""

    def name(self) -> Text:
        return "action_request_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        request, position = await _request(tracker)
        await _tell_wait(dispatcher, request, position)
        return []


class ActionCancelHuman(Action):
    """The person no longer wants a counsellor."""

    def name(self) -> Text:
        return "action_cancel_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        await service.cancel(tracker.sender_id)
        dispatcher.utter_message(response="utter_handoff_cancelled")
        return []


class ActionInterpreterHandoff(Action):
    """A language we know only a little: key messages in it, then a human with an interpreter."""

    def name(self) -> Text:
        return "action_interpreter_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        first_time = user_intents(tracker).count("need_interpreter") <= 1
        if not first_time:
            dispatcher.utter_message(response="utter_human_requested")
            return []
        request, position = await _request(tracker)
        if position and not await _present_or_night_message(dispatcher, request, position):
            return []
        dispatcher.utter_message(response="utter_interpreter")
        dispatcher.utter_message(response="utter_emergency")
        return []


class ActionNotUnderstood(Action):
    """Not understood (by NLU, or no rule or story fits): another way to say it, topics
    and a human; twice in a row, offer a human. The message is then set aside (Rasa's
    ``UserUtteranceReverted``, as its own default fallback does) so it cannot steer
    the next prediction into another fallback."""

    def name(self) -> Text:
        return "action_not_understood"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        twice = previous_turn_not_understood(tracker)
        dispatcher.utter_message(response="utter_human_offer" if twice else "utter_default")
        return [UserUtteranceReverted()]


def previous_turn_not_understood(tracker: Tracker) -> bool:
    """Whether the person's message before this one was answered by this action."""
    turns: List[bool] = []
    for event in tracker.events:
        if event.get("event") == "user":
            turns.append(False)
        elif event.get("event") == "action" and event.get("name") == "action_not_understood" and turns:
            turns[-1] = True
    return len(turns) >= 2 and turns[-2]
