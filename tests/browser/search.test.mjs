// Static search in headless Chromium, on the demo site served from a sub-path and on the
// tricky fixture under another: results as you type, every row of the search issue's table
// (typos, word forms, aliases, short and symbol names, show more, equivalent spellings,
// transcripts, snippets from where the words are, concepts as results), filters by slug in
// the URL, the back button, the mobile filter row, and which index files the browser fetched.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { builtAndServed, launch, openPage, REPO } from "./helpers.mjs";

let demo, tricky, browser;
before(async () => {
  demo = await builtAndServed("/digests/");
  tricky = await builtAndServed("/sub/path/", join(REPO, "tests/fixtures/tricky"));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await demo?.close();
  await tricky?.close();
});

async function titles(page) {
  return page.locator("#search-results h2").allInnerTexts();
}
async function terms(page) {
  return page.locator("#search-terms li a").allInnerTexts();
}
/** Opens the search page with a query in the URL and waits until it has answered. */
async function search(site, q, extra = "") {
  const { page, context, problems } = await openPage(browser);
  await page.goto(site.base + "search/?q=" + encodeURIComponent(q) + extra);
  await page.waitForFunction(() => {
    const s = document.getElementById("search-status").textContent;
    return s && s !== "Searching…";
  });
  return { page, context, problems };
}

