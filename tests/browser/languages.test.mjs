// The demo with `language: fr`: what the scripts say (search, the glossary filter, the
// transcript button) is French like the rest of the page, counts
// take French plural forms, and the pages stay accessible.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { builtAndServed, launch, openPage, assertAxeClean, REPO } from "./helpers.mjs";

let site, browser, root;
before(async () => {
  root = mkdtempSync(join(tmpdir(), "castdown-fr-"));
  for (const part of ["castdown.yaml", "content", "static"]) {
    if (existsSync(join(REPO, part))) cpSync(join(REPO, part), join(root, part), { recursive: true });
  }
  const config = readFileSync(join(root, "castdown.yaml"), "utf8").replace(/^language:.*$/m, "language: fr");
  writeFileSync(join(root, "castdown.yaml"), config.includes("language: fr") ? config : config + "language: fr\n");
  site = await builtAndServed("/fr/", root);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await site?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

test("search speaks French: the count, a typo's suggestion, term kinds, words too short", async () => {
  const { page, context, problems } = await openPage(browser);
  await page.goto(site.base + "search/?q=" + encodeURIComponent("flaky"));
  const status = page.locator("#search-status");
  await page.waitForFunction(() => {
    const s = document.getElementById("search-status").textContent;
    return s && s !== "Recherche…";
  });
  assert.match(await status.textContent(), /^\d+ résultats?\.$/);
  assert.equal(await page.locator("html").getAttribute("lang"), "fr");
  assert.equal(await page.getByLabel("Mots à chercher").inputValue(), "flaky");
  // A concept offered as a result carries its kind in French.
  assert.ok((await page.locator("#search-terms .term-kind").allTextContents()).includes("Concept"));
  // A typo: the suggestion's words are French.
  await page.getByLabel("Mots à chercher").fill("flakey tsets");
  await page.waitForFunction(() => !document.getElementById("search-suggest").hidden);
  assert.match(await page.locator("#search-suggest").textContent(), /^Aucun résultat exact\. Vouliez-vous dire /);
  // Words too short to search.
  await page.getByLabel("Mots à chercher").fill("q");
  await page.waitForFunction(() => /ne peut pas être cherché/.test(document.getElementById("search-status").textContent));
  await assertAxeClean(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the header's French placeholder fits a 375 px phone, and nothing overflows at 320", async () => {
  for (const width of [320, 375]) {
    const { page, context } = await openPage(browser, { viewport: { width, height: 640 } });
    await page.goto(site.base);
    const fit = await page.locator("#site-search-q").evaluate((input) => {
      const s = getComputedStyle(input);
      const ctx = document.createElement("canvas").getContext("2d");
      ctx.font = s.font;
      const room = input.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
      return { text: ctx.measureText(input.placeholder).width, room, overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth };
    });
    assert.ok(fit.overflow <= 0, `${width}px: horizontal scroll of ${fit.overflow}px`);
    if (width === 375) assert.ok(fit.text <= fit.room, `placeholder ${fit.text}px in ${fit.room}px`);
    await context.close();
  }
});

test("the glossary filter and the transcript button speak French", async () => {
  const { page, context, problems } = await openPage(browser);
  await page.goto(site.base + "concepts/");
  const total = await page.locator(".glossary .entry").count();
  await page.getByLabel("Filtrer les concepts").fill("debt");
  assert.match(await page.locator("#term-filter-status").textContent(), new RegExp(`^\\d+ sur ${total} correspondent à « debt »$`));
  await page.goto(site.base + "episodes/partnership-without-exclusivity/");
  const button = page.getByRole("button", { name: "Afficher la transcription ici" });
  await button.click();
  await page.locator(".transcript-slot .cue").first().waitFor();
  assert.equal(await page.locator(".transcript-toggle").textContent(), "Masquer la transcription");
  await assertAxeClean(page);
  assert.deepEqual(problems, []);
  await context.close();
});
