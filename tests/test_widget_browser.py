"""The widget in a real browser (Playwright + Chromium) on a 360-px-wide phone screen."""
from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from bot.settings import PROJECT_ROOT, get_settings

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NEUTRAL = "https://neutral.invalid/weather"

pytestmark = pytest.mark.slow


@pytest.fixture
def browser_context():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1, locale="en-GB")
        # The neutral site is answered locally: tests never leave this machine.
        context.route("https://**/*", lambda route: route.fulfill(status=200, content_type="text/html", body="<h1>Weather</h1>"))
        yield context
        context.close()
        browser.close()


def storage_report(page) -> dict:
    return page.evaluate(
        """async () => ({
            local: window.localStorage.length,
            session: window.sessionStorage.length,
            cookie: document.cookie,
            idb: (await indexedDB.databases()).length,
            workers: navigator.serviceWorker ? (await navigator.serviceWorker.getRegistrations()).length : 0,
        })"""
    )


def test_widget_talks_switches_to_rtl_and_quick_exit_leaves_no_trace(channel_app, browser_context, monkeypatch) -> None:
    base = channel_app.base
    exit_url = get_settings().neutral_exit_url
    requests: List[str] = []
    page = browser_context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    violations: List[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)

    page.goto(base + "/chat")
    page.wait_for_selector(".msg.bot", timeout=20000)  # the greeting
    assert page.get_attribute("#log", "aria-live") == "polite"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling on a phone
    page.screenshot(path=str(ARTIFACTS / "widget-1-start.png"))

    page.fill("#text", "Hello, I need help")
    page.keyboard.press("Enter")
    page.wait_for_selector(".msg.person")
    page.wait_for_function("() => document.querySelectorAll('.msg.bot').length >= 2", timeout=20000)
    assert page.inner_text(".msg.person") == "Hello, I need help"
    page.screenshot(path=str(ARTIFACTS / "widget-2-reply.png"))

    page.select_option("#language", "ar")
    page.wait_for_function("() => document.documentElement.dir === 'rtl'", timeout=20000)
    page.wait_for_selector(".msg.bot[dir='rtl']", timeout=20000)
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.evaluate("getComputedStyle(document.querySelector('#text')).direction") == "rtl"
    page.screenshot(path=str(ARTIFACTS / "widget-3-arabic-rtl.png"))

    # Keyboard only: tab to a button and use it.
    page.focus("#text")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.tagName") in ("MAIN", "BUTTON", "SELECT", "DIV")

    third_party = [url for url in requests if not url.startswith(base)]
    assert third_party == [], third_party
    assert violations == []

    # Escape replaces the page with the neutral site; Back does not return to the chat.
    page.keyboard.press("Escape")
    page.wait_for_url(lambda url: not url.startswith(base), timeout=10000)
    assert page.url.rstrip("/") == exit_url.rstrip("/") or page.url.startswith(exit_url.split("?")[0])
    page.screenshot(path=str(ARTIFACTS / "widget-4-after-escape.png"))
    page.go_back()
    assert not page.url.startswith(base + "/chat")

    # Afterwards the widget's origin holds nothing: no cookies, no storage, no workers.
    assert browser_context.cookies() == []
    probe = browser_context.new_page()
    probe.goto(base + "/chat/api/config")
    assert storage_report(probe) == {"local": 0, "session": 0, "cookie": "", "idb": 0, "workers": 0}
    assert browser_context.storage_state()["origins"] == []


def test_quick_exit_button(channel_app, browser_context) -> None:
    page = browser_context.new_page()
    page.goto(channel_app.base + "/chat")
    page.wait_for_selector(".msg.bot", timeout=20000)
    exit_button = page.locator("#exit")
    box = exit_button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # big enough for a thumb
    exit_button.click()
    page.wait_for_url(lambda url: not url.startswith(channel_app.base), timeout=10000)
    page.go_back()
    assert not page.url.startswith(channel_app.base + "/chat")


@pytest.fixture
def host_site(channel_app):
    """Another site (another origin) that embeds the widget with one script tag."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    page = (f'<!doctype html><html><head><title>NGO</title></head><body><h1>An NGO site</h1>'
            f'<script src="{channel_app.base}/chat/embed.js" defer></script></body></html>').encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_address[1]}/"  # "localhost": another origin than 127.0.0.1
    server.shutdown()
    server.server_close()


def test_embedded_widget_escape_replaces_the_host_page(channel_app, browser_context, host_site) -> None:
    page = browser_context.new_page()
    page.goto(host_site)
    page.click("text=Chat")
    frame = page.frame_locator("#fristad-chat-frame")
    frame.locator(".msg.bot").first.wait_for(timeout=20000)
    page.screenshot(path=str(ARTIFACTS / "widget-5-embedded.png"))
    frame.locator("#text").click()
    page.keyboard.press("Escape")
    page.wait_for_url(lambda url: not url.startswith(host_site), timeout=10000)
    assert page.url.startswith(get_settings().neutral_exit_url.split("?")[0])


def test_widget_on_the_real_server_answers_and_turns_rtl_for_arabic(fristad_server, browser_context) -> None:
    """The same page on the real server: Rasa's reply, the NLG's direction metadata."""
    requests: List[str] = []
    page = browser_context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.goto(fristad_server + "/chat")
    page.wait_for_selector(".msg.bot", timeout=60000)
    page.fill("#text", "مرحبا، أحتاج إلى مساعدة")
    page.keyboard.press("Enter")
    page.wait_for_selector(".msg.bot[dir='rtl']", timeout=60000)
    page.wait_for_function("() => document.documentElement.dir === 'rtl'", timeout=20000)
    page.screenshot(path=str(ARTIFACTS / "widget-6-real-server-arabic.png"))
    assert [url for url in requests if not url.startswith(fristad_server)] == []


def test_widget_waits_when_asked_to_and_loses_no_message(channel_app, browser_context, redis_client) -> None:
    """The first session request and the first two message posts are answered 429 (as a
    flood limit would); the widget waits the Retry-After and sends them again."""
    import hashlib
    import json

    refused = {"session": 0, "messages": 0}
    budget = {"session": 1, "messages": 2}

    def slow_down(route, kind: str) -> None:
        if refused[kind] < budget[kind]:
            refused[kind] += 1
            route.fulfill(status=429, headers={"Retry-After": "1", "Content-Type": "application/json"},
                          body='{"error": "too_many_messages", "message": "Please wait a moment."}')
        else:
            route.continue_()

    browser_context.route("**/chat/api/session", lambda route: slow_down(route, "session"))
    browser_context.route("**/chat/api/messages", lambda route: slow_down(route, "messages"))
    page = browser_context.new_page()
    page.goto(channel_app.base + "/chat")
    page.wait_for_selector(".msg.bot", timeout=20000)  # the greeting, sent again after two refusals
    page.fill("#text", "I need help")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.msg.bot').length >= 2", timeout=20000)
    assert refused == budget
    processed = [json.loads(entry)["text_sha"] for entry in redis_client.lrange("test:processed", 0, -1)]
    assert processed == [hashlib.sha256(text.encode()).hexdigest() for text in ("/greet", "I need help")]