test("results appear as you type, title matches rank first, words are highlighted", async () => {
  const { page, context, problems } = await openPage(browser);
  await page.goto(demo.base + "search/");
  const start = demo.requests.length;
  await page.locator("#search-q").pressSequentially("platform ri", { delay: 30 });
  await page.waitForFunction(() => document.querySelectorAll("#search-results li").length >= 3);
  const found = await titles(page);
  assert.equal(found[0], "Platform risk, from app stores to AI APIs", `title match first: ${found}`);
  assert.ok(found.includes("Attention is the scarce input: a conversation with Ana Ruiz"));
  assert.ok(await page.locator("#search-results mark").count() > 0, "highlighted words");
  const href = await page.locator("#search-results h2 a").first().getAttribute("href");
  assert.ok(href.startsWith("/digests/episodes/platform-risk-app-stores/"), href);
  assert.match(await page.locator("#search-status").innerText(), /results?\./);
  // Only index files under the sub-path were fetched (manifest, dictionary, postings,
  // fragments) and the shown episodes' digest.json, for the snippets.
  const fetched = demo.requests.slice(start).filter((p) => !p.endsWith("/favicon.svg"));
  assert.ok(fetched.every((p) => p.startsWith("/digests/search/") || /^\/digests\/episodes\/[^/]+\/digest\.json$/.test(p)), fetched.join(" "));
  const data = fetched.filter((p) => p.endsWith("/digest.json"));
  assert.ok(data.length >= 1 && data.length <= found.length, `${data.length} digest.json for ${found.length} results`);
  assert.ok(fetched.some((p) => p.startsWith("/digests/search/d/")), "prefix dictionary");
  assert.ok(fetched.some((p) => p.startsWith("/digests/search/p/")), "postings");
  const fragments = new Set(fetched.filter((p) => p.startsWith("/digests/search/x/")));
  // One fragment per shown result or offered concept, nothing for the rest.
  const shown = found.length + (await terms(page)).length;
  assert.ok(fragments.size >= 1 && fragments.size <= shown + 4, `${fragments.size} fragments for ${shown} shown`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("typos anywhere in a word are forgiven, ranked below exact matches, with a Did you mean", async () => {
  for (const [q, want, fix] of [
    ["platfrom risk", "Platform risk, from app stores to AI APIs", "platform risk"],
    ["compte", "Why the price of a model answer keeps falling", "compute"],
    ["polyamry", "Open partnerships: when two companies stop being exclusive", null],
    ["latform", "Platform risk, from app stores to AI APIs", "platform"],
  ]) {
    const { page, context, problems } = await search(demo, q);
    const t = await titles(page);
    assert.ok(t.includes(want), `${q}: ${t.join(" | ")}`);
    if (fix) {
      assert.match(await page.locator("#search-suggest").innerText(), new RegExp(`Did you mean ${fix}\\?`), q);
      await page.locator("#search-suggest a").click();
      await page.waitForFunction((f) => new URLSearchParams(location.search).get("q") === f, fix);
      await page.waitForFunction(() => document.getElementById("search-suggest").hidden);
    }
    assert.deepEqual(problems, []);
    await context.close();
  }
  // A typo'd word in the tricky fixture, and a word that is both a word and near another:
  // exact matches rank above the correction's.
  const { page, context } = await search(tricky, "microsft");
  assert.deepEqual(await titles(page), ["Walking down the Straße"]);
  await context.close();
  // "compete" is in one digest; "compute", one edit away, in 27: the exact match first, then
  // the near ones, and no "Did you mean" since something matched as typed.
  const r = await search(tricky, "compete");
  const t = await titles(r.page);
  assert.equal(t[0], "Walking down the Straße");
  assert.ok(t.slice(1).every((x) => x.startsWith("Compute note") || x.startsWith("Case variant")), t.join(" | "));
  assert.ok(t.length >= 20);
  assert.ok(await r.page.locator("#search-suggest").isHidden());
  await r.context.close();
});

test("word forms, aliases and equivalent spellings find the same digests", async () => {
  let r = await search(demo, "partnerships");
  assert.ok((await titles(r.page)).includes("Open partnerships: when two companies stop being exclusive"));
  assert.ok((await r.page.locator("#search-results mark").allInnerTexts()).some((m) => /^partnership$/i.test(m)), "the singular highlighted");
  await r.context.close();
  r = await search(demo, "LLM");
  assert.ok((await titles(r.page)).length >= 2, "LLM finds the Large Language Model digests");
  assert.deepEqual(await terms(r.page), ["Large Language Model"]);
  assert.match(await r.page.locator("#search-terms li").first().innerText(), /concept.*\d+ digests?/is);
  await r.context.close();
  for (const q of ["strasse", "STRASSE", "zoës law", "zoe's law", "Zoes law", "ørjan", "orjan"]) {
    r = await search(tricky, q);
    assert.deepEqual(await titles(r.page), ["Walking down the Straße"], q + ": " + await r.page.locator("#search-status").innerText());
    await r.context.close();
  }
});

test("short and symbol names are found by their exact name; an unsearchable query says so", async () => {
  for (const [q, concept] of [["C", "C"], ["C++", "C++"], ["c#", "C#"], ["R", "R"], [".NET", ".NET"], ["F#", "F#"], ["401(k)", "401(k)"]]) {
    const { page, context } = await search(tricky, q);
    assert.deepEqual(await terms(page), [concept], q);
    const t = await titles(page);
    assert.ok(t.length >= 1 && t.length <= 2, `${q}: ${t.join(" | ")}`);
    await context.close();
  }
  const ai = await search(tricky, "AI");
  assert.deepEqual(await terms(ai.page), ["AI"]);
  assert.ok((await titles(ai.page)).includes("Walking down the Straße"));
  await ai.context.close();
  const { page, context } = await search(tricky, "x");
  assert.match(await page.locator("#search-status").innerText(), /cannot be searched/);
  assert.equal(await page.locator("#search-results li").count(), 0);
  await context.close();
});

test("every result is reachable: exact count, Show more, ties newest first", async () => {
  const { page, context } = await search(tricky, "compute");
  const status = await page.locator("#search-status").innerText();
  const n = Number(/^(\d+) results/.exec(status)?.[1]);
  assert.ok(n >= 27, status);
  assert.equal(await page.locator("#search-results li").count(), 20);
  while (await page.locator("#search-more").isVisible()) {
    const before = await page.locator("#search-results li").count();
    await page.locator("#search-more").click();
    await page.waitForFunction((b) => document.querySelectorAll("#search-results li").length > b, before);
  }
  const t = await titles(page);
  assert.equal(t.length, n, "every counted result is listed");
  // The 25 notes score the same; the newest comes first.
  const notes = t.filter((x) => x.startsWith("Compute note"));
  assert.equal(notes.length, 25);
  assert.deepEqual(notes, notes.slice().sort().reverse());
  await context.close();
});

test("a word in 900 digests: its list in a file of its own, counted and ranked", async () => {
  const root = mkdtempSync(join(tmpdir(), "castdown-many-"));
  mkdirSync(join(root, "content", "episodes"), { recursive: true });
  writeFileSync(join(root, "castdown.yaml"), "title: Many\nbase_url: https://e.example/\n");
  // 900 digests say "common", 900 do not (so the word still tells documents apart); one says
  // it in its title too.
  for (let i = 0; i < 1800; i++) {
    const day = String(1 + (i % 28)).padStart(2, "0"), month = String(1 + (i % 12)).padStart(2, "0");
    const title = i === 7 ? "Common ground, the title" : "A note";
    const body = i < 900 ? "Common ground." : "Other ground.";
    writeFileSync(join(root, "content", "episodes", `e${i}.md`), `---\ntitle: ${title}\ndate: ${1850 + Math.floor(i / 12)}-${month}-${day}\n---\n${body}\n`);
  }
  const many = await builtAndServed("/", root);
  try {
    const { page, context, problems } = await search(many, "common");
    assert.equal(await page.locator("#search-status").innerText(), "900 results.");
    assert.ok(many.requests.some((p) => /^\/search\/p\/b\d+-\d+\.json\.gz$/.test(p)), "the long list's own file");
    const t = await titles(page);
    assert.equal(t[0], "Common ground, the title", "a title match ranks first");
    // The others score the same: newest first.
    const dates = (await page.locator("#search-results .meta").allInnerTexts()).slice(1);
    assert.equal(dates[0], "1924-12-04", "the newest of them");
    assert.deepEqual(dates, dates.slice().sort().reverse());
    assert.equal(await page.locator("#search-results li").count(), 20);
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await many.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test("transcripts are searched: the cue, its time, a link to it", async () => {
  const { page, context } = await search(demo, "underestimates");
  const t = await titles(page);
  assert.deepEqual(t, ["Transcript: Open partnerships: when two companies stop being exclusive"]);
  const href = await page.locator("#search-results h2 a").getAttribute("href");
  assert.equal(href, "/digests/episodes/partnership-without-exclusivity/transcript/#t3");
  assert.match(await page.locator("#search-results .meta").innerText(), /at 0:14/);
  assert.match(await page.locator("#search-results .snippet").innerHTML(), /<mark>underestimates<\/mark>/);
  await page.locator("#search-results h2 a").click();
  await page.waitForURL(/transcript\/#t3$/);
  assert.equal(await page.locator("#t3").count(), 1, "the cue is on the transcript page");
  await context.close();
  const r = await search(tricky, "marmalade");
  assert.match(await r.page.locator("#search-results .meta").innerText(), /at 1:05/);
  await r.context.close();
});

test("snippets come from where the words are and link to that section", async () => {
  const { page, context } = await search(tricky, "lawsuit");
  const snippet = await page.locator("#search-results .snippet").first().innerHTML();
  assert.match(snippet, /<mark>lawsuits<\/mark> were settled/);
  const href = await page.locator("#search-results h2 a").first().getAttribute("href");
  assert.ok(href.endsWith("#litigation"), href);
  assert.match(await page.locator("#search-results .meta").first().innerText(), /Litigation/);
  await context.close();
});

test("concepts, shows and people are offered above the episodes", async () => {
  const { page, context } = await search(demo, "platform");
  assert.ok((await terms(page)).includes("Platform Risk"));
  const item = await page.locator("#search-terms li").first().innerText();
  assert.match(item, /\d+ digests?/);
  const r = await search(demo, "signal noise");
  assert.ok((await terms(r.page)).includes("Signal & Noise"), "a show by name");
  await r.context.close();
  await context.close();
});

test("filters live in the URL by slug; the back button restores a search", async () => {
  const { page, context } = await openPage(browser);
  await page.goto(demo.base + "search/?q=platform");
  await page.waitForFunction(() => document.querySelectorAll("#search-results li").length >= 3);
  await page.selectOption("#search-show", { label: "Signal & Noise" });
  await page.waitForFunction(() => document.querySelectorAll("#search-results li").length === 1);
  assert.deepEqual(await titles(page), ["Attention is the scarce input: a conversation with Ana Ruiz"]);
  assert.match(page.url(), /[?&]show=signal-noise(&|$)/);
  assert.ok(demo.requests.some((p) => /\/digests\/search\/f\/s\d+\.json\.gz$/.test(p)), "show filter list fetched");
  // Back: the unfiltered search again.
  await page.goBack();
  await page.waitForFunction(() => document.getElementById("search-show").value === "" && document.querySelectorAll("#search-results li").length >= 3);
  // A shared URL with both filters by slug.
  await page.goto(demo.base + "search/?concept=technical-debt");
  await page.waitForFunction(() => document.querySelector("#search-results")?.textContent.includes("Is technical debt really a loan?"));
  assert.equal(await page.locator("#search-concept").inputValue(), "technical-debt");
  // Leaving for a result and coming back restores the query and its results.
  await page.goto(demo.base + "search/?q=monorepo");
  await page.waitForFunction(() => document.querySelectorAll("#search-results li").length >= 1);
  await page.locator("#search-results h2 a").first().click();
  await page.waitForURL(/\/episodes\//);
  await page.goBack();
  await page.waitForFunction(() => document.querySelectorAll("#search-results li").length >= 1);
  assert.equal(await page.locator("#search-q").inputValue(), "monorepo");
  await context.close();
});

test("on a phone each filter label stays with its select", async () => {
  const { page, context } = await openPage(browser, { viewport: { width: 375, height: 800 } });
  await page.goto(demo.base + "search/");
  await page.waitForFunction(() => document.querySelectorAll("#search-show option").length > 1);
  for (const id of ["search-show", "search-concept"]) {
    const label = await page.locator(`label[for=${id}]`).boundingBox();
    const select = await page.locator(`#${id}`).boundingBox();
    assert.ok(Math.abs(label.y + label.height / 2 - (select.y + select.height / 2)) < select.height, `${id}: label and select on one line`);
    assert.ok(select.x > label.x, id);
  }
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), "no horizontal scroll");
  await context.close();
});

test("accents and case do not matter; the header box leads to results", async () => {
  const { page, context } = await openPage(browser);
  await page.goto(tricky.base);
  await page.locator("#site-search-q").fill("ECONOMIE");
  await page.locator("#site-search-q").press("Enter");
  await page.waitForURL(/\/sub\/path\/search\/\?q=ECONOMIE/);
  await page.waitForFunction(() => document.querySelectorAll("#search-results li").length >= 1);
  assert.deepEqual(await titles(page), ["Case variant B"]);
  await context.close();
});

test("without JavaScript the search page says so", async () => {
  const { page, context } = await openPage(browser, { javaScriptEnabled: false });
  await page.goto(demo.base + "search/");
  assert.match(await page.locator("noscript").first().textContent(), /needs JavaScript/);
  await context.close();
});
