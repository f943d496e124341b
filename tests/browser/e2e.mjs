// Wegwijzer's web pages as a person uses them, in headless Chromium: ask a question and see the
// offer card, answer a clarifying question, say an answer did not help, search the offers with a
// typo and a filter, sign in as an officer, read the matrix and triage a gap, sign out. Every page
// is checked with axe-core (WCAG 2.1 A/AA; serious or critical violations fail), the skip link
// and keyboard focus are checked, and each page is saved as a screenshot.
import { createRequire } from "node:module";
import { mkdirSync, readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const base = process.env.BASE_URL;
const shots = process.env.SCREENSHOTS;
mkdirSync(shots, { recursive: true });

let passed = 0;
let failed = 0;
const failures = [];

async function step(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed += 1;
    failures.push(name);
    console.log(`not ok - ${name}\n  ${String(e && e.stack || e).split("\n").join("\n  ")}`);
  }
}

function expect(cond, msg) {
  if (!cond) throw new Error(msg);
}

let axePages = 0;
let axeVersion = "";

async function axe(page, label) {
  axePages += 1;
  // The CSP forbids inline script tags on our pages; evaluating through the DevTools protocol is
  // not governed by it.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  axeVersion = result.testEngine && result.testEngine.version || axeVersion;
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const minor = result.violations.filter((v) => !bad.includes(v));
  for (const v of minor) console.log(`  # ${label}: ${v.impact} ${v.id} (${v.nodes.length})`);
  expect(bad.length === 0, `${label}: ` + bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`).join("\n"));
}

async function shot(page, name) {
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "nl-NL" });
const page = await context.newPage();
const consoleErrors = [];
// The 404 page and the wrong-password page are meant to answer 404 and 401.
page.on("console", (m) => {
  if (m.type() === "error" && !/status of (404|401)/.test(m.text())) consoleErrors.push(m.text());
});
page.on("pageerror", (e) => consoleErrors.push(String(e)));

await step("the chat page renders, with the privacy text and no console errors", async () => {
  const resp = await page.goto(`${base}/`);
  expect(resp.status() === 200, `status ${resp.status()}`);
  expect((resp.headers()["content-security-policy"] || "").includes("script-src 'self'"), "CSP header");
  expect(await page.locator("html").getAttribute("lang") === "nl", "lang=nl");
  expect(await page.getByText("Typ geen persoonsgegevens").count() === 1, "privacy line");
  await axe(page, "chat");
  await shot(page, "chat");
});

await step("keyboard: the skip link comes first, is visible and moves focus to the content", async () => {
  await page.goto(`${base}/`);
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => ({ cls: document.activeElement.className, top: document.activeElement.getBoundingClientRect().top }));
  expect(focused.cls.includes("utrecht-skip-link"), `first tab stop is ${focused.cls}`);
  expect(focused.top >= 0, "skip link visible when focused");
  await page.keyboard.press("Enter");
  expect(await page.evaluate(() => document.activeElement.id) === "main", "focus on main");
  // The question box shows a focus ring.
  await page.locator("#q").focus();
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  // Focus by script does not always match :focus-visible; tab to it instead.
  await page.goto(`${base}/`);
  let found = false;
  for (let i = 0; i < 30 && !found; i += 1) {
    await page.keyboard.press("Tab");
    found = await page.evaluate(() => document.activeElement && document.activeElement.id === "q");
  }
  expect(found, "the question box is reachable by Tab");
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  expect(ring !== "none" || outline !== "none", "visible focus ring on the question box");
  const label = await page.evaluate(() => document.querySelector("label[for=q]").textContent.trim());
  expect(label.length > 0, "the question box has a label");
});

await step("ask a question and see the right offer card (with JavaScript: stays on the page)", async () => {
  await page.goto(`${base}/`);
  await page.fill("#q", "Wij zijn een metaalbewerker in Nieuw-Buinen (35 man) en willen een lasrobotlijn van € 800.000 neerzetten. De bank financiert de helft. Wie in Drenthe kan het gat dichten, bijvoorbeeld met een achtergestelde lening?");
  await page.click("#ww-ask button[type=submit]");
  await page.waitForSelector("#ww-log .ww-card");
  expect(page.url() === `${base}/`, "no navigation");
  const names = await page.locator("#ww-log .ww-card h3").allTextContents();
  expect(names.some((n) => /MKB Fonds Drenthe|NOM/i.test(n)), `cards: ${names.join(" | ")}`);
  // The first answer says it is an automated assistant (EU AI Act, art. 50).
  const disclosure = page.locator("#ww-log [data-testid=disclosure]");
  expect(await disclosure.count() === 1, "the first answer carries the disclosure");
  expect(/geautomatiseerde assistent/.test(await disclosure.innerText()), await disclosure.innerText());
  await axe(page, "chat answer");
  await shot(page, "chat-answer");
});

await step("answer a clarifying question by its button", async () => {
  await page.goto(`${base}/`);
  await page.fill("#q", "financiering");
  await page.click("#ww-ask button[type=submit]");
  const option = page.locator("#ww-log .ww-options button").first();
  await option.waitFor();
  const before = await page.locator("#ww-log .ww-chat__turn").count();
  await option.click();
  await page.waitForFunction((n) => document.querySelectorAll("#ww-log .ww-chat__turn").length > n, before);
  const log = await page.locator("#ww-log").innerText();
  expect(log.length > 50, "a second answer");
  await shot(page, "chat-clarify");
});

await step("give 'not helpful' feedback with a reason: it is passed on with a number", async () => {
  const last = page.locator("#ww-log .ww-chat__turn").last();
  await last.locator("summary", { hasText: "Dit hielp niet" }).click();
  await last.locator("textarea[name=comment]").fill("Ik zoek iets voor een kleine webwinkel.");
  await last.locator("form button[type=submit]", { hasText: "Dit hielp niet" }).click();
  const note = last.locator(".utrecht-alert--ok");
  await note.waitFor();
  expect(/nr\. \d+/.test(await note.innerText()), await note.innerText());
});

await step("without JavaScript: the chat works as a plain form POST", async () => {
  const nojs = await browser.newContext({ javaScriptEnabled: false });
  const p = await nojs.newPage();
  await p.goto(`${base}/`);
  await p.fill("#q", "Ik wil iemand met een arbeidsbeperking aannemen in mijn hoveniersbedrijf in Westerbork. Hoe zit het met loonkostensubsidie en een jobcoach?");
  await Promise.all([p.waitForNavigation(), p.click("#ww-ask button[type=submit]")]);
  expect(await p.locator(".ww-card").count() > 0, "an offer card after the POST");
  expect((await p.locator("input[name=conversation_id]").first().inputValue()).length > 0, "conversation id kept");
  await p.locator("form.ww-feedback__form button", { hasText: "Dit hielp" }).first().click();
  await p.waitForSelector(".utrecht-alert--ok");
  await nojs.close();
});

await step("language switch: English page, lang attribute follows", async () => {
  await page.goto(`${base}/?lang=en`);
  expect(await page.locator("html").getAttribute("lang") === "en", "lang=en");
  expect(await page.getByRole("button", { name: "Send" }).count() === 1, "English button");
  await page.goto(`${base}/?lang=nl`);
});

await step("the first answer in English and German says it is an automated assistant", async () => {
  for (const [lang, q, words] of [
    ["en", "I want to start a bakery in Emmen, where can I get a loan?", /automated assistant/],
    ["de", "Ich möchte in Emmen eine Bäckerei eröffnen, wo bekomme ich einen Kredit?", /automatisierten Assistenten/],
  ]) {
    await page.goto(`${base}/?lang=${lang}`);
    await page.fill("#q", q);
    await page.click("#ww-ask button[type=submit]");
    const d = page.locator("#ww-log [data-testid=disclosure]");
    await d.waitFor();
    expect(words.test(await d.innerText()), `${lang}: ${await d.innerText()}`);
  }
  await page.goto(`${base}/?lang=nl`);
});

await step("search /aanbod with a typo and a facet filter; the URL can be shared", async () => {
  await page.goto(`${base}/aanbod`);
  await page.fill("#search-q", "subsidei");
  await Promise.all([page.waitForNavigation(), page.click(".ww-search__bar button")]);
  const hits = await page.locator(".ww-hit").count();
  expect(hits > 0, "typo still finds offers");
  await page.selectOption("#facet-status", "open");
  await Promise.all([page.waitForNavigation(), page.click(".ww-facets button[type=submit]")]);
  expect(page.url().includes("status=open") && page.url().includes("q=subsidei"), page.url());
  const filtered = await page.locator(".ww-hit").count();
  expect(filtered > 0 && filtered <= hits, `filtered ${filtered} of ${hits}`);
  expect(await page.locator(".ww-hit .ww-badge--closed").count() === 0, "no closed offers under status=open");
  await axe(page, "aanbod");
  await shot(page, "aanbod");
});

await step("one offer in full, with sources and similar offers", async () => {
  await page.goto(`${base}/aanbod/mkb-fonds-drenthe`);
  expect(await page.locator("h1").innerText() !== "", "heading");
  const sourcesHeadings = await page.getByRole("heading", { name: "Bronnen", exact: true }).count();
  expect(sourcesHeadings === 1, `sources headings: ${sourcesHeadings}`);
  expect(await page.getByText("Laatst gecontroleerd").count() === 1, "last reviewed");
  await axe(page, "offer");
  await shot(page, "aanbod-offer");
});

await step("statements and the 404 page", async () => {
  for (const [path, name] of [
    ["/toegankelijkheid", "toegankelijkheid"],
    ["/privacy", "privacy"],
    ["/over", "over"],
    ["/over?lang=en", "over-en"],
    ["/over?lang=de", "over-de"],
  ]) {
    const r = await page.goto(`${base}${path}`);
    expect(r.status() === 200, `${path} ${r.status()}`);
    await axe(page, name);
    await shot(page, name);
  }
  // ?lang= is remembered in a cookie: back to Dutch for the steps that follow.
  await page.goto(`${base}/over?lang=nl`);
  expect(/Laatst getest op/.test(await (await page.goto(`${base}/toegankelijkheid`)).text()), "the accessibility statement says when it was last tested");
  const r = await page.goto(`${base}/bestaat-niet`);
  expect(r.status() === 404, `404 page: ${r.status()}`);
  await axe(page, "404");
});

await step("the dashboard asks to sign in; a wrong password gets the generic message", async () => {
  await page.goto(`${base}/dashboard`);
  expect(page.url().startsWith(`${base}/login`), page.url());
  await axe(page, "login");
  await shot(page, "login");
  await page.fill("#login-name", process.env.OFFICER_NAME);
  await page.fill("#login-password", "wrong-password-123");
  await Promise.all([page.waitForNavigation(), page.click(".ww-login button")]);
  const generic = await page.getByText("De combinatie van naam en wachtwoord klopt niet.").count();
  expect(generic === 1, `generic message: ${generic} on ${page.url()}: ${(await page.locator("main").innerText()).slice(0, 300)}`);
});

await step("sign in as an officer, see the matrix and triage a gap", async () => {
  await page.fill("#login-name", process.env.OFFICER_NAME);
  await page.fill("#login-password", process.env.OFFICER_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click(".ww-login button")]);
  expect(page.url().startsWith(`${base}/dashboard`), page.url());
  expect(await page.locator("table.ww-heat tbody tr").count() > 0, "matrix rows");
  expect(await page.locator("svg.ww-chart rect").count() > 0, "trend chart");
  expect(await page.getByRole("heading", { name: "Waar eerst op letten" }).count() === 1, "the priorities section");
  const row = page.locator("table.ww-gaps tbody tr").first();
  await row.waitFor();
  const id = (await row.getAttribute("id")).replace("gap-", "");
  await row.locator("select[name=status]").selectOption("reviewed");
  // The note and the covering offer sit in a row that opens, by keyboard too.
  await row.locator("details.ww-triage-more summary").focus();
  await page.keyboard.press("Enter");
  await row.locator("input[name=note]").fill("Besproken in het teamoverleg");
  await Promise.all([page.waitForNavigation(), row.locator("button[type=submit]").click()]);
  expect(await page.getByText(`Hiaat ${id} is bijgewerkt.`).count() === 1, "saved notice");
  const again = page.locator(`#gap-${id}`);
  expect((await again.innerText()).includes("Besproken in het teamoverleg"), "note shown");
  expect(await again.locator("select[name=status]").inputValue() === "reviewed", "status saved");
  await axe(page, "dashboard");
  await shot(page, "dashboard");
});

