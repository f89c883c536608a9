/* Fristad: embed the chat in any page with one tag:
 *   <script src="/chat/embed.js" defer></script>  (with your Fristad host in front)
 * It adds a button that opens the chat in an iframe served by Fristad, so the host
 * page never sees the conversation and nothing is stored on the host's origin. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || document.getElementById("fristad-chat-frame")) { return; }
  var origin = new URL(script.src, window.location.href).origin;
  var label = script.getAttribute("data-label") || "Chat";

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "fristad-chat-frame");
  button.style.cssText = "position:fixed;bottom:16px;right:16px;z-index:2147483646;min-height:48px;" +
    "padding:0 20px;border:0;border-radius:24px;background:#0b57d0;color:#fff;font:600 16px system-ui,sans-serif;cursor:pointer";

  var frame = document.createElement("iframe");
  frame.id = "fristad-chat-frame";
  frame.title = label;
  frame.src = origin + "/chat/?embed=1";
  frame.setAttribute("referrerpolicy", "no-referrer");
  frame.setAttribute("allow", "");
  frame.hidden = true;
  frame.style.cssText = "position:fixed;bottom:76px;right:16px;z-index:2147483647;width:min(400px,calc(100vw - 32px));" +
    "height:min(640px,calc(100vh - 100px));border:1px solid #d6dae0;border-radius:12px;background:#fff;box-shadow:0 8px 24px rgba(0,0,0,.2)";

  button.addEventListener("click", function () {
    frame.hidden = !frame.hidden;
    button.setAttribute("aria-expanded", String(!frame.hidden));
    if (!frame.hidden) { frame.focus(); }
  });
  // Quick exit, on the host page: the chat frame asks for it (its button, or Escape
  // inside it), or Escape is pressed on the host page while the chat is open.
  var exitUrl = null;
  function leave(url) { frame.remove(); window.location.replace(url); }
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || typeof data.url !== "string" || !/^https?:\/\//.test(data.url)) { return; }
    if (data.type === "fristad-ready") { exitUrl = data.url; }
    if (data.type === "fristad-exit") { leave(data.url); }
  });
  document.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Esc") && !frame.hidden && exitUrl) { leave(exitUrl); }
  });
  document.body.appendChild(frame);
  document.body.appendChild(button);
}());
