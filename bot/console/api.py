"""The console's JSON API (documented in docs/console-openapi.yaml).

A counsellor sees queue summaries of their teams and only the conversations they
hold: 401 without a session, 403 for a conversation held by someone else. Bodies
are JSON; a POST must say ``Content-Type: application/json`` (with the SameSite=Strict
cookie, this keeps other sites from posting here). Bad input gets a 4xx, never a 500.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from typing import Any, Dict, Optional, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.http import error, json_body
from bot.console import accounts, effects, replies, transcript
from bot.handoff import keys, presence, relay
from bot.handoff.queue import Counsellor, queue_for
from bot.language.registry import languages
from bot.settings import get_settings
from bot.storage.redis_client import get_async_redis

logger = logging.getLogger(__name__)

COOKIE = "fristad_console"
ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
MAX_REPLY_CHARS = 4000
NO_STORE = {"Cache-Control": "no-store"}


def language_info(code: Optional[str]) -> Dict[str, Any]:
    """Language as the console shows it: its own name and English name (no flags)."""
    lang = languages().get(code or "")
    if lang is None:
        return {"code": code, "name": code, "english_name": code, "direction": "ltr"}
    return {"code": lang.code, "name": lang.name, "english_name": lang.english_name, "direction": lang.direction}


def ok(body: Any, status: int = 200) -> HTTPResponse:
    return response.json(body, status=status, headers=NO_STORE)


def _post_body(request: Request, required: bool = True) -> Tuple[Dict[str, Any], Optional[HTTPResponse]]:
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if not request.body and not required:
        return {}, None
    if content_type != "application/json":
        return {}, error(415, "json_required", "Send JSON with Content-Type: application/json.")
    body, problem = json_body(request)
    if problem:
        return {}, problem
    if not isinstance(body, dict):
        return {}, error(400, "invalid_body", "The body must be a JSON object.")
    return body, None


async def current_counsellor(request: Request) -> Optional[Counsellor]:
    client = get_async_redis()
    name = await accounts.session_name(client, request.cookies.get(COOKIE))
    return await accounts.get_counsellor(client, name) if name else None


def _agent(request: Request) -> Any:
    return getattr(request.app.ctx, "agent", None)


def add_api_routes(api: Blueprint) -> Blueprint:
    """Add the routes under <prefix>/api to the console blueprint (one blueprint: Rasa mounts one per channel)."""

    async def authorised(request: Request) -> Tuple[Optional[Counsellor], Optional[HTTPResponse]]:
        counsellor = await current_counsellor(request)
        if counsellor is None:
            return None, error(401, "not_logged_in", "Log in first.")
        return counsellor, None

    async def held(request: Request, conversation_id: str) -> Tuple[Optional[Counsellor], Dict[str, str], Optional[HTTPResponse]]:
        counsellor, problem = await authorised(request)
        if problem:
            return None, {}, problem
        if not ID_PATTERN.match(conversation_id):
            return None, {}, error(404, "not_found", "No such conversation.")
        state = await queue_for(get_async_redis()).state(conversation_id)
        if state.get("state") != "assigned" or state.get("counsellor") != counsellor.name:
            return None, {}, error(403, "not_yours", "You do not hold this conversation.")
        return counsellor, state, None

    async def held_with_body(request: Request, conversation_id: str) -> Tuple[Optional[Counsellor], Dict[str, str], Dict[str, Any], Optional[HTTPResponse]]:
        """``held`` for routes that take a JSON body: holder check first, then the body."""
        counsellor, state, problem = await held(request, conversation_id)
        if problem:
            return None, {}, {}, problem
        body, problem = _post_body(request)
        return counsellor, state, body, problem

    @api.route("/api/login", methods=["POST"])
    async def login(request: Request) -> HTTPResponse:
        body, problem = _post_body(request)
        if problem:
            return problem
        name, password = body.get("name"), body.get("password")
        if not isinstance(name, str) or not isinstance(password, str) or len(name) > 64 or len(password) > 1024:
            return error(400, "invalid_login", "Send a name and a password.")
        client = get_async_redis()
        subjects = (f"ip:{request.remote_addr or request.ip}", f"name:{name.lower()}")
        if await accounts.too_many_failures(client, *subjects):
            return error(429, "too_many_attempts", "Too many failed logins. Wait a few minutes.")
        stored = await accounts.password_hash(client, name)
        # Hash even for unknown names so timing does not tell which names exist.
        candidate = stored or accounts.hash_password("x")
        valid = await asyncio.get_running_loop().run_in_executor(None, accounts.verify_password, password, candidate)
        if not (stored and valid):
            await accounts.record_failure(client, *subjects)
            logger.info("console login failed")
            return error(401, "wrong_login", "Wrong name or password.")
        counsellor = await accounts.get_counsellor(client, name)
        seconds = int(get_settings().console_session_hours * 3600)
        token = await accounts.create_session(client, name, seconds)
        await presence.mark_present(client, counsellor.name, counsellor.teams)
        reply = ok({"name": counsellor.name, "alias": counsellor.alias, "teams": list(counsellor.teams), "languages": list(counsellor.languages)})
        reply.cookies[COOKIE] = token
        cookie = reply.cookies[COOKIE]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = "/console"
        cookie["max-age"] = seconds
        if request.scheme == "https" or get_settings().public_url.startswith("https://"):
            cookie["secure"] = True
        return reply

    @api.route("/api/logout", methods=["POST"])
    async def logout(request: Request) -> HTTPResponse:
        counsellor = await current_counsellor(request)
        if counsellor is not None:
            await presence.mark_gone(get_async_redis(), counsellor.name, counsellor.teams)
        await accounts.end_session(get_async_redis(), request.cookies.get(COOKIE))
        reply = ok({"ok": True})
        reply.cookies[COOKIE] = ""
        reply.cookies[COOKIE]["max-age"] = 0
        reply.cookies[COOKIE]["path"] = "/console"
        return reply

    @api.route("/api/queue", methods=["GET"])
    async def queue_view(request: Request) -> HTTPResponse:
        counsellor, problem = await authorised(request)
        if problem:
            return problem
        client = get_async_redis()
        q = queue_for(client)
        waiting = await q.waiting(counsellor.teams, counsellor.name)
        for item in waiting:
            item["language"] = language_info(item["language"])
        mine = []
        for sender_id in await q.held_by(counsellor.name):
            state = await q.state(sender_id)
            if state.get("state") == "assigned" and state.get("counsellor") == counsellor.name:
                mine.append({
                    "id": sender_id, "language": language_info(state.get("language")), "topic": state.get("topic") or None,
                    "team": state.get("team"), "urgency": int(state.get("urgency", 2)), "unread": int(state.get("unread", 0)),
                })
        return ok({"me": {"name": counsellor.name, "alias": counsellor.alias, "teams": list(counsellor.teams)}, "queue": waiting, "mine": mine})

    @api.route("/api/heartbeat", methods=["POST"])
    async def heartbeat(request: Request) -> HTTPResponse:
        counsellor, problem = await authorised(request)
        if problem:
            return problem
        await presence.mark_present(get_async_redis(), counsellor.name, counsellor.teams)
        renewed = await queue_for(get_async_redis()).heartbeat(counsellor.name)
        return ok({"renewed": renewed, "lease_seconds": get_settings().lease_seconds})

    @api.route("/api/conversations/<conversation_id>/claim", methods=["POST"])
    async def claim(request: Request, conversation_id: str) -> HTTPResponse:
        counsellor, problem = await authorised(request)
        if problem:
            return problem
        client = get_async_redis()
        q = queue_for(client)
        if conversation_id == "next":
            sender_id = await q.claim_next(counsellor)
            if not sender_id:
                return error(404, "queue_empty", "Nobody is waiting in your teams' queues.")
        else:
            if not ID_PATTERN.match(conversation_id):
                return error(404, "not_found", "No such conversation.")
            await q.sweep()
            result = await q.claim(conversation_id, counsellor)
            if result == "already_yours":
                return ok({"id": conversation_id, "claimed": True})
            if result == "not_your_team":
                return error(403, "not_your_team", "This conversation is for another team or counsellor.")
            if result != "ok":
                return error(409, "not_waiting", "Someone else has this conversation, or it is no longer waiting.")
            sender_id = conversation_id
        state = await q.state(sender_id)
        await effects.counsellor_joined(client, _agent(request), sender_id, state, counsellor.alias)
        return ok({"id": sender_id, "claimed": True})

    @api.route("/api/conversations/<conversation_id>", methods=["GET"])
    async def conversation(request: Request, conversation_id: str) -> HTTPResponse:
        counsellor, state, problem = await held(request, conversation_id)
        if problem:
            return problem
        client = get_async_redis()
        entries = await relay.history(client, conversation_id)
        lines = transcript.merge(await transcript.from_tracker(_agent(request), conversation_id), entries)
        await client.hset(keys.state_key(conversation_id), "unread", 0)
        notes = [json.loads(n) for n in await client.lrange(keys.notes_key(conversation_id), 0, -1)]
        return ok({
            "id": conversation_id,
            "state": state.get("state"),
            "language": language_info(state.get("language")),
            "topic": state.get("topic") or None,
            "team": state.get("team"),
            "urgency": int(state.get("urgency", 2)),
            "channel": state.get("channel"),
            "transcript": lines,
            "relay": entries,
            "last_entry": entries[-1]["id"] if entries else None,
            "notes": notes,
            "ready_replies": replies.ready_replies(),
            "lease_seconds": get_settings().lease_seconds,
        })

    @api.route("/api/conversations/<conversation_id>/messages", methods=["POST"])
    async def send_message(request: Request, conversation_id: str) -> HTTPResponse:
        counsellor, state, body, problem = await held_with_body(request, conversation_id)
        if problem:
            return problem
        key = body.get("reply_key")
        text = body.get("text")
        if key is not None:
            if not isinstance(key, str) or not replies.is_ready_reply(key):
                return error(400, "unknown_reply", "No such ready-made reply.")
            rendered = effects.catalog().render(key, state.get("language"))
            text, language = rendered.text, rendered.language
        elif isinstance(text, str) and text.strip() and len(text) <= MAX_REPLY_CHARS:
            text, language = text.strip(), state.get("language")
        else:
            return error(400, "invalid_text", f"Send 'text' (1-{MAX_REPLY_CHARS} characters) or 'reply_key'.")
        entry = await effects.counsellor_reply(get_async_redis(), _agent(request), conversation_id, state, text, counsellor.alias, key=key)
        await queue_for(get_async_redis()).heartbeat(counsellor.name)
        return ok({"id": entry, "text": text, "language": language}, status=201)

    @api.route("/api/conversations/<conversation_id>/notes", methods=["POST"])
    async def add_note(request: Request, conversation_id: str) -> HTTPResponse:
        counsellor, state, body, problem = await held_with_body(request, conversation_id)
        if problem:
            return problem
        text = body.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_REPLY_CHARS:
            return error(400, "invalid_text", "A note needs some text.")
        note = {"author": counsellor.alias, "text": text.strip(), "ts": time.time()}
        client = get_async_redis()
        pipe = client.pipeline(transaction=True)
        pipe.rpush(keys.notes_key(conversation_id), json.dumps(note, ensure_ascii=False))
        pipe.expire(keys.notes_key(conversation_id), get_settings().retention_seconds)
        await pipe.execute()
        return ok(note, status=201)

    @api.route("/api/conversations/<conversation_id>/transfer", methods=["POST"])
    async def transfer(request: Request, conversation_id: str) -> HTTPResponse:
        counsellor, state, body, problem = await held_with_body(request, conversation_id)
        if problem:
            return problem
        team, to = body.get("team"), body.get("counsellor")
        client = get_async_redis()
        if isinstance(team, str) and team in accounts.TEAMS and to is None:
            done = await queue_for(client).transfer(conversation_id, counsellor.name, team=team)
        elif isinstance(to, str) and team is None and accounts.NAME_PATTERN.match(to) and await accounts.get_counsellor(client, to):
            done = await queue_for(client).transfer(conversation_id, counsellor.name, to=to)
        else:
            return error(400, "invalid_transfer", f"Send 'team' ({', '.join(accounts.TEAMS)}) or 'counsellor' (an existing account).")
        return ok({"transferred": True}) if done else error(403, "not_yours", "You do not hold this conversation.")

    @api.route("/api/conversations/<conversation_id>/release", methods=["POST"])
    async def release(request: Request, conversation_id: str) -> HTTPResponse:
        counsellor, state, problem = await held(request, conversation_id)
        if problem:
            return problem
        done = await queue_for(get_async_redis()).release(conversation_id, counsellor.name)
        return ok({"released": True}) if done else error(403, "not_yours", "You do not hold this conversation.")

    @api.route("/api/conversations/<conversation_id>/resolve", methods=["POST"])
    async def resolve(request: Request, conversation_id: str) -> HTTPResponse:
        counsellor, state, problem = await held(request, conversation_id)
        if problem:
            return problem
        body, problem = _post_body(request, required=False)
        if problem:
            return problem
        outcome = body.get("outcome", "bot")
        if outcome not in ("bot", "closed"):
            return error(400, "invalid_outcome", "'outcome' is 'bot' or 'closed'.")
        client = get_async_redis()
        if not await queue_for(client).resolve(conversation_id, counsellor.name, outcome):
            return error(403, "not_yours", "You do not hold this conversation.")
        await effects.counsellor_left(client, _agent(request), conversation_id, state)
        return ok({"state": outcome})

    @api.route("/api/events", methods=["GET"])
    async def events(request: Request) -> Optional[HTTPResponse]:
        counsellor, problem = await authorised(request)
        if problem:
            return problem
        from bot.console.events import stream_events

        return await stream_events(request, counsellor)

    return api
