// castdown: the episode's player. Speed control, the position remembered per episode,
// timestamps (body, chapters, transcript cues) that seek and play, and a video embed that
// loads nothing from the video site until the reader asks. Without JavaScript the native
// controls, the file link, the "Watch on" link and every timestamp's own URL still work.
(function () {
  "use strict";
  var box = document.querySelector(".player");
  if (!box) return;
  var media = box.querySelector(".player-media");
  var embed = box.querySelector(".embed");
  var key = "castdown:position:" + (box.getAttribute("data-episode") || location.pathname);
  function store(k, v) { try { if (v === null) localStorage.removeItem(k); else localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  function load(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
  function clock(s) {
    s = Math.floor(s);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(r).padStart(2, "0");
  }

  if (media) {
    var tools = box.querySelector(".player-tools");
    var speed = box.querySelector(".player-speed");
    var resume = box.querySelector(".player-resume");
    if (tools) tools.hidden = false;
    var rate = parseFloat(load("castdown:speed") || "1");
    if (speed) {
      if (speed.querySelector('option[value="' + rate + '"]')) speed.value = String(rate);
      speed.addEventListener("change", function () {
        media.playbackRate = parseFloat(speed.value);
        store("castdown:speed", speed.value);
      });
    }
    media.addEventListener("play", function () { if (speed) media.playbackRate = parseFloat(speed.value); });
    // Where the reader left off: offered, and taken when they press play.
    var saved = parseFloat(load(key) || "0");
    var pending = saved > 5 ? saved : 0;
    var resumesAt = (tools && tools.getAttribute("data-resumes-at")) || "Resumes at {time}";
    if (pending && resume) resume.textContent = resumesAt.replace("{time}", clock(pending));
    media.addEventListener("play", function () {
      if (pending && media.currentTime < 1) media.currentTime = pending;
      pending = 0;
      if (resume) resume.textContent = "";
    });
    var last = 0;
    media.addEventListener("timeupdate", function () {
      if (Math.abs(media.currentTime - last) >= 5) {
        last = media.currentTime;
        store(key, String(Math.floor(media.currentTime)));
      }
    });
    media.addEventListener("pause", function () { store(key, String(Math.floor(media.currentTime))); });
    media.addEventListener("ended", function () { store(key, null); });
  }

  function loadEmbed(start) {
    var src = embed.getAttribute("data-embed-src");
    if (start > 0) src = /vimeo/.test(src) ? src.replace(/#.*$/, "") + "#t=" + start + "s" : src.replace(/&start=\d+/, "") + "&start=" + start;
    var frame = embed.querySelector("iframe");
    if (!frame) {
      frame = document.createElement("iframe");
      frame.title = embed.getAttribute("data-embed-title") || "Video player";
      frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
      frame.setAttribute("allowfullscreen", "");
      frame.referrerPolicy = "strict-origin-when-cross-origin";
      embed.replaceChildren(frame);
      embed.classList.add("embed-loaded");
    }
    frame.src = src;
    frame.focus();
  }
  if (embed) {
    var button = embed.querySelector(".embed-load");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", function () { loadEmbed(0); });
    }
  }

  // Any timestamp on the page, including transcript cues shown in place later.
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a.ts[data-t], .ts[data-t]");
    if (!a || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    var t = parseFloat(a.getAttribute("data-t"));
    if (isNaN(t)) return;
    if (media) {
      ev.preventDefault();
      pending = 0;
      media.currentTime = t;
      var p = media.play();
      if (p && p.catch) p.catch(function () { /* the reader may press play */ });
    } else if (embed) {
      ev.preventDefault();
      loadEmbed(t);
    }
  });
})();
