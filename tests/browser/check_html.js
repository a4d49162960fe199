// Reads actionplan's HTML reports back in Debian's Chromium (headless, one
// launch for every page) and checks what a reader and the accessibility
// regulations need:
//   - axe-core finds no violation of the WCAG 2.0, 2.1 and 2.2 A and AA rules,
//     at 1280 and at 320 CSS pixels wide;
//   - at 320 pixels the page does not scroll sideways (scrollWidth <= 320), no
//     table's row heading or text cell reads one word a line, and a table wider
//     than the screen scrolls in a labelled region a keyboard can reach;
//   - nothing is fetched but the page itself, and there is no script;
//   - one h1, headings that never skip a level, a caption on every table, a
//     scope on every th, the chart an image with a name and a description;
//   - the protective marking is the first and the last text of the page.
// It writes screenshots at 320 and 1280 pixels and the page printed to PDF
// (A4, as the page's own print stylesheet lays it out) into OUT_DIR, for
// run.sh to check page by page with pdftotext and for people to look at.
//
// usage: node check_html.js OUT_DIR FILE.html... [--no-shots FILE.html...]
// Prints one line per finding and a JSON summary line; exits 1 on any failure.
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const AXE = require.resolve('axe-core/axe.min.js');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function axeRun(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined')))
    await page.addScriptTag({ path: AXE });
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return {
      violations: r.violations.map((v) => ({
        id: v.id,
        help: v.help,
        nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary),
      })),
      passes: r.passes.length,
      incomplete: r.incomplete.map((v) => v.id + ' ' + v.nodes.slice(0, 4).map((n) => n.target.join(' ') + ' ' + n.any.map((a) => a.message).join(';')).join(' | ')),
    };
  }, WCAG_TAGS);
}

// Tables on a phone: no row heading or text cell of several words laid out
// one word a line (as many lines of text, as the browser placed them, as it
// has words) in a column squeezed narrower than 10em, and a table wider than its box in a region a keyboard can
// reach and a screen reader names (it scrolls there, not the page).
function narrowTables() {
  const out = [];
  for (const t of document.querySelectorAll('table')) {
    const box = t.closest('.table-box');
    const name = (t.querySelector('caption h3') || t).textContent.trim().slice(0, 40);
    if (box && box.scrollWidth > box.clientWidth &&
        !(box.getAttribute('role') === 'region' && box.tabIndex === 0 &&
          document.getElementById(box.getAttribute('aria-labelledby') || '')))
      out.push(`table "${name}" is wider than the screen outside a labelled, focusable region`);
    for (const c of t.querySelectorAll('tbody th, tbody td:not(.num)')) {
      const words = c.textContent.trim().split(/\s+/).filter(Boolean).length;
      if (words < 2) continue;
      const r = document.createRange();
      r.selectNodeContents(c);
      const lines = new Set([...r.getClientRects()].map((q) => Math.round(q.top))).size;
      // Two long words may each need a line of a column of sensible width.
      const em = parseFloat(getComputedStyle(c).fontSize);
      if (lines >= words && c.getBoundingClientRect().width < 10 * em)
        out.push(`table "${name}": "${c.textContent.trim()}" is one word a line, in a column ` +
          `${Math.round(c.getBoundingClientRect().width)} px wide`);
    }
  }
  return out;
}

