// castdown serve: reload after a rebuild; show build errors in an overlay. Injected by
// `castdown serve` only, never written by `castdown build`.
(function () {
  "use strict";
  var generation = document.currentScript && document.currentScript.getAttribute("data-generation");
  var overlay = null;
  // Two rebuilds in quick succession (an editor that writes a file in two steps) send two
  // events before the page unloads: reloading twice would abort the first navigation.
  var reloading = false;
  function hide() {
    if (overlay) { overlay.remove(); overlay = null; }
  }
  function show(text) {
    hide();
    overlay = document.createElement("div");
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,24,.94);color:#ffd7d7;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:2rem";
    var title = document.createElement("p");
    title.textContent = "castdown: the last edit did not build. Still serving the last good version.";
    title.style.cssText = "color:#fff;font-weight:bold;margin:0 0 1rem";
    var pre = document.createElement("pre");
    pre.textContent = text;
    pre.style.cssText = "white-space:pre-wrap;margin:0";
    overlay.appendChild(title);
    overlay.appendChild(pre);
    document.body.appendChild(overlay);
  }
  var events = new EventSource("/__castdown/events");
  events.addEventListener("state", function (e) {
    var s = JSON.parse(e.data);
    if (s.error) { show(s.error); return; }
    hide();
    if (generation && String(s.generation) !== generation && !reloading) {
      reloading = true;
      location.reload();
    }
  });
})();
