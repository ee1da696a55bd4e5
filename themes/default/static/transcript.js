// castdown: shows an episode's transcript in place, fetched only when the reader asks.
// Without JavaScript the button stays hidden and the plain link to the transcript page works.
(function () {
  "use strict";
  function setup(box) {
    var button = box.querySelector(".transcript-toggle");
    var slot = box.querySelector(".transcript-slot");
    var src = box.getAttribute("data-transcript");
    if (!button || !slot || !src) return;
    // The words are the page's (its language), on the button; English if a theme left them out.
    var say = function (name, english) { return button.getAttribute("data-" + name) || english; };
    button.hidden = false;
    button.addEventListener("click", function () {
      if (button.getAttribute("aria-expanded") === "true") {
        slot.hidden = true;
        button.setAttribute("aria-expanded", "false");
        button.textContent = say("show", "Show transcript here");
        return;
      }
      var open = function () {
        slot.hidden = false;
        button.setAttribute("aria-expanded", "true");
        button.textContent = say("hide", "Hide transcript");
      };
      if (slot.getAttribute("data-loaded")) return open();
      button.disabled = true;
      button.textContent = say("loading", "Loading transcript…");
      fetch(src)
        .then(function (res) {
          if (!res.ok) throw new Error("HTTP " + res.status);
          return res.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var cues = doc.querySelector(".transcript-cues");
          if (!cues) throw new Error("no transcript in page");
          slot.replaceChildren(document.importNode(cues, true));
          slot.setAttribute("data-loaded", "1");
          button.disabled = false;
          open();
        })
        .catch(function () {
          slot.textContent = say("failed", "The transcript could not be loaded here.") + " ";
          var a = document.createElement("a");
          a.href = src;
          a.textContent = say("open", "Open the transcript page.");
          slot.appendChild(a);
          slot.hidden = false;
          button.disabled = false;
          button.textContent = say("retry", "Try again");
        });
    });
  }
  document.querySelectorAll("[data-transcript]").forEach(setup);
})();