// Structure checks that axe leaves to people (or to best-practice rules).
function structure() {
  const out = [];
  const hs = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')];
  const h1 = hs.filter((h) => h.tagName === 'H1').length;
  if (h1 !== 1) out.push(`${h1} h1 elements, expected 1`);
  let prev = 0;
  for (const h of hs) {
    const lvl = Number(h.tagName[1]);
    if (lvl > prev + 1) out.push(`heading "${h.textContent}" is h${lvl} after h${prev}`);
    prev = lvl;
  }
  if (document.documentElement.lang !== 'en-GB') out.push(`lang is "${document.documentElement.lang}"`);
  if (document.querySelectorAll('script').length) out.push('the page holds a script');
  const tables = [...document.querySelectorAll('table')];
  if (!tables.length) out.push('no table');
  for (const t of tables) {
    const cap = t.querySelector(':scope > caption');
    if (!cap || !cap.textContent.trim()) out.push('a table has no caption');
    const h3 = cap && cap.querySelector('h3');
    if (!h3) out.push(`table "${cap ? cap.textContent.slice(0, 40) : ''}" has no h3 in its caption`);
    for (const th of t.querySelectorAll('th')) {
      const want = th.closest('thead') ? 'col' : 'row';
      if (th.getAttribute('scope') !== want)
        out.push(`a th in "${h3 ? h3.textContent : ''}" has scope "${th.getAttribute('scope')}", expected ${want}`);
    }
    const box = t.parentElement;
    if (!box.matches('div.table-box[role=region][tabindex="0"][aria-labelledby]'))
      out.push(`table "${h3 ? h3.textContent : ''}" is not in a focusable, labelled region`);
  }
  for (const svg of document.querySelectorAll('figure svg[role=img]')) {
    const ids = (svg.getAttribute('aria-labelledby') || '').split(/\s+/);
    const name = ids.map((i) => (document.getElementById(i) || {}).textContent || '').join(' ').trim();
    const desc = (document.getElementById(svg.getAttribute('aria-describedby')) || {}).textContent || '';
    if (!name) out.push('a chart has no accessible name');
    if (desc.length < 40) out.push(`a chart's description is too short: "${desc}"`);
  }
  // Markers explained where used: every [c]/[z]/[x] in a table means the
  // table's caption links to its note, which exists.
  for (const t of tables) {
    const used = new Set((t.tBodies[0] ? t.tBodies[0].textContent : '').match(/\[[czx]\]/g) || []);
    for (const m of used) {
      const link = [...t.caption.querySelectorAll('a.marker')].find((a) => a.textContent === m);
      if (!link) out.push(`"${t.caption.querySelector('h3').textContent}" uses ${m} without a key`);
      else if (!document.getElementById(link.getAttribute('href').slice(1)))
        out.push(`the note for ${m} (${link.getAttribute('href')}) does not exist`);
    }
  }
  // The marking: the first line of text, and the last element of the page.
  const text = document.body.innerText.trim().split('\n').map((s) => s.trim()).filter(Boolean);
  const tail = document.body.lastElementChild;
  const facts = [...document.querySelectorAll('dl.facts div')];
  const mark = facts.find((d) => d.querySelector('dt').textContent === 'Protective marking');
  return { problems: out, first: text[0], last: tail ? tail.innerText.trim() : '',
    marking: mark ? mark.querySelector('dd').textContent : '' };
}

async function main() {
  const [outDir, ...args] = process.argv.slice(2);
  const files = args.filter((a) => a !== '--no-shots');
  const shots = new Set(args.slice(0, args.indexOf('--no-shots') < 0 ? args.length : args.indexOf('--no-shots')));
  fs.mkdirSync(outDir, { recursive: true });
  const t0 = Date.now();
  const browser = await chromium.launch({
    executablePath: process.env.AP_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // Playwright gives the browser a fresh profile in a temporary folder of its own.
  });
  let failures = 0;
  const summary = [];
  const fail = (file, msg) => {
    failures++;
    console.log(`FAIL ${path.basename(file)}: ${msg}`);
  };
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    for (const file of files) {
      const name = path.basename(file, '.html');
      const page = await context.newPage();
      const url = 'file://' + path.resolve(file);
      const requests = [];
      page.on('request', (req) => { if (req.url() !== url) requests.push(req.url()); });
      await page.goto(url, { waitUntil: 'load' });
      const res = { file: name, widths: {} };

      const s = await page.evaluate(structure);
      for (const p of s.problems) fail(file, p);
      for (const [where, text] of [['first', s.first], ['last', s.last]])
        if (!s.marking || !text || !text.startsWith(s.marking))
          fail(file, `the ${where} text is "${text}", not the marking "${s.marking}"`);

      for (const width of [1280, 320]) {
        await page.setViewportSize({ width, height: 900 });
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        res.widths[width] = scrollWidth;
        if (scrollWidth > width) fail(file, `at ${width} px the page is ${scrollWidth} px wide`);
        if (width === 320)
          for (const p of await page.evaluate(narrowTables)) fail(file, `at 320 px ${p}`);
        const axe = await axeRun(page);
        res[`axe${width}`] = { violations: axe.violations.length, passes: axe.passes,
          incomplete: axe.incomplete };
        for (const v of axe.violations)
          fail(file, `axe at ${width} px: ${v.id} (${v.help}): ${v.nodes.slice(0, 3).join(' | ')}`);
        if (shots.has(file))
          await page.screenshot({ path: path.join(outDir, `${name}-${width}.png`), fullPage: true });
      }
      // The axe script injected above is ours, not the page's: reload before printing.
      await page.goto(url, { waitUntil: 'load' });
      await page.pdf({ path: path.join(outDir, `${name}.pdf`), preferCSSPageSize: true,
        printBackground: true });
      if (requests.length) fail(file, `the page fetched ${requests.join(', ')}`);
      summary.push(res);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify({ seconds: (Date.now() - t0) / 1000, pages: summary }));
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.log(`FAIL: ${e.stack || e}`);
  process.exit(1);
});
