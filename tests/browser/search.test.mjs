// Static search in headless Chromium, on the demo site served from a sub-path: results as
// you type, ranking, accent-insensitive prefix matching, filters, highlighted snippets, and
// which index files the browser fetched.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
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
  // Only index files under the sub-path were fetched: manifest, dictionary, postings, metadata.
  const fetched = demo.requests.slice(start).filter((p) => !p.endsWith("/favicon.svg"));
  assert.ok(fetched.every((p) => p.startsWith("/digests/search/")), fetched.join(" "));
  assert.ok(fetched.includes("/digests/search/manifest.json") || demo.requests.slice(0, start).includes("/digests/search/manifest.json"));
  assert.ok(fetched.some((p) => p.startsWith("/digests/search/d/")), "prefix dictionary");
  assert.ok(fetched.some((p) => p.startsWith("/digests/search/p/")), "postings");
  const metas = new Set(fetched.filter((p) => p.startsWith("/digests/search/m/")));
  // Metadata comes eight documents to a file: at most one file per shown result.
  assert.ok(metas.size >= 1 && metas.size <= found.length, `metadata only for shown results: ${metas.size} files for ${found.length} results`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("filters by show and by concept", async () => {
  const { page, context } = await openPage(browser);
  await page.goto(demo.base + "search/?q=platform");
  await page.waitForFunction(() => document.querySelectorAll("#search-results li").length >= 3);
  await page.selectOption("#search-show", { label: "Signal & Noise" });
  await page.waitForFunction(() => document.querySelectorAll("#search-results li").length === 1);
  assert.deepEqual(await titles(page), ["Attention is the scarce input: a conversation with Ana Ruiz"]);
  assert.ok(demo.requests.some((p) => /\/digests\/search\/f\/s\d+\.json$/.test(p)), "show filter list fetched");
  await page.selectOption("#search-show", "");
  await page.locator("#search-q").fill("");
  await page.selectOption("#search-concept", { label: "Technical Debt" });
  // The "platform" results also number three: wait for the concept's list itself, not a
  // count the previous list already meets.
  await page.waitForFunction(() => document.querySelectorAll("#search-results li").length === 3
    && document.querySelector("#search-results")?.textContent.includes("Is technical debt really a loan?"));
  const t = await titles(page);
  assert.ok(t.includes("Is technical debt really a loan?"), t.join(" | "));
  // The URL keeps the query so results can be shared.
  assert.match(page.url(), /concept=\d+/);
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
