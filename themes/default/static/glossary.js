// castdown: a filter-as-you-type box over a list of concepts, shows or people. Without
// JavaScript the box stays hidden and the whole list, with its letter anchors, works.
(function () {
  "use strict";
  // The same folding as the list's sort: lowercase, accents dropped.
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var form = document.querySelector(".term-filter");
  var input = document.getElementById("term-filter-q");
  var status = document.getElementById("term-filter-status");
  if (!form || !input || !status) return;
  var entries = Array.prototype.map.call(document.querySelectorAll(".glossary .entry"), function (el) {
    return { el: el, names: fold(el.getAttribute("data-names") || "").split("|") };
  });
  var groups = Array.prototype.slice.call(document.querySelectorAll(".term-group"));
  var letters = {};
  document.querySelectorAll(".letters a").forEach(function (a) {
    letters[a.getAttribute("href").slice(1)] = a;
  });
  form.hidden = false;
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  function apply() {
    var q = fold(input.value.trim());
    var shown = 0;
    entries.forEach(function (x) {
      var hit = !q || x.names.some(function (n) { return n.indexOf(q) !== -1; });
      x.el.hidden = !hit;
      if (hit) shown += 1;
    });
    groups.forEach(function (g) {
      var any = g.querySelector(".entry:not([hidden])") !== null;
      g.hidden = !any;
      var a = letters[g.id];
      if (a) {
        if (any) a.removeAttribute("aria-disabled");
        else a.setAttribute("aria-disabled", "true");
      }
    });
    // The sentence is the page's (its language): {shown} of {total} match “{query}”.
    var said = (form.getAttribute("data-status") || "{shown} of {total} match “{query}”")
      .replace("{shown}", shown).replace("{total}", entries.length).replace("{query}", input.value.trim());
    status.textContent = q ? said : "";
    var url = new URL(window.location.href);
    if (q) url.searchParams.set("filter", input.value.trim());
    else url.searchParams.delete("filter");
    window.history.replaceState(null, "", url);
  }
  input.addEventListener("input", apply);
  var initial = new URL(window.location.href).searchParams.get("filter");
  if (initial) {
    input.value = initial;
    apply();
  }
})();
