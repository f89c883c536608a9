// Fristad counsellor console. Dependency-free; talks only to /console/api on this origin.
// Every value from the server goes into the page with textContent, never as HTML.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const URGENCY = ["Immediate danger", "Minor", "Normal"];
  let state = { me: null, open: null, conversation: null, events: null, queue: [], seenUrgent: new Set() };

  async function api(method, path, body) {
    const options = { method, credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const reply = await fetch("/console/api" + path, options);
    let data = null;
    try { data = await reply.json(); } catch (e) { data = null; }
    if (reply.status === 401 && path !== "/login") { showLogin(); }
    return { status: reply.status, data };
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function languageLabel(lang) {
    if (!lang) return "?";
    return lang.name === lang.english_name ? lang.name : lang.name + " (" + lang.english_name + ")";
  }

  function minutes(seconds) {
    if (seconds < 60) return seconds + " s";
    return Math.floor(seconds / 60) + " min";
  }

  function showLogin() {
    $("app-view").hidden = true;
    $("login-view").hidden = false;
    if (state.events) { state.events.close(); state.events = null; }
  }

  async function showApp() {
    $("login-view").hidden = true;
    $("app-view").hidden = false;
    await refreshQueue();
    connectEvents();
  }

  async function refreshQueue() {
    const { status, data } = await api("GET", "/queue");
    if (status !== 200) return;
    state.me = data.me;
    $("me").textContent = data.me.alias + " · " + data.me.teams.join(", ");
    state.queue = data.queue;
    const queue = $("queue");
    queue.replaceChildren();
    data.queue.forEach((item) => {
      const li = el("li", null, "urgency-" + item.urgency);
      li.appendChild(el("strong", URGENCY[item.urgency] + " · " + languageLabel(item.language)));
      li.appendChild(el("span", (item.topic || "no topic") + " · " + item.team +
        (item.transferred_to_you ? " · transferred to you" : ""), "muted"));
      const waited = el("span", "waiting " + minutes(item.waiting_seconds), "muted waiting");
      waited.dataset.since = String(Date.now() / 1000 - item.waiting_seconds);
      li.appendChild(waited);
      li.addEventListener("click", () => claim(item.id));
      queue.appendChild(li);
    });
    if (!data.queue.length) queue.appendChild(el("li", "Nobody is waiting.", "muted"));
    const mine = $("mine");
    mine.replaceChildren();
    data.mine.forEach((item) => {
      const li = el("li", null, "urgency-" + item.urgency + (item.id === state.open ? " selected" : ""));
      const title = el("strong", languageLabel(item.language) + " · " + (item.topic || "no topic"));
      if (item.unread && item.id !== state.open) title.appendChild(el("span", " " + item.unread + " new", "badge"));
      li.appendChild(title);
      li.addEventListener("click", () => openConversation(item.id));
      mine.appendChild(li);
    });
    if (!data.mine.length) mine.appendChild(el("li", "None.", "muted"));
    const unread = data.mine.reduce((sum, item) => sum + (item.id === state.open ? 0 : item.unread), 0);
    document.title = (unread ? "(" + unread + ") " : "") + "Fristad console";
  }

  async function claim(id) {
    const { status, data } = await api("POST", "/conversations/" + encodeURIComponent(id) + "/claim");
    if (status === 200) { await openConversation(data.id); }
    else { alertText((data && data.message) || "Could not claim."); }
    await refreshQueue();
  }

  function alertText(text) {
    const box = $("alert");
    box.textContent = text;
    box.hidden = false;
    setTimeout(() => { box.hidden = true; }, 8000);
  }

  async function openConversation(id) {
    const { status, data } = await api("GET", "/conversations/" + encodeURIComponent(id));
    if (status !== 200) { state.open = null; $("conversation").hidden = true; await refreshQueue(); return; }
    state.open = id;
    state.conversation = data;
    $("conversation").hidden = false;
    const header = $("conv-header");
    header.replaceChildren(
      el("h2", languageLabel(data.language) + " · " + (data.topic || "no topic")),
      el("p", URGENCY[data.urgency] + " · team " + data.team + " · channel " + data.channel, "muted"));
    const list = $("transcript");
    list.replaceChildren();
    data.transcript.forEach((line) => {
      const li = el("li", null, "from-" + line.from);
      li.dir = "auto";
      li.appendChild(el("span", line.from === "counsellor" ? (line.alias || "counsellor") : line.from, "who"));
      li.appendChild(document.createTextNode(line.text));
      list.appendChild(li);
    });
    list.scrollTop = list.scrollHeight;
    const notes = $("notes");
    notes.replaceChildren();
    data.notes.forEach((note) => notes.appendChild(el("li", note.author + ": " + note.text)));
    fillReadyReplies();
    await refreshQueue();
  }

  function fillReadyReplies() {
    const select = $("ready-key");
    const lang = $("ready-lang").value;
    const chosen = select.value;
    select.replaceChildren();
    (state.conversation ? state.conversation.ready_replies : []).forEach((reply) => {
      const option = el("option", reply[lang].slice(0, 90));
      option.value = reply.key;
      select.appendChild(option);
    });
    if (chosen) select.value = chosen;
    previewReady();
  }

  function previewReady() {
    const lang = $("ready-lang").value;
    const reply = (state.conversation ? state.conversation.ready_replies : []).find((r) => r.key === $("ready-key").value);
    $("ready-preview").textContent = reply ? reply[lang] : "";
  }

  async function act(path, body) {
    if (!state.open) return;
    const { status, data } = await api("POST", "/conversations/" + encodeURIComponent(state.open) + path, body);
    if (status >= 400) alertText((data && data.message) || "That did not work.");
    return status;
  }

  function connectEvents() {
    if (state.events) state.events.close();
    const source = new EventSource("/console/api/events");
    state.events = source;
    source.addEventListener("ready", () => { $("connection").textContent = "live"; });
    source.onerror = () => { $("connection").textContent = "reconnecting…"; };
    ["queued", "claimed", "expired", "released", "transferred", "resolved", "cancelled"].forEach((kind) => {
      source.addEventListener(kind, (event) => {
        const data = JSON.parse(event.data);
        if (kind === "queued" && data.urgent && !state.seenUrgent.has(data.conversation)) {
          state.seenUrgent.add(data.conversation);
          alertText("New urgent conversation: " + (data.urgency === "0" ? "immediate danger" : "minor"));
        }
        refreshQueue();
      });
    });
    source.addEventListener("message", (event) => {
      const data = JSON.parse(event.data);
      if (data.conversation === state.open) openConversation(state.open); else refreshQueue();
    });
  }

  document.addEventListener("DOMContentLoaded", async () => {
    $("login-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const { status, data } = await api("POST", "/login", { name: $("login-name").value, password: $("login-password").value });
      $("login-password").value = "";
      if (status === 200) { $("login-error").textContent = ""; await showApp(); }
      else { $("login-error").textContent = (data && data.message) || "Login failed."; }
    });
    $("logout").addEventListener("click", async () => { await api("POST", "/logout"); showLogin(); });
    $("claim-next").addEventListener("click", () => claim("next"));
    $("reply-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = $("reply-text").value.trim();
      if (!text) return;
      if (await act("/messages", { text }) === 201) { $("reply-text").value = ""; await openConversation(state.open); }
    });
    $("ready-lang").addEventListener("change", fillReadyReplies);
    $("ready-key").addEventListener("change", previewReady);
    $("ready-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      if (await act("/messages", { reply_key: $("ready-key").value }) === 201) await openConversation(state.open);
    });
    $("note-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = $("note-text").value.trim();
      if (text && await act("/notes", { text }) === 201) { $("note-text").value = ""; await openConversation(state.open); }
    });
    $("transfer").addEventListener("click", async () => {
      const team = $("transfer-team").value, to = $("transfer-to").value.trim();
      const body = to ? { counsellor: to } : { team };
      if (await act("/transfer", body) === 200) { state.open = null; $("conversation").hidden = true; await refreshQueue(); }
    });
    $("release").addEventListener("click", async () => {
      if (await act("/release", {}) === 200) { state.open = null; $("conversation").hidden = true; await refreshQueue(); }
    });
    $("handback").addEventListener("click", async () => {
      if (await act("/resolve", { outcome: "bot" }) === 200) { state.open = null; $("conversation").hidden = true; await refreshQueue(); }
    });
    $("close").addEventListener("click", async () => {
      if (await act("/resolve", { outcome: "closed" }) === 200) { state.open = null; $("conversation").hidden = true; await refreshQueue(); }
    });
    setInterval(() => {
      document.querySelectorAll(".waiting").forEach((node) => {
        node.textContent = "waiting " + minutes(Math.floor(Date.now() / 1000 - Number(node.dataset.since)));
      });
    }, 1000);
    setInterval(() => { if (state.me) api("POST", "/heartbeat"); }, 15000);
    const { status } = await api("GET", "/queue");
    if (status === 200) await showApp(); else showLogin();
  });
})();
