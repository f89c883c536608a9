/* Fristad chat widget. No dependencies, no third-party requests, nothing stored in
 * the browser: the conversation token lives in this closure only and is gone when
 * the page is. Bot and counsellor messages arrive as Server-Sent Events read with
 * fetch() (so the token travels in a header, never in a URL), resumed with
 * Last-Event-ID after any break. */
(function () {
  "use strict";

  var API = "/chat/api/";
  var state = { token: null, lastEventId: "", config: null, language: null, streaming: false, starting: false, pending: [] };
  var $ = function (id) { return document.getElementById(id); };

  function embedded() { return document.body.getAttribute("data-mode") === "embed" && window.parent !== window; }

  /* ---- quick exit: replace the page so Back does not return ---- */
  function quickExit() {
    var url = (state.config && state.config.exit_url) || "about:blank";
    state.token = null;
    try { document.body.textContent = ""; } catch (e) { /* nothing to clear */ }
    if (embedded()) {
      // The host page's embed.js replaces the whole page (browsers refuse a cross-origin
      // frame that navigates the top window on Escape); this frame goes too, in any case.
      try { window.parent.postMessage({ type: "fristad-exit", url: url }, "*"); } catch (e) { /* no parent */ }
    }
    window.location.replace(url);
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") { event.preventDefault(); quickExit(); }
  }, true);

  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function setDirection(language, direction) {
    var root = document.documentElement;
    if (language) { root.setAttribute("lang", language); }
    root.setAttribute("dir", direction === "rtl" ? "rtl" : "ltr");
  }

  function applyLabels(labels) {
    document.title = labels.widget_title;
    $("exit-label").textContent = labels.widget_exit;
    $("send").textContent = labels.widget_send;
    $("text").setAttribute("placeholder", labels.widget_placeholder);
    $("text-label").textContent = labels.widget_placeholder;
    $("language-label").textContent = labels.widget_language;
    $("language").setAttribute("aria-label", labels.widget_language);
    $("intro").textContent = labels.widget_intro;
  }

  function status(text) { $("status").textContent = text || ""; }

  /* ---- messages on screen ---- */
  function addMessage(kind, text, options) {
    var item = document.createElement("div");
    item.className = "msg " + kind;
    if (options && options.direction) { item.setAttribute("dir", options.direction); }
    if (options && options.language) { item.setAttribute("lang", options.language); }
    item.textContent = text;
    var buttons = (options && options.buttons) || [];
    if (buttons.length) {
      var group = document.createElement("div");
      group.className = "choices";
      group.setAttribute("role", "group");
      buttons.forEach(function (button) {
        var choice = document.createElement("button");
        choice.type = "button";
        choice.className = "choice";
        choice.textContent = button.title;
        choice.addEventListener("click", function () {
          group.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
          send(button.payload, button.title);
        });
        group.appendChild(choice);
      });
      item.appendChild(group);
    }
    $("log").appendChild(item);
    $("log").scrollTop = $("log").scrollHeight;
    return item;
  }

  /* ---- sending: retried with the same message_id, so the server processes it once ---- */
  function post(path, body) {
    return fetch(API + path, {
      method: "POST", credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    });
  }

  // The wait the server asks for (429, Retry-After), else a back-off of up to 30 s.
  function retryDelay(reply, attempt) {
    var asked = reply && reply.headers ? parseInt(reply.headers.get("Retry-After"), 10) : 0;
    if (asked > 0) { return Math.min(asked, 300) * 1000; }
    return Math.min(30000, 1000 * Math.pow(2, attempt));
  }

  function offline() { status(state.config ? state.config.labels.widget_offline : ""); }

  // Nothing the person wrote is dropped: without a conversation yet it waits for one.
  function send(text, shown, hidden) {
    if (!text) { return; }
    if (!hidden) { addMessage("person", shown || text, { language: state.language }); }
    var message = { text: text, message_id: randomId(), language_hint: state.language };
    if (!state.token) { state.pending.push(message); return; }
    deliver(message, 0);
  }

  function deliver(message, attempt) {
    if (!state.token) { state.pending.push(message); return; }
    message.token = state.token;
    post("messages", message).then(function (reply) {
      if (reply.status === 403) { state.pending.push(message); return restart(); }
      if (reply.status === 429 || reply.status >= 500) {
        if (reply.status !== 429) { offline(); }
        window.setTimeout(function () { deliver(message, attempt + 1); }, retryDelay(reply, attempt));
        return;
      }
      status("");
    }).catch(function () {
      offline();
      window.setTimeout(function () { deliver(message, attempt + 1); }, retryDelay(null, attempt));
    });
  }

  /* ---- receiving: SSE over fetch, resumable ---- */
  function handleEvent(id, data) {
    if (id) { state.lastEventId = id; }
    if (!data) { return; }
    var message;
    try { message = JSON.parse(data); } catch (e) { return; }
    if (message.direction) { setDirection(message.language || state.language, message.direction); }
    if (message.language && message.language !== state.language) {
      state.language = message.language;
      syncPicker();
      relabel(message.language);
    }
    addMessage(message.kind === "counsellor" ? "counsellor" : "bot", message.text,
      { buttons: message.buttons, direction: message.direction, language: message.language });
  }

  function listen(delay) {
    if (state.streaming || !state.token) { return; }
    state.streaming = true;
    var headers = { "Authorization": "Bearer " + state.token, "Accept": "text/event-stream" };
    if (state.lastEventId) { headers["Last-Event-ID"] = state.lastEventId; }
    fetch(API + "events", { headers: headers, credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" })
      .then(function (reply) {
        if (reply.status === 403) { state.streaming = false; return restart(); }
        if (!reply.ok || !reply.body) { throw new Error("stream"); }
        status("");
        var reader = reply.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) { return; }
            buffer += decoder.decode(chunk.value, { stream: true });
            var parts = buffer.split("\n\n");
            buffer = parts.pop();
            parts.forEach(function (block) {
              var id = "", data = [];
              block.split("\n").forEach(function (line) {
                if (line.indexOf("id: ") === 0) { id = line.slice(4); }
                else if (line.indexOf("data: ") === 0) { data.push(line.slice(6)); }
              });
              handleEvent(id, data.join("\n"));
            });
            return pump();
          });
        }
        return pump();
      })
      .then(function () { state.streaming = false; listen(0); })
      .catch(function () {
        state.streaming = false;
        status(state.config ? state.config.labels.widget_offline : "");
        var next = Math.min(15000, (delay || 500) * 2);
        window.setTimeout(function () { listen(next); }, next);
      });
  }

  /* ---- language picker ---- */
  function syncPicker() {
    var select = $("language");
    if (select.value !== state.language) { select.value = state.language; }
  }

  function fillPicker(config) {
    var select = $("language");
    select.textContent = "";
    config.languages.forEach(function (lang) {
      var option = document.createElement("option");
      option.value = lang.code;
      option.textContent = lang.name;
      option.setAttribute("lang", lang.code);
      option.setAttribute("dir", lang.direction);
      select.appendChild(option);
    });
    select.value = config.language;
  }

  function loadConfig(language) {
    var query = language ? "?language=" + encodeURIComponent(language) : "";
    return fetch(API + "config" + query, { credentials: "omit", cache: "no-store" }).then(function (r) { return r.json(); });
  }

  // The page's own labels follow the conversation's language.
  function relabel(code) {
    loadConfig(code).then(function (config) { state.config.labels = config.labels; applyLabels(config.labels); })
      .catch(function () { /* keep the labels we have */ });
  }

  function chooseLanguage(code) {
    var lang = state.config.languages.filter(function (l) { return l.code === code; })[0];
    if (!lang) { return; }
    state.language = code;
    setDirection(code, lang.direction);
    relabel(code);
    send(lang.payload, null, true);
  }

  /* ---- start ---- */
  function restart(attempt) {
    attempt = attempt || 0;
    if (state.starting && !attempt) { return Promise.resolve(); }
    state.starting = true;
    state.token = null;
    state.lastEventId = "";
    return post("session", {}).then(function (reply) {
      if (!reply.ok) { throw reply; }
      return reply.json();
    }).then(function (session) {
      state.starting = false;
      state.token = session.token;
      listen(0);
      state.pending.splice(0).forEach(function (message) { deliver(message, 0); });
    }).catch(function (reply) {
      offline();
      window.setTimeout(function () { restart(attempt + 1); }, retryDelay(reply, attempt));
    });
  }

  function browserLanguage(config) {
    var wanted = (navigator.languages || [navigator.language || ""]).map(function (l) { return String(l).split("-")[0]; });
    var codes = config.languages.map(function (l) { return l.code; });
    for (var i = 0; i < wanted.length; i++) { if (codes.indexOf(wanted[i]) >= 0) { return wanted[i]; } }
    return config.language;
  }

  function start() {
    $("exit").addEventListener("click", quickExit);
    $("composer").addEventListener("submit", function (event) {
      event.preventDefault();
      var box = $("text");
      var text = box.value.trim();
      if (!text) { return; }
      box.value = "";
      send(text);
      box.focus();
    });
    $("text").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("composer").requestSubmit(); }
    });
    $("language").addEventListener("change", function (event) { chooseLanguage(event.target.value); });
    loadConfig(null).then(function (config) {
      state.config = config;
      if (embedded()) { window.parent.postMessage({ type: "fristad-ready", url: config.exit_url }, "*"); }
      var language = browserLanguage(config);
      return (language !== config.language ? loadConfig(language) : Promise.resolve(config)).then(function (c) {
        state.config = c;
        state.language = c.language;
        fillPicker(c);
        applyLabels(c.labels);
        setDirection(c.language, c.direction);
        return restart();
      });
    }).then(function () {
      send("/greet", null, true);
    }).catch(function () { status("..."); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
