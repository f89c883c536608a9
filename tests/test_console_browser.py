"""The console page in a real browser (Chromium via Playwright), against the real
ConsoleInput blueprint and a real Redis: log in, see the queue, claim, reply, hand back.
Also: the strict CSP holds (no violations) and the page makes no third-party request."""
from __future__ import annotations

from typing import AsyncIterator, List

import pytest
from sanic import Sanic

from bot.channels import outbound
from bot.console import accounts
from bot.console.channel import ConsoleInput
from bot.handoff.queue import queue_for
from bot.handoff.requests import HandoffRequest
from bot.settings import get_settings
from bot.storage import redis_client as redis_client_module
from bot.storage.embedded_redis import free_port

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
async def console(redis_server, redis_client, monkeypatch) -> AsyncIterator[tuple]:
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setattr(redis_client_module, "_async_clients", {})
    monkeypatch.setattr(outbound, "_SENDERS", {})
    monkeypatch.setattr(Sanic, "test_mode", True)
    get_settings.cache_clear()
    sent: List[str] = []

    async def record(sender_id, text, buttons=None):
        sent.append(text)

    app = Sanic("console_browser_test")
    app.ctx.agent = None
    app.blueprint(ConsoleInput().blueprint(None), url_prefix="/console")
    outbound.register("rest", record)
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    accounts.add_counsellor(redis_client, "amal", PASSWORD, teams=["county", "youth"], languages=["ar", "sv"])
    yield f"http://127.0.0.1:{port}", sent
    server.close()
    await server.wait_closed()
    get_settings.cache_clear()


async def test_counsellor_handles_a_conversation_in_the_browser(console):
    base, sent = console
    from playwright.async_api import async_playwright

    from bot.storage.redis_client import get_async_redis

    await queue_for(get_async_redis()).enqueue(HandoffRequest("browser-conv", "rest", "ar", 0, "passport_taken", "youth"))
    problems: List[str] = []
    foreign: List[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = await browser.new_page()
        failed: List[str] = []
        page.on("response", lambda r: failed.append(f"{r.status} {r.url[len(base):]}") if r.status >= 400 else None)
        # Failed loads are checked by URL below; anything else on the console is a problem (e.g. a CSP violation).
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(base) else None)
        await page.goto(f"{base}/console/")
        await page.fill("#login-name", "amal")
        await page.fill("#login-password", PASSWORD)
        await page.click("#login-form button[type=submit]")
        item = page.locator("#queue li").first
        await item.wait_for(timeout=10000)
        text = await item.inner_text()
        assert "Immediate danger" in text and "العربية" in text and "passport_taken" in text and "youth" in text
        await item.click()
        await page.locator("#conv-header h2").wait_for(timeout=10000)
        assert "العربية" in await page.inner_text("#conv-header")
        await page.fill("#reply-text", "Hello, I am Amal.")
        await page.click("#reply-form button")
        await page.locator("#transcript li.from-counsellor").last.wait_for(timeout=10000)
        assert "Hello, I am Amal." in await page.inner_text("#transcript")
        await page.select_option("#ready-lang", "sv")
        await page.select_option("#ready-key", "utter_legal_help")
        assert (await page.inner_text("#ready-preview")).startswith("Om du är utsatt")
        await page.click("#ready-form button")
        await page.locator("#transcript li.from-counsellor").nth(1).wait_for(timeout=10000)  # CSP forbids eval-based waits
        await page.click("#handback")
        await page.locator("#conversation").wait_for(state="hidden", timeout=10000)
        await browser.close()
    # Only the "am I logged in?" probe before login may fail (and the browser's own favicon probe).
    assert [f for f in failed if not f.endswith("/favicon.ico")] == ["401 /console/api/queue"], failed
    assert "Amal" in sent[0]  # the joined message names the alias only
    assert "Hello, I am Amal." in sent
    assert not problems, problems
    assert not foreign, foreign