await step("bulk triage: select two gaps, mark them as not a gap, the filters stay in the URL", async () => {
  for (const q of ["Bakker in Beilen zoekt hulp bij een tweede vestiging.", "Hovenier in Roden vraagt naar scholing voor personeel."]) {
    await page.goto(`${base}/dashboard/gap/new`);
    await page.fill("#gq", q);
    await Promise.all([page.waitForNavigation(), page.click("form button[type=submit] >> text=Vastleggen")]);
  }
  await page.goto(`${base}/dashboard?status=new`);
  const boxes = page.locator("table.ww-gaps tbody input[type=checkbox][name=ids]");
  const n = await boxes.count();
  expect(n >= 2, `gaps to select: ${n}`);
  const first = await boxes.nth(0).getAttribute("value");
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await Promise.all([page.waitForNavigation(), page.click("form#bulk button[value=not-a-gap]")]);
  expect(page.url().includes("status=new") && page.url().includes("bulk=2"), page.url());
  expect(await page.getByText("2 hiaten bijgewerkt.").count() === 1, "bulk notice");
  expect(await page.locator(`#gap-${first}`).count() === 0, "a not-a-gap leaves the filtered list of new gaps");
  await axe(page, "dashboard bulk");
});

await step("an adviser's question from a call is logged; the export page shows the codebook", async () => {
  await page.goto(`${base}/dashboard/gap/new`);
  await page.fill("#gq", "Kapper in Emmen vraagt naar hulp bij het vinden van een opvolger voor de zaak.");
  await Promise.all([page.waitForNavigation(), page.click("form button[type=submit] >> text=Vastleggen")]);
  expect(await page.getByText(/Vastgelegd als hiaat nr\. \d+/).count() === 1, "logged");
  await axe(page, "gap-new");
  await shot(page, "dashboard-gap-new");
  await page.goto(`${base}/dashboard/export`);
  expect(await page.getByRole("link", { name: "Hiaten (CSV)" }).count() === 1, "export link");
  await axe(page, "export");
  await shot(page, "dashboard-export");
});

