// Loads the dashboard in headless Chromium, picks a pair and a period, and prints what the page shows as
// JSON: the series table, the chart's SVG, the mirror view, and the diversion offset ratio.
// Usage: node dashboard.mjs http://127.0.0.1:PORT
import { chromium } from "playwright-core";

const base = process.argv[2];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(base + "/");
  await page.waitForSelector("#series-table tbody tr");
  await page.selectOption("#reporter", "EU27");
  await page.selectOption("#partner", "KGZ");
  await page.selectOption("#flow", "exports");
  await page.fill("#from", "2023-01");
  await page.fill("#to", "2023-12");
  await page.selectOption("#freq", "monthly");
  await page.click("#show");
  await page.waitForFunction(() => {
    const rows = document.querySelectorAll("#series-table tbody tr");
    return rows.length === 12 && rows[11].dataset.period === "2023-12"
      && document.querySelector('#mirror-table[data-period="2023-01..2023-12"][data-pair="EU27-KGZ"]');
  });
  const rows = await page.$$eval("#series-table tbody tr", (rs) =>
    rs.map((r) => [r.dataset.period, Number(r.dataset.value)]));
  const chart = await page.$eval("#chart", (c) => ({
    svg: c.querySelectorAll("svg").length,
    paths: c.querySelectorAll("svg path").length,
    title: c.textContent,
  }));
  const mirror = await page.$eval("#mirror-table td[data-value]", (td) => Number(td.dataset.value));
  await page.click("#divert");
  await page.waitForSelector("#offset-ratio", { timeout: 60000 });
  const offset = await page.$eval("#offset-ratio", (b) => b.textContent);
  const divPaths = await page.$eval("#div-chart", (c) => c.querySelectorAll("svg path").length);
  await page.fill("#claim-text", "EU exports to Kyrgyzstan rose to €2.7 billion in 2023. EU exports to Russia fell to €30 billion in 2023.");
  await page.click("#check");
  await page.waitForSelector("#claims-table tbody tr", { timeout: 60000 });
  const verdicts = await page.$$eval("#claims-table tbody tr", (rs) => rs.map((r) => r.dataset.verdict));
  // Goods: CHPL exports to Russia by month.
  await page.selectOption("#partner", "RUS");
  await page.fill("#from", "2022-01");
  await page.fill("#to", "2022-06");
  await page.fill("#commodity", "chpl");
  await page.click("#show");
  await page.waitForFunction(() => {
    const rows = document.querySelectorAll("#series-table tbody tr");
    return rows.length === 6 && rows[5].dataset.period === "2022-06";
  });
  const goods = await page.$$eval("#series-table tbody tr", (rs) =>
    rs.map((r) => [r.dataset.period, Number(r.dataset.value)]));
  // The CHPL model and the partner-side mirror.
  await page.click("#chpl-run");
  await page.waitForSelector("#chpl-effects tbody tr", { timeout: 120000 });
  const chpl = await page.$$eval("#chpl-effects tbody tr", (rs) =>
    rs.map((r) => [r.dataset.name, Number(r.dataset.estimate)]));
  const chplPaths = await page.$eval("#chpl-chart", (c) => c.querySelectorAll("svg path").length);
  await page.selectOption("#pm-country", "KAZ");
  await page.click("#pm-run");
  await page.waitForFunction(() => document.querySelectorAll("#pm-table tbody tr").length === 9);
  const pmirror = await page.$$eval("#pm-table tbody tr", (rs) =>
    rs.map((r) => [r.dataset.pair, r.dataset.year, r.dataset.gap === "" ? null : Number(r.dataset.gap)]));
  const pmNotes = await page.$eval("#pm-notes", (p) => p.textContent);
  // General equilibrium: the Russia scenario without draws.
  await page.selectOption("#ge-draws", "0");
  await page.click("#ge-run");
  await page.waitForSelector('#ge-table tbody tr[data-country="RUS"]', { timeout: 120000 });
  const ge = await page.$$eval("#ge-table tbody tr", (rs) =>
    rs.map((r) => [r.dataset.country, Number(r.dataset.welfare)]));
  const gePaths = await page.$eval("#ge-chart", (c) => c.querySelectorAll("svg path").length);
  console.log(JSON.stringify({ rows, chart, mirror, offset, divPaths, verdicts, goods, chpl, chplPaths, pmirror, pmNotes, ge, gePaths, errors }));
} finally {
  await browser.close();
}
