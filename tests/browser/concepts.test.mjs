// Concept pages and the glossary as readers use them, on the tricky fixture (one concept,
// Lock-in, defined by three shows and a digest without a show, with duplicates, and named
// bare by one digest): the comparison and the full list at 375 px and axe-clean in both
// schemes, the link from a show's group to its place in the full list, and the glossary's
// filter-as-you-type box, which is an enhancement: without JavaScript the list is whole.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPO, assertAxeClean, builtAndServed, launch, openPage } from "./helpers.mjs";

const SHOTS = join(import.meta.dirname, "screenshots");

let site, browser;
before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  site = await builtAndServed("/sub/path/", join(REPO, "tests", "fixtures", "tricky"));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

const PAGES = {
  "concept-compared": "concepts/lock-in/",
  "concept-definitions": "concepts/lock-in/definitions/",
  glossary: "concepts/",
  "glossary-by-count": "concepts/by-count/",
  "episode-borrowed": "episodes/lockin-10/",
};

for (const [name, path] of Object.entries(PAGES)) {
  test(`${name}: no horizontal scroll at 375 px, axe clean, no console errors`, async () => {
    const { page, context, problems } = await openPage(browser, { viewport: { width: 375, height: 800 } });
    const res = await page.goto(site.base + path);
    assert.equal(res.status(), 200);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `horizontal scroll of ${overflow}px`);
    await page.screenshot({ path: join(SHOTS, `${name}-375.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(SHOTS, `${name}-1280.png`), fullPage: false });
    await assertAxeClean(page);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test("a show's link to all its definitions lands on its group in the full list", async () => {
  const { page, context } = await openPage(browser);
  await page.goto(site.base + "concepts/lock-in/");
  await page.getByRole("link", { name: "All 4 definitions from Founders Talk" }).click();
  await page.waitForURL(/definitions\/#defs-founders-talk$/);
  const target = await page.evaluate(() => {
    const t = document.querySelector(":target");
    return t && { id: t.id, heading: t.querySelector("h2").textContent, quotes: t.querySelectorAll("blockquote").length };
  });
  assert.deepEqual(target, { id: "defs-founders-talk", heading: "Founders Talk 5 digests", quotes: 4 });
  // "Back to" the concept.
  await page.getByRole("link", { name: "Back to Lock-in" }).click();
  await page.waitForURL(/concepts\/lock-in\/$/);
  await context.close();
});

test("the glossary filters as you type, by name and alias, and keeps the filter in the URL", async () => {
  const { page, context, problems } = await openPage(browser);
  await page.goto(site.base + "concepts/");
  const total = await page.locator(".glossary .entry").count();
  assert.ok(total > 10, `${total} entries`);
  const box = page.getByLabel("Filter concepts");
  await box.fill("lock");
  const visible = () => page.locator(".glossary .entry:visible dt a").allTextContents();
  assert.deepEqual(await visible(), ["Lock-in"]);
  assert.equal(await page.locator("#term-filter-status").textContent(), `1 of ${total} match “lock”`);
  // Letter groups without a match are hidden, and their letters disabled.
  assert.deepEqual(await page.locator(".term-group:visible h2").allTextContents(), ["L"]);
  assert.equal(await page.locator('.letters a[href="#letter-m"]').getAttribute("aria-disabled"), "true");
  // An alias finds its concept; accents and case do not matter.
  await box.fill("STATISTICAL");
  assert.deepEqual(await visible(), ["Machine Learning"]);
  assert.match(page.url(), /\?filter=STATISTICAL$/);
  await page.reload();
  assert.equal(await box.inputValue(), "STATISTICAL");
  assert.deepEqual(await visible(), ["Machine Learning"]);
  await box.fill("");
  assert.equal(await page.locator(".glossary .entry:visible").count(), total);
  assert.equal(await page.locator("#term-filter-status").textContent(), "");
  assert.deepEqual(problems, []);
  await context.close();
});

test("without JavaScript the glossary is whole and the filter box stays hidden", async () => {
  const { page, context } = await openPage(browser, { javaScriptEnabled: false });
  await page.goto(site.base + "concepts/");
  assert.equal(await page.locator(".term-filter").isVisible(), false);
  const all = await page.locator(".glossary .entry").count();
  assert.equal(await page.locator(".glossary .entry:visible").count(), all);
  // Letter anchors work without it.
  await page.locator('.letters a[href="#letter-l"]').click();
  assert.match(page.url(), /#letter-l$/);
  await context.close();
});
