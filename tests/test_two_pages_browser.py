"""The whole handoff in two real browser pages (Chromium via Playwright) against the
real server: a person in the web widget and a counsellor in the console.

The person writes in Arabic and asks for a person; the counsellor logs in, sees the
conversation at the top of the queue in Arabic, claims it and sends a ready-made reply
chosen in Swedish, which arrives in Arabic; the person answers and the counsellor sees
it; the counsellor hands back and the bot answers the next message in Arabic. Then the
person's quick exit leaves nothing of the widget's origin in the browser.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from bot.nlg.catalog import get_catalog
from bot.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
PASSWORD = "a long enough password"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WAIT_MS = 60_000
ARABIC = re.compile(r"[\u0600-\u06FF]")


@pytest.fixture(scope="module")
def server(isolated_server: tuple) -> tuple:
    """A server and Redis of their own: the queue holds only this test's person."""
    return isolated_server


def first_sentence(text: str) -> str:
    """Enough of a text to find it on a page (whole texts may wrap or hold placeholders)."""
    return text.split(".")[0].split("،")[0][:40]


def test_person_and_counsellor_in_two_browser_pages(server) -> None:
    base, env = server
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed (make install installs it)")
    created = subprocess.run(
        [sys.executable, "-m", "bot.console", "add-counsellor", "amal.two", "--alias", "Amal",
         "--teams", "youth,county,shelter", "--languages", "ar,sv"],
        input=PASSWORD + "\n", capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=60,
    )
    assert created.returncode == 0, created.stderr
    catalog = get_catalog()
    ARTIFACTS.mkdir(exist_ok=True)
    foreign: List[str] = []

    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        person_context = browser.new_context(viewport={"width": 360, "height": 740})
        # The neutral site of the quick exit is answered locally: tests never leave this machine.
        person_context.route("https://**/*", lambda route: route.fulfill(status=200, content_type="text/html", body="<h1>Weather</h1>"))
        counsellor_context = browser.new_context(viewport={"width": 1280, "height": 800})
        person = person_context.new_page()
        counsellor = counsellor_context.new_page()
        for page in (person, counsellor):
            page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(base) and "weather" not in r.url else None)

        # The person asks for a human, in Arabic.
        person.goto(base + "/chat")
        person.locator(".msg.bot").first.wait_for(timeout=WAIT_MS)
        person.fill("#text", "أريد التحدث مع شخص حقيقي")
        person.keyboard.press("Enter")
        waiting = first_sentence(catalog.render("utter_no_counsellor_online", "ar").text)  # nobody logged in yet
        person.locator("#log .msg", has_text=waiting).first.wait_for(timeout=WAIT_MS)

        # The counsellor sees it at the top of the queue, in Arabic, and claims it.
        counsellor.goto(base + "/console/")
        counsellor.fill("#login-name", "amal.two")
        counsellor.fill("#login-password", PASSWORD)
        counsellor.click("#login-form button[type=submit]")
        top = counsellor.locator("#queue li").first
        top.wait_for(timeout=WAIT_MS)
        assert "العربية" in top.inner_text()
        top.click()
        counsellor.locator("#conv-header h2").wait_for(timeout=WAIT_MS)
        assert "العربية" in counsellor.inner_text("#conv-header")

        # A ready-made reply chosen in Swedish arrives in Arabic.
        counsellor.select_option("#ready-lang", "sv")
        counsellor.select_option("#ready-key", "utter_legal_help")
        assert counsellor.inner_text("#ready-preview").startswith(first_sentence(catalog.render("utter_legal_help", "sv").text))
        counsellor.click("#ready-form button")
        person.locator("#log .msg", has_text=first_sentence(catalog.render("utter_legal_help", "ar").text)).first.wait_for(timeout=WAIT_MS)

        # The person answers; the counsellor sees it.
        person.fill("#text", "شكرا، هذا يساعدني كثيرا")
        person.keyboard.press("Enter")
        counsellor.locator("#transcript li", has_text="هذا يساعدني").first.wait_for(timeout=WAIT_MS)
        person.screenshot(path=str(ARTIFACTS / "two-pages-person.png"))
        counsellor.screenshot(path=str(ARTIFACTS / "two-pages-counsellor.png"))

        # Back to the bot, which answers the next message in Arabic.
        counsellor.click("#handback")
        counsellor.locator("#conversation").wait_for(state="hidden", timeout=WAIT_MS)
        person.locator("#log .msg", has_text=first_sentence(catalog.render("utter_counsellor_left", "ar").text)).first.wait_for(timeout=WAIT_MS)
        answered = person.locator(".msg.bot").count()
        person.fill("#text", "أحتاج مكانا آمنا للنوم الليلة")
        person.keyboard.press("Enter")
        reply = person.locator(".msg.bot").nth(answered)
        reply.wait_for(timeout=WAIT_MS)
        assert ARABIC.search(reply.inner_text()) and reply.get_attribute("dir") == "rtl", reply.inner_text()
        person.screenshot(path=str(ARTIFACTS / "two-pages-person-after-handback.png"))

        # Quick exit: the page is replaced, and the widget's origin keeps nothing.
        person.keyboard.press("Escape")
        person.wait_for_url(lambda url: not url.startswith(base), timeout=WAIT_MS)
        state = person_context.storage_state()
        assert [c for c in state["cookies"] if base.split("//")[1].split(":")[0] in c["domain"]] == []
        assert [o for o in state["origins"] if o["origin"].startswith(base) and o.get("localStorage")] == []
        browser.close()
    assert foreign == [], foreign