await step("sign out: the dashboard asks to sign in again", async () => {
  await Promise.all([page.waitForNavigation(), page.click("header form button")]);
  await page.goto(`${base}/dashboard`);
  expect(page.url().startsWith(`${base}/login`), page.url());
});

await step("a phone-sized screen shows the chat without horizontal scrolling", async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const p = await phone.newPage();
  await p.goto(`${base}/`);
  const wide = await p.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  expect(!wide, "no horizontal scroll");
  await shot(p, "chat-phone");
  await phone.close();
});

await step("no errors in the browser console", async () => {
  expect(consoleErrors.length === 0, consoleErrors.join("\n"));
});

const chromiumVersion = browser.version();
await browser.close();
console.log(`browser: ${passed} passed, ${failed} failed`);
if (failed) {
  console.log(`failed: ${failures.join("; ")}`);
  process.exit(1);
}
// A clean run records itself; the accessibility statement shows the last recorded run (commit the
// file to publish it).
const { writeFileSync } = await import("node:fs");
writeFileSync(new URL("../../docs/accessibility-check.json", import.meta.url), JSON.stringify({
  tested: new Date().toISOString().slice(0, 10),
  wcag: "WCAG 2.1 AA",
  tool: `axe-core ${axeVersion}`,
  browser: `Chromium ${chromiumVersion}`,
  pages: axePages,
  serious_violations: 0,
}, null, 2) + "\n");
