// The default theme as readers see it, on the demo site: no console errors on any page type,
// no horizontal scrolling at 375 px, dark mode applied, axe-core finds no serious or critical
// violations, and screenshots of the main page types for review (tests/browser/screenshots).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { assertAxeClean, builtAndServed, launch, openPage } from "./helpers.mjs";

const SHOTS = join(import.meta.dirname, "screenshots");

const PAGES = {
  home: "",
  "home-page-2": "page/2/",
  episode: "episodes/flaky-tests/",
  "episode-transcript": "episodes/partnership-without-exclusivity/",
  transcript: "episodes/partnership-without-exclusivity/transcript/",
  concepts: "concepts/",
  "concepts-by-count": "concepts/by-count/",
  concept: "concepts/technical-debt/",
  shows: "shows/",
  show: "shows/the-build-log/",
  people: "people/",
  person: "people/mara-okafor/",
  page: "about/",
  search: "search/?q=platform",
  "not-found": "no-such-page/",
};

let site, browser;
before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  site = await builtAndServed("/digests/");
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

for (const [name, path] of Object.entries(PAGES)) {
  test(`${name}: no console errors, no horizontal scroll at 375 px, axe clean`, async () => {
    const { page, context, problems } = await openPage(browser, { viewport: { width: 375, height: 800 } });
    const res = await page.goto(site.base + path);
    assert.equal(res.status(), name === "not-found" ? 404 : 200);
    if (name === "search") await page.waitForFunction(() => document.querySelectorAll("#search-results li").length > 0);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `horizontal scroll of ${overflow}px`);
    await page.screenshot({ path: join(SHOTS, `${name}-375.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(SHOTS, `${name}-1280.png`), fullPage: false });
    await assertAxeClean(page);
    assert.deepEqual(problems.filter((p) => !(name === "not-found" && p.includes("404"))), []);
    await context.close();
  });
}

// WCAG's reflow width: the header's search form once kept its input's default width there
// and pushed its button past the edge of the screen.
test("no page scrolls sideways at 320 px", async () => {
  const { page, context } = await openPage(browser, { viewport: { width: 320, height: 640 } });
  for (const [name, path] of Object.entries(PAGES)) {
    await page.goto(site.base + path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name}: horizontal scroll of ${overflow}px`);
    const right = await page.locator(".site-search button").evaluate((b) => b.getBoundingClientRect().right);
    assert.ok(right <= 320, `${name}: the search button ends at ${right}px`);
  }
  await context.close();
});

test("dark mode follows prefers-color-scheme, code highlighting too", async () => {
  const { page, context } = await openPage(browser, { colorScheme: "dark" });
  await page.goto(site.base + "episodes/flaky-tests/");
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, "rgb(21, 23, 26)");
  const codeBg = await page.evaluate(() => getComputedStyle(document.querySelector("pre.hl-code")).backgroundColor);
  await page.screenshot({ path: join(SHOTS, "episode-dark-1280.png") });
  await page.emulateMedia({ colorScheme: "light" });
  const lightBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const lightCode = await page.evaluate(() => getComputedStyle(document.querySelector("pre.hl-code")).backgroundColor);
  assert.equal(lightBg, "rgb(253, 252, 249)");
  assert.notEqual(codeBg, lightCode, "code blocks change with the scheme");
  await context.close();
});

test("keyboard: the skip link is the first stop and is visible when focused", async () => {
  const { page, context } = await openPage(browser);
  await page.goto(site.base + "episodes/flaky-tests/");
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => ({ text: document.activeElement.textContent, left: document.activeElement.getBoundingClientRect().left }));
  assert.equal(focused.text, "Skip to content");
  assert.ok(focused.left >= 0, "visible on focus");
  await context.close();
});
