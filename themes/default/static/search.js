// castdown search: runs in the browser over the static index in search/ (format documented in
// src/search/mod.rs). Fetches the manifest, then only the chunks a query needs.
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root) return;
  var base = root.getAttribute("data-index");
  var input = document.getElementById("search-q");
  var showSel = document.getElementById("search-show");
  var conceptSel = document.getElementById("search-concept");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var STOP = new Set(["a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in", "is", "it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "were", "will", "with"]);
  var SHOWN = 20;
  var cache = new Map();
  var manifest = null;
  var seq = 0;

  function fetchJson(path) {
    if (!cache.has(path)) {
      cache.set(path, fetch(base + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": HTTP " + r.status);
        return r.json();
      }));
    }
    return cache.get(path);
  }
  function fold(s) {
    return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  }
  function tokenize(s) {
    return fold(s).split(/[^\p{L}\p{N}]+/u).filter(function (t) {
      return Array.from(t).length >= 2 && !STOP.has(t);
    });
  }
  var encoder = new TextEncoder();
  function fnv1a(s) {
    var h = 0x811c9dc5;
    var bytes = encoder.encode(s);
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }
  function prefix2(t) {
    return Array.from(t).slice(0, 2).join("");
  }
  // Postings of one exact term as a Map doc -> weight.
  function postings(term) {
    return fetchJson("p/" + (fnv1a(term) % manifest.post_chunks) + ".json").then(function (chunk) {
      var flat = chunk[term] || [];
      var m = new Map();
      for (var i = 0; i + 1 < flat.length; i += 2) m.set(flat[i], flat[i + 1]);
      return m;
    });
  }
  // The word being typed: the most frequent terms it may become (itself first).
  function prefixPostings(prefix) {
    return fetchJson("d/" + (fnv1a(prefix2(prefix)) % manifest.dict_chunks) + ".json").then(function (dict) {
      var terms = Object.keys(dict).filter(function (t) { return t.startsWith(prefix); });
      terms.sort(function (a, b) { return (b === prefix) - (a === prefix) || dict[b] - dict[a] || (a < b ? -1 : 1); });
      terms = terms.slice(0, 8);
      return Promise.all(terms.map(postings)).then(function (maps) {
        var m = new Map();
        maps.forEach(function (p) {
          p.forEach(function (w, d) { m.set(d, Math.max(m.get(d) || 0, w)); });
        });
        return { map: m, terms: terms };
      });
    });
  }
  function filterIds(sel, letter) {
    if (!sel.value) return Promise.resolve(null);
    return fetchJson("f/" + letter + sel.value + ".json").then(function (ids) { return new Set(ids); });
  }
  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; });
  }
  function matches(word, full, prefixes) {
    var w = fold(word);
    return full.indexOf(w) >= 0 || prefixes.some(function (p) { return w.startsWith(p); });
  }
  // A snippet around the first match, matched words in <mark>.
  function snippet(text, full, prefixes) {
    var re = /[\p{L}\p{N}\p{M}]+/gu, m, first = -1;
    while ((m = re.exec(text))) {
      if (matches(m[0], full, prefixes)) { first = m.index; break; }
    }
    var start = Math.max(0, first - 80);
    if (start > 0) { var sp = text.indexOf(" ", start); if (sp >= 0 && sp < first) start = sp + 1; }
    var piece = text.slice(start, start + 240);
    var out = "", last = 0;
    re.lastIndex = 0;
    while ((m = re.exec(piece))) {
      if (matches(m[0], full, prefixes)) {
        out += escapeHtml(piece.slice(last, m.index)) + "<mark>" + escapeHtml(m[0]) + "</mark>";
        last = m.index + m[0].length;
      }
    }
    out += escapeHtml(piece.slice(last));
    return (start > 0 ? "…" : "") + out + (start + 240 < text.length ? "…" : "");
  }
  function countMatches(text, full, prefixes) {
    var re = /[\p{L}\p{N}\p{M}]+/gu, m, n = 0;
    while ((m = re.exec(text))) if (matches(m[0], full, prefixes)) n++;
    return n;
  }
  function render(ids, total, full, prefixes, token) {
    // Metadata comes in groups of eight documents per file.
    return Promise.all(ids.map(function (id) {
      return fetchJson("m/" + Math.floor(id / 8) + ".json").then(function (group) { return group[id % 8]; });
    })).then(function (metas) {
      if (token !== seq) return;
      list.replaceChildren();
      metas.forEach(function (meta) {
        var best = null, bestN = 0;
        meta.sections.forEach(function (s) {
          var n = countMatches((s.heading || "") + " " + s.text, full, prefixes);
          if (n > bestN) { best = s; bestN = n; }
        });
        var li = document.createElement("li");
        var h = document.createElement("h2");
        var a = document.createElement("a");
        a.href = meta.url + (best && best.id ? "#" + encodeURIComponent(best.id) : "");
        a.innerHTML = snippet(meta.title, full, prefixes);
        h.appendChild(a);
        li.appendChild(h);
        var p = document.createElement("p");
        p.className = "meta";
        p.textContent = [meta.show, meta.date].filter(Boolean).join(" · ") + (best && best.heading ? " · " + best.heading : "");
        li.appendChild(p);
        var s = document.createElement("p");
        s.className = "snippet";
        var concepts = meta.concepts.join(", ");
        if (!best && countMatches(concepts, full, prefixes) > 0) {
          // Matched through a concept: say so, highlighted.
          s.innerHTML = "Concepts: " + snippet(concepts, full, prefixes);
        } else {
          s.innerHTML = snippet(best ? best.text : meta.summary, full, prefixes);
        }
        li.appendChild(s);
        list.appendChild(li);
      });
      status.textContent = total === 0 ? "No results." : total > ids.length ? "Showing " + ids.length + " of " + total + " results." : total + (total === 1 ? " result." : " results.");
    });
  }
  function run() {
    var token = ++seq;
    var q = input.value;
    var params = new URLSearchParams();
    if (q) params.set("q", q);
    if (showSel.value) params.set("show", showSel.value);
    if (conceptSel.value) params.set("concept", conceptSel.value);
    history.replaceState(null, "", params.toString() ? "?" + params : location.pathname);
    var tokens = tokenize(q);
    var typing = q.length > 0 && /[\p{L}\p{N}]$/u.test(q);
    var full = typing ? tokens.slice(0, -1) : tokens;
    var prefix = typing && tokens.length ? tokens[tokens.length - 1] : null;
    if (!tokens.length && !showSel.value && !conceptSel.value) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    status.textContent = "Searching…";
    var lists = full.map(postings);
    if (prefix) lists.push(prefixPostings(prefix).then(function (r) { return r.map; }));
    Promise.all([Promise.all(lists), filterIds(showSel, "s"), filterIds(conceptSel, "c")]).then(function (r) {
      if (token !== seq) return;
      var maps = r[0], filters = [r[1], r[2]].filter(Boolean);
      var scored;
      if (maps.length) {
        maps.sort(function (a, b) { return a.size - b.size; });
        scored = [];
        maps[0].forEach(function (w, d) {
          var total = w;
          for (var i = 1; i < maps.length; i++) {
            var x = maps[i].get(d);
            if (x === undefined) return;
            total += x;
          }
          scored.push([d, total]);
        });
      } else {
        // Filters alone: every document in them, newest first (document order).
        scored = Array.from(filters[0]).map(function (d) { return [d, 0]; });
      }
      scored = scored.filter(function (s) { return filters.every(function (f) { return f.has(s[0]); }); });
      scored.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
      return render(scored.slice(0, SHOWN).map(function (s) { return s[0]; }), scored.length, full, prefix ? [prefix] : [], token);
    }).catch(function (e) {
      if (token === seq) status.textContent = "Search failed: " + e.message;
    });
  }
  function fill(sel, names) {
    names.map(function (n, i) { return [n, i]; })
      .sort(function (a, b) { return a[0].localeCompare(b[0]); })
      .forEach(function (p) {
        var o = document.createElement("option");
        o.value = String(p[1]);
        o.textContent = p[0];
        sel.appendChild(o);
      });
  }
  var timer = null;
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(run, 80);
  }
  fetchJson("manifest.json").then(function (m) {
    manifest = m;
    fill(showSel, m.shows);
    fill(conceptSel, m.concepts);
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    showSel.value = params.get("show") || "";
    conceptSel.value = params.get("concept") || "";
    input.addEventListener("input", soon);
    showSel.addEventListener("change", run);
    conceptSel.addEventListener("change", run);
    root.querySelector("form").addEventListener("submit", function (e) { e.preventDefault(); run(); });
    run();
  }).catch(function (e) {
    status.textContent = "The search index could not be loaded: " + e.message;
  });
})();
