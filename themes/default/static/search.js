// castdown search: runs in the browser over the static index in search/ (format documented in
// src/search/mod.rs, behaviour in docs/search.md). Fetches the manifest, then only the files a
// query needs. Words are folded, split and stemmed exactly as the indexer does
// (src/search/tokens.rs); a differential test runs both over the same words.
(function () {
  "use strict";

  // ---- Words: the indexer's rules, line for line ----------------------------------------
  var STOP = new Set(["a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in", "is", "it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "were", "will", "with"]);
  var SPELL = { "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l", "ı": "i", "ς": "σ" };
  function foldChars(s) {
    return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/[ßæœøđðþłıς]/g, function (c) { return SPELL[c]; });
  }
  // A whole name folded, symbols kept, whitespace collapsed ("C++" -> "c++").
  function fold(s) {
    return s.split(/\p{White_Space}+/u).filter(Boolean).map(foldChars).join(" ");
  }
  var TOKEN = /[\p{Alphabetic}\p{N}]+(?:['\u2019\u02BC][\p{Alphabetic}\p{N}]+)*/gu;
  function tokenize(s) {
    var out = [];
    var m, f = foldChars(s);
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(f))) {
      var t = m[0].replace(/['\u2019\u02BC]/g, "");
      if (Array.from(t).length >= 2 && !STOP.has(t)) out.push(t);
    }
    return out;
  }
  // The exact-name key of a name its words cannot find (C, C++, .NET, 401(k)), or null.
  function nameKey(s) {
    var f = fold(s);
    return f && tokenize(s).join(" ") !== f ? "=" + f : null;
  }

  // English stemming: the Snowball "english" (Porter2) algorithm, on words of a-z only.
  var V = "aeiouy";
  function isV(c) { return c !== undefined && V.indexOf(c) >= 0; }
  function longest(s, list) {
    for (var i = 0; i < list.length; i++) if (s.endsWith(list[i][0])) return list[i];
    return null;
  }
  function shortv(s, end) {
    var c1 = s[end - 1], c2 = s[end - 2], c3 = s[end - 3];
    if (end >= 3 && !isV(c1) && "wxY".indexOf(c1) < 0 && isV(c2) && !isV(c3)) return true;
    return end === 2 && !isV(c1) && isV(c2);
  }
  var EXCEPTION1 = { skis: "ski", skies: "sky", dying: "die", lying: "lie", tying: "tie", idly: "idl", gently: "gentl", ugly: "ugli", early: "earli", only: "onli", singly: "singl", sky: "sky", news: "news", howe: "howe", atlas: "atlas", cosmos: "cosmos", bias: "bias", andes: "andes" };
  var EXCEPTION2 = new Set(["inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed"]);
  var STEP1A = [["sses"], ["ied"], ["ies"], ["us"], ["ss"], ["s"]];
  var STEP1B = [["eedly"], ["ingly"], ["edly"], ["eed"], ["ing"], ["ed"]];
  var STEP2 = [["ization", "ize"], ["ational", "ate"], ["fulness", "ful"], ["ousness", "ous"], ["iveness", "ive"], ["tional", "tion"], ["biliti", "ble"], ["lessli", "less"], ["entli", "ent"], ["ation", "ate"], ["alism", "al"], ["aliti", "al"], ["ousli", "ous"], ["iviti", "ive"], ["fulli", "ful"], ["enci", "ence"], ["anci", "ance"], ["abli", "able"], ["izer", "ize"], ["ator", "ate"], ["alli", "al"], ["bli", "ble"], ["ogi", "og"], ["li", ""]];
  var STEP3 = [["ational", "ate"], ["tional", "tion"], ["alize", "al"], ["icate", "ic"], ["iciti", "ic"], ["ative", ""], ["ical", "ic"], ["ness", ""], ["ful", ""]];
  var STEP4 = [["ement"], ["ance"], ["ence"], ["able"], ["ible"], ["ment"], ["ant"], ["ent"], ["ism"], ["ate"], ["iti"], ["ous"], ["ive"], ["ize"], ["ion"], ["al"], ["er"], ["ic"]];
  function stemEnglish(w) {
    if (!/^[a-z]+$/.test(w)) return w;
    if (Object.prototype.hasOwnProperty.call(EXCEPTION1, w)) return EXCEPTION1[w];
    if (w.length < 3) return w;
    // Prelude: y as a consonant becomes Y.
    var c = w.split("");
    if (c[0] === "y") c[0] = "Y";
    for (var i = 1; i < c.length; i++) if (c[i] === "y" && isV(c[i - 1])) c[i] = "Y";
    var s = c.join("");
    function region(from) {
      var i = from;
      while (i < s.length && !isV(s[i])) i++;
      if (i >= s.length) return s.length;
      i++;
      while (i < s.length && isV(s[i])) i++;
      return i >= s.length ? s.length : i + 1;
    }
    var pre = /^(gener|commun|arsen)/.exec(s);
    var p1 = pre ? pre[0].length : region(0);
    var p2 = region(p1);
    var m, base;
    // Step 1a.
    m = longest(s, STEP1A);
    if (m) {
      base = s.slice(0, s.length - m[0].length);
      if (m[0] === "sses") s = base + "ss";
      else if (m[0] === "ied" || m[0] === "ies") s = base + (base.length > 1 ? "i" : "ie");
      else if (m[0] === "s" && /[aeiouy]/.test(base.slice(0, -1))) s = base;
    }
    if (!EXCEPTION2.has(s)) {
      // Step 1b.
      m = longest(s, STEP1B);
      if (m) {
        base = s.slice(0, s.length - m[0].length);
        if (m[0] === "eed" || m[0] === "eedly") {
          if (base.length >= p1) s = base + "ee";
        } else if (/[aeiouy]/.test(base)) {
          s = base;
          if (/(at|bl|iz)$/.test(s)) s += "e";
          else if (/(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(s)) s = s.slice(0, -1);
          else if (s.length === p1 && shortv(s, s.length)) s += "e";
        }
      }
      // Step 1c.
      var last = s[s.length - 1];
      if ((last === "y" || last === "Y") && s.length > 2 && !isV(s[s.length - 2])) s = s.slice(0, -1) + "i";
      // Step 2.
      m = longest(s, STEP2);
      if (m && s.length - m[0].length >= p1) {
        base = s.slice(0, s.length - m[0].length);
        if (m[0] === "ogi") { if (base.endsWith("l")) s = base + "og"; }
        else if (m[0] === "li") { if (base.length && "cdeghkmnrt".indexOf(base[base.length - 1]) >= 0) s = base; }
        else s = base + m[1];
      }
      // Step 3.
      m = longest(s, STEP3);
      if (m && s.length - m[0].length >= p1) {
        base = s.slice(0, s.length - m[0].length);
        if (m[0] === "ative") { if (base.length >= p2) s = base; }
        else s = base + m[1];
      }
      // Step 4.
      m = longest(s, STEP4);
      if (m && s.length - m[0].length >= p2) {
        base = s.slice(0, s.length - m[0].length);
        if (m[0] !== "ion" || /[st]$/.test(base)) s = base;
      }
      // Step 5.
      var end = s.length - 1;
      if (s[end] === "e") {
        if (end >= p2 || (end >= p1 && !shortv(s, end))) s = s.slice(0, end);
      } else if (s[end] === "l") {
        if (end >= p2 && s[end - 1] === "l") s = s.slice(0, end);
      }
    }
    return s.replace(/Y/g, "y");
  }

  // Typo keys (src/search/fuzzy.rs): deletions of the first seven letters.
  var PREFIX = 7;
  function maxEdits(letters) { return letters < 4 ? 0 : letters < 8 ? 1 : 2; }
  function deletionKeys(word, deletes) {
    var out = new Set();
    var level = new Set([Array.from(word).slice(0, PREFIX).join("\u0000")]);
    for (var d = 0; d <= deletes; d++) {
      var next = new Set();
      level.forEach(function (w) {
        var chars = w ? w.split("\u0000") : [];
        out.add(chars.join(""));
        if (chars.length > 1) {
          for (var i = 0; i < chars.length; i++) next.add(chars.slice(0, i).concat(chars.slice(i + 1)).join("\u0000"));
        }
      });
      level = next;
    }
    return Array.from(out).sort();
  }
  // Edit distance with adjacent transpositions, on characters.
  function distance(a, b) {
    a = Array.from(a); b = Array.from(b);
    var w = b.length + 1, d = [];
    for (var i = 0; i <= a.length; i++) d[i * w] = i;
    for (var j = 0; j <= b.length; j++) d[j] = j;
    for (i = 1; i <= a.length; i++) {
      for (j = 1; j <= b.length; j++) {
        var v = Math.min(d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1, d[(i - 1) * w + j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * w + j - 2] + 1);
        d[i * w + j] = v;
      }
    }
    return d[a.length * w + b.length];
  }
  function fnv1a(s) {
    var h = 0x811c9dc5;
    var bytes = new TextEncoder().encode(s);
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }
  globalThis.castdownSearchWords = { fold: fold, tokenize: tokenize, nameKey: nameKey, stemEnglish: stemEnglish, deletionKeys: deletionKeys, distance: distance, maxEdits: maxEdits, fnv1a: fnv1a };

  // ---- The page ------------------------------------------------------------------------
  var root = typeof document !== "undefined" && document.getElementById("search");
  if (!root) return;
  var base = root.getAttribute("data-index");
  var input = document.getElementById("search-q");
  var showSel = document.getElementById("search-show");
  var conceptSel = document.getElementById("search-concept");
  var status = document.getElementById("search-status");
  var suggest = document.getElementById("search-suggest");
  var termList = document.getElementById("search-terms");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var FIRST = 20, MORE = 4, TERMS = 5, PREFIXES = 5, CANDIDATES = 3;
  var cache = new Map();
  var manifest = null;
  var seq = 0;
  var current = null; // {results, shown, groups, token}
  // The page's words (its language), from the theme's translations; English when absent.
  var words = {};
  try { words = JSON.parse(root.getAttribute("data-words") || "{}"); } catch (e) { words = {}; }
  var plurals = typeof Intl !== "undefined" && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "en") : null;
  // `key`'s words with {placeholders} filled; `english` ({one, other} for a count) if none.
  function say(key, english, values) {
    values = values || {};
    var w = words[key] !== undefined ? words[key] : english;
    if (w && typeof w === "object") {
      var one = values.n !== undefined && (plurals ? plurals.select(values.n) === "one" : values.n === 1);
      w = one ? w.one : w.other;
    }
    return String(w).replace(/\{(\w+)\}/g, function (m, name) { return values[name] !== undefined ? String(values[name]) : m; });
  }

  // Index files are gzip-compressed JSON (the manifest is plain). A host may already have
  // inflated one (Content-Encoding), so the magic bytes decide.
  function parse(buf) {
    var b = new Uint8Array(buf);
    if (b.length > 1 && b[0] === 0x1f && b[1] === 0x8b) {
      var inflated = new Blob([b]).stream().pipeThrough(new DecompressionStream("gzip"));
      return new Response(inflated).text().then(JSON.parse);
    }
    return JSON.parse(new TextDecoder().decode(b));
  }
  function fetchUrl(url) {
    if (!cache.has(url)) {
      cache.set(url, fetch(url).then(function (r) {
        if (!r.ok) throw new Error(url + ": HTTP " + r.status);
        return r.arrayBuffer();
      }).then(parse));
    }
    return cache.get(url);
  }
  function fetchJson(path) { return fetchUrl(base + path); }
  function file(path) { return fetchJson(path + ".json.gz"); }
  function stem(t) { return manifest && manifest.stemmer === "english" ? stemEnglish(t) : t; }
  function prefix2(t) { return Array.from(t).slice(0, 2).join(""); }
  // Postings of one stem or name key: {map: doc -> weight, df, surface}. Documents come as
  // gaps from the previous one; a long list has a file of its own. The index holds each
  // document's term-frequency weight; the stem's IDF is applied here, from the list's
  // length and the document count, so that adding a digest leaves other lists' files as
  // they were.
  function postings(term) {
    return file("p/" + (fnv1a(term) % manifest.post_chunks)).then(function (chunk) {
      var own = chunk.b[term];
      return (own === undefined ? Promise.resolve(chunk.t[term] || []) : file("p/b" + own)).then(function (flat) {
        var m = new Map(), doc = 0, df = flat.length >> 1;
        var idf = Math.log((manifest.docs - df + 0.5) / (df + 0.5) + 1);
        for (var i = 0; i + 1 < flat.length; i += 2) { doc += flat[i]; m.set(doc, Math.max(1, Math.round(idf * flat[i + 1]))); }
        return { map: m, df: m.size, surface: chunk.s[term] || term, term: term };
      });
    });
  }
  // The word being typed: the most frequent stems it may become.
  function prefixStems(token) {
    var prefixes = Array.from(new Set([token, stem(token)]));
    return Promise.all(prefixes.map(function (p) {
      return file("d/" + (fnv1a(prefix2(p)) % manifest.dict_chunks));
    })).then(function (dicts) {
      var found = new Map();
      dicts.forEach(function (dict) {
        Object.keys(dict).forEach(function (t) {
          if (prefixes.some(function (p) { return t.startsWith(p); })) found.set(t, dict[t]);
        });
      });
      return Array.from(found.keys()).sort(function (a, b) { return found.get(b) - found.get(a) || (a < b ? -1 : 1); }).slice(0, PREFIXES);
    });
  }
  // Stems within the forgiven distance of a typed word, nearest and most used first.
  function typoStems(token, s) {
    var k = maxEdits(Array.from(token).length);
    if (!k) return Promise.resolve([]);
    var keys = deletionKeys(s, k);
    var files = Array.from(new Set(keys.map(function (key) { return "k/" + (fnv1a(key) % manifest.key_chunks); })));
    return Promise.all(files.map(file)).then(function (chunks) {
      var cands = new Map();
      chunks.forEach(function (chunk) {
        keys.forEach(function (key) {
          (chunk[key] || []).forEach(function (t) {
            if (t !== s && !cands.has(t)) {
              var d = distance(s, t);
              if (d <= k) cands.set(t, d);
            }
          });
        });
      });
      var near = Array.from(cands.keys()).sort(function (a, b) { return cands.get(a) - cands.get(b) || (a < b ? -1 : 1); }).slice(0, CANDIDATES * 2);
      return Promise.all(near.map(postings)).then(function (ps) {
        ps.forEach(function (p) { p.distance = cands.get(p.term); });
        return ps.filter(function (p) { return p.df > 0; })
          .sort(function (a, b) { return a.distance - b.distance || b.df - a.df || (a.term < b.term ? -1 : 1); })
          .slice(0, CANDIDATES);
      });
    });
  }

  // A query as groups that must all match; each group has alternatives with a weight factor
  // and whether they are a typo's correction.
  function plan(q, typing) {
    var words = q.split(/\p{White_Space}+/u).filter(Boolean);
    typing = typing && /[\p{L}\p{N}]$/u.test(q);
    var groups = [], unmatched = [];
    var jobs = words.map(function (word, wi) {
      var toks = tokenize(word);
      var key = nameKey(word);
      var byName = key ? postings(key) : Promise.resolve(null);
      return byName.then(function (named) {
        if (named && named.df) {
          groups.push({ word: word, alts: [{ p: named, factor: 1, typo: false }], highlight: [], named: true, order: wi });
          return;
        }
        if (!toks.length) { unmatched.push(word); return; }
        return Promise.all(toks.map(function (t, ti) {
          var last = typing && wi === words.length - 1 && ti === toks.length - 1;
          return wordGroup(t, last).then(function (g) { g.word = toks.length === 1 ? word : t; g.order = wi + ti / 100; groups.push(g); });
        }));
      });
    });
    var whole = words.length > 1 ? nameKey(q) : null;
    return Promise.all(jobs.concat([whole ? postings(whole) : Promise.resolve(null)])).then(function (r) {
      groups.sort(function (a, b) { return a.order - b.order; });
      var extra = r[r.length - 1];
      return { groups: groups, unmatched: unmatched, whole: extra && extra.df ? extra : null };
    });
  }
  function wordGroup(t, typing) {
    var s = stem(t);
    return postings(s).then(function (exact) {
      var alts = exact.df ? [{ p: exact, factor: 1, typo: false }] : [];
      var expand = typing ? prefixStems(t).then(function (terms) {
        return Promise.all(terms.filter(function (x) { return x !== s; }).map(postings));
      }) : Promise.resolve([]);
      return expand.then(function (prefixed) {
        prefixed.forEach(function (p) { alts.push({ p: p, factor: 0.9, typo: false }); });
        // A word the index barely knows may be a typo: offer the words it is near.
        var fuzzy = exact.df <= 2 && !prefixed.length ? typoStems(t, s) : Promise.resolve([]);
        return fuzzy.then(function (near) {
          near.forEach(function (p) { alts.push({ p: p, factor: p.distance === 1 ? 0.5 : 0.3, typo: true }); });
          return { word: t, alts: alts, highlight: alts.map(function (a) { return a.p.term; }), prefixes: typing ? [t, s] : [] };
        });
      });
    });
  }
  // Scores every document matching all groups: [doc, typos, score].
  function score(pl) {
    var groups = pl.groups;
    if (!groups.length) return [];
    var perGroup = groups.map(function (g) {
      var m = new Map();
      g.alts.forEach(function (a) {
        a.p.map.forEach(function (w, d) {
          var v = w * a.factor, prev = m.get(d);
          // An exact match beats any correction; among equals the higher weight wins.
          if (!prev || (prev.typo && !a.typo) || (prev.typo === a.typo && v > prev.v)) m.set(d, { v: v, typo: a.typo });
        });
      });
      return m;
    });
    var order = perGroup.map(function (m, i) { return i; }).sort(function (a, b) { return perGroup[a].size - perGroup[b].size; });
    var out = [];
    perGroup[order[0]].forEach(function (_, d) {
      var total = 0, typos = 0;
      for (var i = 0; i < order.length; i++) {
        var x = perGroup[order[i]].get(d);
        if (!x) return;
        total += x.v;
        if (x.typo) typos++;
      }
      out.push([d, typos, total]);
    });
    return out;
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; });
  }
  var stemMemo = new Map();
  function wordMatches(word, hl) {
    var toks = tokenize(word);
    return toks.some(function (t) {
      var s = stemMemo.get(t);
      if (s === undefined) { s = stem(t); stemMemo.set(t, s); }
      return hl.stems.has(s) || hl.prefixes.some(function (p) { return t.startsWith(p) || s.startsWith(p); });
    });
  }
  var WORD = /[\p{Alphabetic}\p{N}\p{M}]+(?:['\u2019\u02BC][\p{Alphabetic}\p{N}\p{M}]+)*/gu;
  function countMatches(text, hl) {
    var m, n = 0;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) if (wordMatches(m[0], hl)) n++;
    return n;
  }
  // A window of the text around its first matching word, matches in <mark>.
  function snippet(text, hl, width) {
    width = width || 240;
    var m, first = -1;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) if (wordMatches(m[0], hl)) { first = m.index; break; }
    var start = Math.max(0, first - 80);
    if (start > 0) { var sp = text.indexOf(" ", start); if (sp >= 0 && sp < first) start = sp + 1; }
    var piece = text.slice(start, start + width);
    var out = "", last = 0;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(piece))) {
      if (wordMatches(m[0], hl)) {
        out += escapeHtml(piece.slice(last, m.index)) + "<mark>" + escapeHtml(m[0]) + "</mark>";
        last = m.index + m[0].length;
      }
    }
    out += escapeHtml(piece.slice(last));
    return (start > 0 ? "…" : "") + out + (start + width < text.length ? "…" : "");
  }
  function clock(sec) {
    var h = Math.floor(sec / 3600), m = Math.floor(sec / 60) % 60, s = sec % 60;
    return (h ? h + ":" + String(m).padStart(2, "0") : String(m)) + ":" + String(s).padStart(2, "0");
  }
  function el(tag, cls, html) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (html !== undefined) e.innerHTML = html;
    return e;
  }
  // A result's fragment (a kind's group of ids to a file: manifest.groups). An episode's is
  // its URL: the rest comes from its digest.json, beside the page.
  function fragment(id) {
    var g = manifest.groups[kindOf(id)] || 8;
    return file("x/" + Math.floor(id / g)).then(function (group) {
      var f = group[id % g];
      if (f.k !== "e") return f;
      return fetchUrl(f.u + "digest.json").then(function (d) {
        return {
          k: "e", u: f.u, t: d.title, s: d.show && d.show.name, d: (d.date || "").slice(0, 10),
          c: (d.concepts || []).map(function (c) { return c.name; }), y: d.summary || "",
          x: (d.sections || []).map(function (s) { return [s.heading, s.id, s.text]; }),
        };
      });
    });
  }
  // One result as a list item.
  function resultItem(f, hl) {
    var li = el("li");
    var h = el("h2"), a = document.createElement("a");
    var meta = [f.s, f.d].filter(Boolean);
    var text;
    if (f.k === "x") {
      var best = null, bestN = 0;
      f.q.forEach(function (cue) { var n = countMatches(cue[2], hl); if (n > bestN) { best = cue; bestN = n; } });
      best = best || f.q[0];
      a.href = f.u + "#t" + best[0];
      a.innerHTML = escapeHtml(say("in_transcript", "Transcript:")) + " " + snippet(f.t, hl, 400);
      if (best[1] !== null && best[1] !== undefined) meta.push(say("at_time", "at {time}", { time: clock(best[1]) }));
      text = snippet(best[2], hl);
    } else {
      var sec = null, secN = 0;
      f.x.forEach(function (s) { var n = countMatches((s[0] || "") + " " + s[2], hl); if (n > secN) { sec = s; secN = n; } });
      a.href = f.u + (sec && sec[1] ? "#" + encodeURIComponent(sec[1]) : "");
      a.innerHTML = snippet(f.t, hl, 400);
      var concepts = (f.c || []).join(", ");
      if (sec && sec[0]) meta.push(sec[0]);
      if (sec) text = snippet(sec[2] || sec[0], hl);
      else if (countMatches(concepts, hl) && !countMatches(f.y, hl)) text = escapeHtml(say("in_concepts", "Concepts:")) + " " + snippet(concepts, hl);
      else text = snippet(f.y, hl);
    }
    h.appendChild(a);
    li.appendChild(h);
    var p = el("p", "meta");
    p.textContent = meta.join(" · ");
    li.appendChild(p);
    li.appendChild(el("p", "snippet", text));
    return li;
  }
  function termItem(f) {
    var li = el("li");
    var a = document.createElement("a");
    a.href = f.u;
    a.textContent = f.n;
    li.appendChild(el("span", "term-kind", escapeHtml(say("kind_" + f.w, f.w))));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(a);
    li.appendChild(el("span", "meta", " · " + escapeHtml(say("n_digests", { one: "{n} digest", other: "{n} digests" }, { n: f.c }))));
    if (f.y) li.appendChild(el("p", "snippet", escapeHtml(f.y)));
    return li;
  }
  function highlights(groups) {
    var stems = new Set(), prefixes = [];
    groups.forEach(function (g) {
      (g.highlight || []).forEach(function (t) { stems.add(t); });
      (g.prefixes || []).forEach(function (p) { prefixes.push(p); });
    });
    return { stems: stems, prefixes: prefixes };
  }
  // Shows results [from, to) of the current query.
  function showPage(to, token) {
    var cur = current;
    var ids = cur.results.slice(cur.shown, to).map(function (r) { return r[0]; });
    return Promise.all(ids.map(fragment)).then(function (fs) {
      if (token !== seq) return;
      fs.forEach(function (f) { list.appendChild(resultItem(f, cur.hl)); });
      cur.shown = Math.max(cur.shown, Math.min(to, cur.results.length));
      var left = cur.results.length - cur.shown;
      more.hidden = left <= 0;
      more.textContent = say("show_n_more", "Show {n} more ({left} not shown)", { n: Math.min(MORE, left), left: left });
      history.replaceState({ shown: cur.shown }, "");
    });
  }
  function correctedQuery(pl) {
    var changed = false;
    var words = input.value.split(/\p{White_Space}+/u).filter(Boolean).map(function (w) {
      var g = pl.groups.find(function (g) { return g.word === w; });
      if (!g || g.named || g.alts.some(function (a) { return !a.typo; })) return w;
      var fix = g.alts.find(function (a) { return a.typo; });
      if (!fix) return w;
      changed = true;
      return fix.p.surface;
    });
    return changed ? words.join(" ") : null;
  }
  function params() {
    var p = new URLSearchParams();
    if (input.value) p.set("q", input.value);
    if (showSel.value) p.set("show", showSel.value);
    if (conceptSel.value) p.set("concept", conceptSel.value);
    return p;
  }
  // Puts the state in the address bar: a new history entry when asked (a filter, Enter),
  // else the current one is updated (each keystroke).
  function remember(push) {
    var p = params().toString();
    var url = p ? "?" + p : location.pathname;
    if (url === location.search || (url === location.pathname && !location.search)) return;
    if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
  }
  function filterIds(sel, letter, names) {
    if (!sel.value) return Promise.resolve(null);
    var i = names.findIndex(function (n) { return n[1] === sel.value; });
    if (i < 0) return Promise.resolve(new Set());
    return file("f/" + letter + i).then(function (ids) { return new Set(ids); });
  }
  // Each kind (episodes, pages, terms, transcript blocks) has a range of ids: [first, count].
  function inKind(id, k) {
    var r = manifest.kinds[k];
    return id >= r[0] && id < r[0] + r[1];
  }
  function kindOf(id) {
    for (var k = 0; k < 4; k++) if (inKind(id, k)) return k;
    return 4;
  }
  // Equal scores: episodes first, then pages, terms, transcript blocks; the newest episode
  // (the highest id: episodes are numbered by day, oldest first) and the newest episode's transcript
  // first; pages and terms in their order.
  function tie(a, b) {
    var ka = kindOf(a), kb = kindOf(b);
    if (ka !== kb) return ka - kb;
    return ka === 0 || ka === 3 ? b - a : a - b;
  }
  // Runs the query in the form. `push`: record it in the history (true: a new entry, false:
  // replace the current one, undefined: leave it); `typing`: the last word may be unfinished.
  function run(push, restoreShown, typing) {
    var token = ++seq;
    if (push !== undefined) remember(push);
    var q = input.value.trim();
    suggest.replaceChildren();
    suggest.hidden = true;
    if (!q && !showSel.value && !conceptSel.value) {
      list.replaceChildren(); termList.replaceChildren(); more.hidden = true;
      status.textContent = "";
      return;
    }
    status.textContent = say("searching", "Searching…");
    Promise.all([q ? plan(q, typing) : Promise.resolve(null), filterIds(showSel, "s", manifest.shows), filterIds(conceptSel, "c", manifest.concepts)]).then(function (r) {
      if (token !== seq) return;
      var pl = r[0], filters = [r[1], r[2]].filter(Boolean);
      var scored;
      if (pl) {
        scored = score(pl);
        if (pl.whole) {
          var have = new Set(scored.map(function (s) { return s[0]; }));
          pl.whole.map.forEach(function (w, d) { if (!have.has(d)) scored.push([d, 0, w]); });
        }
      } else {
        // Filters alone: every episode in them, newest first.
        scored = Array.from(filters[0]).filter(function (d) { return inKind(d, 0); }).map(function (d) { return [d, 0, 0]; });
      }
      scored = scored.filter(function (s) { return filters.every(function (f) { return f.has(s[0]); }); });
      scored.sort(function (a, b) { return a[1] - b[1] || b[2] - a[2] || tie(a[0], b[0]); });
      var terms = scored.filter(function (s) { return inKind(s[0], 2); });
      var results = scored.filter(function (s) { return !inKind(s[0], 2); });
      // Terms are offered only when nothing filters the episodes.
      if (filters.length) terms = [];
      current = { results: results, shown: 0, hl: highlights(pl ? pl.groups : []) };
      list.replaceChildren();
      termList.replaceChildren();
      return Promise.all(terms.slice(0, TERMS).map(function (t) { return fragment(t[0]); })).then(function (tf) {
        if (token !== seq) return;
        tf.forEach(function (f) { termList.appendChild(termItem(f)); });
        var n = results.length;
        var typos = n && results[0][1] > 0;
        var said;
        if (pl && !pl.groups.length && !pl.whole) {
          said = say("cannot_search", "“{words}” cannot be searched: words need two letters or more, and no concept, show or person has that name.", { words: pl.unmatched.join(" ") });
        } else {
          said = n === 0 ? say("no_results", "No results.") : say("n_results", { one: "{n} result.", other: "{n} results." }, { n: n });
        }
        var fix = pl && typos ? correctedQuery(pl) : null;
        if (fix) {
          suggest.hidden = false;
          suggest.append(say("did_you_mean", "No exact matches. Did you mean") + " ");
          var a = document.createElement("a");
          var p = params(); p.set("q", fix);
          a.href = "?" + p;
          a.textContent = fix;
          a.addEventListener("click", function (e) { e.preventDefault(); input.value = fix; run(true); });
          suggest.append(a, "?");
        }
        // The count is announced once the results it counts are on the page.
        return showPage(Math.max(FIRST, restoreShown || 0), token).then(function () {
          if (token === seq) status.textContent = said;
        });
      });
    }).catch(function (e) {
      if (token === seq) status.textContent = say("search_failed", "Search failed: {error}", { error: e.message });
    });
  }
  function fill(sel, names) {
    names.slice().sort(function (a, b) { return a[0].localeCompare(b[0]); }).forEach(function (n) {
      var o = document.createElement("option");
      o.value = n[1];
      o.textContent = n[0];
      sel.appendChild(o);
    });
  }
  function fromUrl() {
    var p = new URLSearchParams(location.search);
    input.value = p.get("q") || "";
    showSel.value = p.get("show") || "";
    conceptSel.value = p.get("concept") || "";
  }
  var timer = null;
  fetchJson("manifest.json").then(function (m) {
    manifest = m;
    if (m.version !== 5) throw new Error("index version " + m.version + " is not supported");
    fill(showSel, m.shows);
    fill(conceptSel, m.concepts);
    fromUrl();
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { run(false, 0, true); }, 80);
    });
    showSel.addEventListener("change", function () { run(true); });
    conceptSel.addEventListener("change", function () { run(true); });
    more.addEventListener("click", function () { showPage(current.shown + MORE, seq); });
    root.querySelector("form").addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(timer); run(true); });
    window.addEventListener("popstate", function () { fromUrl(); run(); });
    run(undefined, history.state && history.state.shown);
  }).catch(function (e) {
    status.textContent = say("index_failed", "The search index could not be loaded: {error}", { error: e.message });
  });
})();
