// Browser tests of the victim pages (/, /advice, /case, /check, /subject) in headless Chromium
// against a running server.  Normally started by scripts/browser-test, which
// installs what is needed, starts the server and sets BASE_URL.
//
//   BASE_URL=http://127.0.0.1:8080 node tests/browser/run.mjs [name filter]
//
// Environment: BASE_URL (required), CHROMIUM (default /usr/bin/chromium),
// SCREENSHOTS (directory, default tests/browser/screenshots).
// Prints one line per test and a last line "N passed, N failed"; exits 1
// when a test failed.

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { readFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const BASE_URL = (process.env.BASE_URL || '').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.SCREENSHOTS || join(here, 'screenshots');
const FILTER = process.argv[2] || '';
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const VIEWPORTS = { mobile: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };
const CASE_CODE_RE = /^[0-9A-Z]{4}(-[0-9A-Z]{4}){5}-[0-9A-Z]{3}$/;
const IBAN = 'NL91 ABNA 0417 1643 00';
const BAD_IBAN = 'NL91 ABNA 0417 1643 01';
const PHONE = '020-1234567';
const TEST_TIMEOUT_MS = 90_000;

if (!BASE_URL) {
  console.error('run.mjs: set BASE_URL to the address of a running server (or use scripts/browser-test)');
  process.exit(2);
}
mkdirSync(SHOTS, { recursive: true });

// ---------- a small sequential test runner ----------

const tests = [];
const shared = {};      // state handed from one test to the next (the case code)
function test(name, fn) { tests.push({ name, fn }); }

// ---------- page helpers ----------

let browser;

/*
 * A new context and page with everything that goes wrong recorded:
 * console errors, uncaught exceptions, CSP violations (also as
 * securitypolicyviolation events, seen by a script that CSP does not
 * govern) and HTTP responses of 400 or more.  `expected` lists regular
 * expressions of failures the test itself provokes.
 */
async function openPage(viewport = VIEWPORTS.desktop) {
  const context = await browser.newContext({ viewport, locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
  context.setDefaultTimeout(10_000);
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || '?'}:${e.lineNumber}`);
    });
  });
  const page = await context.newPage();
  const problems = [];
  const expected = [];
  // The icon the browser asks for by itself is checked by its own test.
  const isExpected = (text) => /\/favicon\.ico\b/.test(text) || expected.some((re) => re.test(text));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const loc = msg.location();
    const text = `console error: ${msg.text()} (${loc.url || '?'}:${loc.lineNumber})`;
    if (!isExpected(text)) problems.push(text);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.stack || err.message}`));
  page.on('response', (res) => {
    if (res.status() < 400) return;
    const text = `HTTP ${res.status()} ${res.request().method()} ${res.url()}`;
    if (!isExpected(text)) problems.push(text);
  });
  page.on('requestfailed', (req) => {
    const text = `request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText || ''}`;
    if (!isExpected(text)) problems.push(text);
  });
  return {
    page,
    context,
    expect(re) { expected.push(re); },
    /*
     * axe-core on the page as it is now.  Serious and critical violations
     * are recorded and fail the test at assertClean(), so that the rest of
     * the test still runs.
     */
    async axe(where) {
      const bad = await axeViolations(page, where);
      if (bad.length) problems.push(`axe: ${bad.length} serious/critical violation(s) on ${where}:\n    ${formatViolations(bad)}`);
    },
    /* Fails the test when anything went wrong on the page so far. */
    async assertClean(where) {
      let csp = [];
      try { csp = await page.evaluate(() => window.__csp || []); } catch { /* page gone */ }
      const all = problems.concat(csp.map((c) => `CSP violation: ${c}`));
      problems.length = 0;
      assert.equal(all.length, 0, `problems on ${where}:\n  ${all.join('\n  ')}`);
    },
    async close() { await context.close(); }
  };
}

/* axe-core on the page as it is now: its serious and critical violations. */
async function axeViolations(page, where) {
  // evaluate() is not subject to the page's Content-Security-Policy,
  // a <script> tag with axe's source would be.
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() => window.axe.run(document, {
    resultTypes: ['violations'],
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }
  }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = result.violations.filter((v) => !bad.includes(v));
  if (minor.length) {
    console.log(`    axe on ${where}: ${minor.length} minor/moderate: ${minor.map((v) => `${v.id}(${v.impact}, ${v.nodes.length})`).join(', ')}`);
  }
  return bad;
}

function formatViolations(list) {
  return list.map((v) => `${v.impact} ${v.id}: ${v.help}\n      ${v.helpUrl}\n` +
    v.nodes.slice(0, 5).map((n) => `      - ${n.target.join(' ')}: ${n.failureSummary.replace(/\n/g, ' ')}`).join('\n')).join('\n    ');
}

/* A full-page screenshot at both viewports; the page is left at the desktop size. */
async function screenshots(page, name) {
  for (const [label, vp] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(vp);
    await page.waitForTimeout(100);
    await page.screenshot({ path: join(SHOTS, `${name}-${label}-${vp.width}x${vp.height}.png`), fullPage: true });
  }
  await page.setViewportSize(VIEWPORTS.desktop);
}

async function activeId(page) {
  return page.evaluate(() => document.activeElement && document.activeElement.id);
}

/* Keyboard: focus an element and press a key on it. */
async function press(page, selector, key) {
  await page.focus(selector);
  await page.keyboard.press(key);
}

/* Keyboard: focus a text field, clear it and type. */
async function typeInto(page, selector, text) {
  await page.focus(selector);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
}

/* Next step with Enter on the "Volgende" button; focus must land on the new step's heading. */
async function nextStep(page, n) {
  await press(page, '#next', 'Enter');
  await page.locator(`#step-${n}`).waitFor({ state: 'visible' });
  assert.equal(await activeId(page), `step-${n}-heading`, `focus moves to the heading of step ${n}`);
}

async function loadReportForm(page) {
  await page.goto(`${BASE_URL}/`);
  await page.locator('#fraud-type-bank_helpdesk').waitFor({ state: 'attached' });
}

async function caseFromApi(page, code) {
  const res = await page.request.get(`${BASE_URL}/v1/cases/${encodeURIComponent(code)}`);
  assert.equal(res.status(), 200, `GET /v1/cases/${code}`);
  return res.json();
}

// ---------- the tests ----------

for (const [path, name, ready] of [
  ['/', 'report-form', '#fraud-type-bank_helpdesk'],
  ['/advice', 'advice', '#advice-fraud-type option[value="bank_helpdesk"]'],
  ['/check', 'check', '#check-kind option[value="iban"]'],
  ['/case', 'case-empty', '#consent-bank'],
  ['/subject', 'subject', '#subject-kind option[value="iban"]']
]) {
  test(`${path}: loads without errors, no serious axe violations, screenshots`, async () => {
    const p = await openPage();
    try {
      const res = await p.page.goto(`${BASE_URL}${path}`);
      assert.equal(res.status(), 200);
      const csp = res.headers()['content-security-policy'] || '';
      assert.match(csp, /script-src 'self'/, 'the page is served with a strict CSP');
      await p.page.locator(ready).waitFor({ state: 'attached' });
      await p.page.waitForLoadState('networkidle');
      assert.equal(await p.page.getAttribute('html', 'lang'), 'nl');
      assert.equal(await p.page.locator('h1').count(), 1, 'one h1');
      await p.axe(path);
      await screenshots(p.page, name);
      await p.assertClean(path);
    } finally {
      await p.close();
    }
  });
}

test('report: bank-helpdesk fraud with an IBAN and a phone number, by keyboard', async () => {
  const p = await openPage();
  const { page } = p;
  try {
    await loadReportForm(page);

    // Step 1: fraud type with the arrow keys in the radio group, a channel with Space.
    await press(page, '#fraud-type-phishing', 'Space');
    assert.ok(await page.isChecked('#fraud-type-phishing'));
    await page.keyboard.press('ArrowDown');
    assert.ok(await page.isChecked('#fraud-type-bank_helpdesk'), 'ArrowDown moves to and selects bank_helpdesk');
    await press(page, '#channel-phone_call', 'Space');
    assert.ok(await page.isChecked('#channel-phone_call'));
    await typeInto(page, '#description', 'Iemand belde namens mijn bank en liet mij geld overmaken naar een "veilige rekening".');
    await p.axe('/ step 1 (filled in)');
    await nextStep(page, 2);

    // Step 2: money lost; Enter in the amount field goes on to the next step.
    await press(page, '#lost-yes', 'Space');
    await page.locator('#loss-details').waitFor({ state: 'visible' });
    await typeInto(page, '#amount', '1.250,00');
    await page.focus('#payment-method');
    await page.selectOption('#payment-method', 'bank_transfer');
    await p.axe('/ step 2 (money lost)');
    await press(page, '#amount', 'Enter');
    await page.locator('#step-3').waitFor({ state: 'visible' });

    // Step 3: the IBAN in the first row, the phone number in a second one.
    await page.focus('#ident-1-kind');
    await page.selectOption('#ident-1-kind', 'iban');
    await typeInto(page, '#ident-1-value', IBAN);
    await page.selectOption('#ident-1-role', 'beneficiary');
    await press(page, '#add-identifier', 'Enter');
    await page.locator('#ident-2-kind').waitFor({ state: 'visible' });
    assert.equal(await activeId(page), 'ident-2-kind', 'focus moves to the new row');
    await page.selectOption('#ident-2-kind', 'phone');
    await typeInto(page, '#ident-2-value', PHONE);
    await page.selectOption('#ident-2-role', 'caller');
    await p.axe('/ step 3 (two identifiers)');
    await nextStep(page, 4);

    // Step 4: about the victim (all optional).
    await press(page, '#victim-type-citizen', 'Space');
    await p.axe('/ step 4');
    await nextStep(page, 5);

    // Step 5: consent to bank and police.
    await press(page, '#consent-bank', 'Space');
    await press(page, '#consent-police', 'Space');
    assert.ok(await page.isChecked('#consent-bank'));
    assert.ok(await page.isChecked('#consent-police'));
    assert.ok(!(await page.isChecked('#consent-helpdesk')));
    await p.axe('/ step 5 (consent)');
    await nextStep(page, 6);

    // Step 6: the review shows what will be sent.
    const review = await page.locator('#review').innerText();
    for (const s of [IBAN, PHONE]) assert.ok(review.includes(s), `review shows ${s}:\n${review}`);
    assert.ok(await page.isVisible('#submit'));
    assert.ok(!(await page.isVisible('#next')));
    await p.axe('/ (review step)');

    const [post] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v1/reports') && r.request().method() === 'POST'),
      press(page, '#submit', 'Enter')
    ]);
    assert.equal(post.status(), 201, `POST /v1/reports: ${await post.text()}`);
    const sent = post.request().postDataJSON();
    assert.equal(sent.fraud_type, 'bank_helpdesk');
    assert.deepEqual(sent.loss, { amount_cents: 125000, currency: 'EUR', payment_method: 'bank_transfer' });
    assert.deepEqual(sent.identifiers, [
      { kind: 'iban', value: IBAN, role: 'beneficiary' },
      { kind: 'phone', value: PHONE, role: 'caller' }
    ]);
    assert.equal(sent.consent.bank, true);
    assert.equal(sent.consent.police, true);

    // The result: case code, advice, referrals.
    await page.locator('#result').waitFor({ state: 'visible' });
    assert.ok(!(await page.isVisible('#report-form')), 'the form is hidden after sending');
    assert.equal(await activeId(page), 'result-heading', 'focus moves to the result heading');
    const code = (await page.locator('#case-code').innerText()).trim();
    assert.match(code, CASE_CODE_RE, 'case code format');
    assert.equal(code, (await post.json()).case_code);
    shared.caseCode = code;
    assert.equal(await page.getAttribute('#case-link', 'href'), `/case#${code}`);
    const advice = page.locator('#advice-list > li');
    assert.ok(await advice.count() > 0, 'advice is shown');
    assert.ok((await advice.first().innerText()).trim().length > 10, 'advice has text');
    assert.ok(await page.locator('#advice-list .advice-item--urgent').count() > 0, 'an urgent advice item for a bank-helpdesk fraud');
    for (const r of ['bank', 'police']) {
      assert.equal(await page.locator(`#referrals li[data-recipient="${r}"]`).count(), 1, `referral to ${r}`);
    }
    assert.equal(await page.locator('#referrals li').count(), 2, 'only the recipients consented to');

    await p.axe('/ (after sending)');
    await screenshots(page, 'report-result');
    await p.assertClean('/ (report)');
  } finally {
    await p.close();
  }
});

test('case: open with the code, withdraw the bank consent, withdraw the report', async () => {
  const code = shared.caseCode;
  assert.ok(code, 'needs the case code of the report test');
  const p = await openPage();
  const { page } = p;
  try {
    await page.goto(`${BASE_URL}/case#${code}`);
    await page.locator('#case-view').waitFor({ state: 'visible' });
    assert.equal(await page.inputValue('#case-code-input'), code);
    assert.ok(!page.url().includes('#'), 'the code is removed from the address bar');
    assert.equal(await page.getAttribute('#case-status', 'data-status'), 'open');
    assert.equal((await page.locator('#case-status').innerText()).trim(), 'Open');
    const bank = page.locator('#referrals li[data-recipient="bank"] .referral-status');
    const police = page.locator('#referrals li[data-recipient="police"] .referral-status');
    assert.match(await bank.innerText(), /Wordt verstuurd|Afgeleverd/);
    assert.match(await police.innerText(), /Wordt verstuurd|Afgeleverd/);
    assert.ok(await page.isChecked('#consent-bank'));
    assert.ok(await page.isChecked('#consent-police'));
    assert.ok(await page.locator('#advice-list > li').count() > 0, 'advice on the case page');
    await p.axe('/case (open case)');
    await screenshots(page, 'case-open');

    // Withdraw the consent for the bank, with the keyboard.
    await press(page, '#consent-bank', 'Space');
    assert.ok(!(await page.isChecked('#consent-bank')));
    const [put] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/consent') && r.request().method() === 'PUT'),
      press(page, '#save-consent', 'Enter')
    ]);
    assert.ok(put.ok(), `PUT consent: ${put.status()}`);
    assert.equal(put.request().postDataJSON().bank, false);
    assert.equal(put.request().postDataJSON().police, true);
    await page.waitForFunction(() => {
      const n = document.querySelector('#referrals li[data-recipient="bank"] .referral-status');
      return n && /Geannuleerd/.test(n.textContent);
    });
    assert.match(await police.innerText(), /Wordt verstuurd|Afgeleverd/, 'the police referral stays');
    await page.locator('#consent-status').filter({ hasText: /\S/ }).waitFor();
    let c = await caseFromApi(page, code);
    assert.equal(c.referrals.find((r) => r.recipient === 'bank').status, 'cancelled');
    assert.notEqual(c.referrals.find((r) => r.recipient === 'police').status, 'cancelled');

    // Withdraw the report; the confirmation panel first, and "No" keeps it.
    await press(page, '#withdraw', 'Enter');
    await page.locator('#withdraw-panel').waitFor({ state: 'visible' });
    assert.equal(await page.getAttribute('#withdraw', 'aria-expanded'), 'true');
    assert.equal(await activeId(page), 'withdraw-panel-heading');
    await p.axe('/case (withdraw confirmation)');
    await press(page, '#withdraw-cancel', 'Enter');
    await page.locator('#withdraw-panel').waitFor({ state: 'hidden' });
    assert.equal(await activeId(page), 'withdraw');
    assert.equal((await caseFromApi(page, code)).status, 'open', 'cancel does not withdraw');

    await press(page, '#withdraw', 'Enter');
    const [del] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'DELETE'),
      press(page, '#withdraw-confirm', 'Enter')
    ]);
    assert.equal(del.status(), 204);
    await page.locator('#withdrawn-message').waitFor({ state: 'visible' });
    assert.match(await page.locator('#withdrawn-message').innerText(), /ingetrokken/);
    assert.ok(!(await page.isVisible('#case-view')));
    await screenshots(page, 'case-withdrawn-message');
    c = await caseFromApi(page, code);
    assert.equal(c.status, 'withdrawn');

    // Opened again, the case shows the status withdrawn.
    await page.goto('about:blank');
    await page.goto(`${BASE_URL}/case#${code}`);
    await page.locator('#case-view').waitFor({ state: 'visible' });
    assert.equal(await page.getAttribute('#case-status', 'data-status'), 'withdrawn');
    assert.equal((await page.locator('#case-status').innerText()).trim(), 'Ingetrokken');
    assert.ok(await page.isVisible('#case-withdrawn-note'));
    assert.ok(!(await page.isVisible('#withdraw-section')), 'no withdraw button on a withdrawn case');
    assert.ok(!(await page.isVisible('#consent-section')), 'no consent form on a withdrawn case');
    assert.match(await bank.innerText(), /Geannuleerd/);
    assert.match(await police.innerText(), /Geannuleerd/);
    await p.axe('/case (withdrawn case)');
    await screenshots(page, 'case-withdrawn');
    await p.assertClean('/case');
  } finally {
    await p.close();
  }
});

test('case: a mistyped code is refused next to the field without a request', async () => {
  const p = await openPage(VIEWPORTS.mobile);
  const { page } = p;
  try {
    await page.goto(`${BASE_URL}/case`);
    await page.locator('#consent-bank').waitFor({ state: 'attached' });
    let requests = 0;
    page.on('request', (r) => { if (r.url().includes('/v1/cases/')) requests++; });
    await typeInto(page, '#case-code-input', '7K3M-Q9TZ-2HXN-W4RA-CVEJ-8BPD-F6H');
    await page.keyboard.press('Enter');
    const summary = page.locator('#error-summary');
    await summary.waitFor({ state: 'visible' });
    assert.equal(await summary.getAttribute('role'), 'alert');
    assert.ok(await page.isVisible('#case-code-field-error'), 'inline error next to the code field');
    assert.equal(await page.getAttribute('#case-code-input', 'aria-invalid'), 'true');
    assert.equal(requests, 0, 'a code with a wrong check symbol is not sent');
    await p.axe('/case (code error)');
    await p.assertClean('/case (code error)');
  } finally {
    await p.close();
  }
});

test('report: an invalid IBAN is shown next to the field and in the error summary', async () => {
  const p = await openPage(VIEWPORTS.mobile);
  const { page } = p;
  p.expect(/HTTP 422 POST .*\/v1\/reports$/);
  p.expect(/console error: Failed to load resource: the server responded with a status of 422.*\/v1\/reports/);
  try {
    await loadReportForm(page);

    // A client-side check first: money lost but no amount.
    await press(page, '#fraud-type-bank_helpdesk', 'Space');
    await nextStep(page, 2);
    await press(page, '#lost-yes', 'Space');
    await press(page, '#next', 'Enter');
    const summary = page.locator('#error-summary');
    await summary.waitFor({ state: 'visible' });
    assert.equal(await summary.getAttribute('role'), 'alert');
    assert.equal(await activeId(page), 'error-summary', 'focus moves to the error summary');
    assert.ok(await page.isVisible('#amount-field-error'), 'inline error at the amount');
    assert.equal(await page.getAttribute('#amount', 'aria-invalid'), 'true');
    assert.match(await page.getAttribute('#amount', 'aria-describedby'), /amount-field-error/);
    assert.ok(await page.isVisible('#step-2'), 'still on step 2');
    await p.axe('/ (client-side error)');
    await screenshots(page, 'report-error-amount');
    await press(page, '#lost-no', 'Space');
    await nextStep(page, 3);
    assert.ok(!(await summary.isVisible()), 'the summary goes away once the step is right');

    // The server's check: an IBAN with a wrong checksum.
    await page.selectOption('#ident-1-kind', 'iban');
    await typeInto(page, '#ident-1-value', BAD_IBAN);
    await page.selectOption('#ident-1-role', 'beneficiary');
    await nextStep(page, 4);
    await nextStep(page, 5);
    await nextStep(page, 6);
    const [post] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v1/reports')),
      press(page, '#submit', 'Enter')
    ]);
    assert.equal(post.status(), 422);
    const problem = await post.json();
    assert.equal(post.headers()['content-type'].split(';')[0], 'application/problem+json');
    const message = problem.errors[0].message;
    assert.equal(problem.errors[0].field, 'identifiers[0].value');

    await summary.waitFor({ state: 'visible' });
    assert.equal(await summary.getAttribute('role'), 'alert');
    assert.ok((await summary.innerText()).includes(message), `the summary shows "${message}"`);
    const link = summary.locator('a[href="#ident-1-value"]');
    assert.equal(await link.count(), 1, 'the summary links to the IBAN field');
    assert.ok(await page.isVisible('#result') === false);

    // Following the link shows step 3 with the error next to the IBAN.
    await press(page, 'a[href="#ident-1-value"]', 'Enter');
    await page.locator('#step-3').waitFor({ state: 'visible' });
    assert.equal(await activeId(page), 'ident-1-value');
    const inline = page.locator('.field-error', { hasText: message });
    assert.equal(await inline.count(), 1, 'one inline error with the message');
    assert.ok(await inline.isVisible(), 'the inline error is visible');
    const errId = await inline.getAttribute('id');
    assert.equal(await page.getAttribute('#ident-1-value', 'aria-invalid'), 'true');
    assert.ok((await page.getAttribute('#ident-1-value', 'aria-describedby')).split(/\s+/).includes(errId),
      'the field is described by its error');
    assert.ok(await page.evaluate((id) => {
      const err = document.getElementById(id);
      return err.closest('.field') === document.getElementById('ident-1-value').closest('.field');
    }, errId), 'the error is in the same .field as the IBAN input');
    assert.equal(await page.inputValue('#ident-1-value'), BAD_IBAN, 'the value is kept for correction');
    await p.axe('/ (server-side error)');
    await screenshots(page, 'report-error-iban');
    await p.assertClean('/ (invalid IBAN)');
  } finally {
    await p.close();
  }
});

test('language: the English toggle switches the page to <html lang="en"> and back', async () => {
  const p = await openPage();
  const { page } = p;
  try {
    await loadReportForm(page);
    assert.equal(await page.getAttribute('html', 'lang'), 'nl');
    assert.equal((await page.locator('h1').innerText()).trim(), 'Melding maken');
    const toggle = page.locator('#lang-toggle');
    assert.equal((await toggle.innerText()).trim(), 'English');
    assert.equal(await toggle.getAttribute('lang'), 'en', 'the toggle label is marked as English');

    await press(page, '#lang-toggle', 'Enter');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.equal((await page.locator('h1').innerText()).trim(), 'Make a report');
    assert.equal((await toggle.innerText()).trim(), 'Nederlands');
    assert.equal(await toggle.getAttribute('lang'), 'nl');
    assert.match(await page.title(), /Signaal/);
    assert.doesNotMatch(await page.locator('#step-1').innerText(), /Wat is er gebeurd/, 'step 1 is in English');
    const label = (await page.locator('label[for="fraud-type-bank_helpdesk"]').innerText()).trim();
    assert.ok(label.length > 0);
    await p.axe('/ (English)');
    await screenshots(page, 'report-form-en');

    // The choice is remembered on the other pages.
    for (const [path, h1] of [['/advice', 'Advice after fraud'], ['/case', 'My report']]) {
      await page.goto(`${BASE_URL}${path}`);
      await page.waitForLoadState('networkidle');
      assert.equal(await page.getAttribute('html', 'lang'), 'en', `${path} stays English`);
      assert.equal((await page.locator('h1').innerText()).trim(), h1);
      await p.axe(`${path} (English)`);
    }
    await press(page, '#lang-toggle', 'Enter');
    await page.waitForFunction(() => document.documentElement.lang === 'nl');
    assert.equal((await page.locator('h1').innerText()).trim(), 'Mijn melding');
    await p.assertClean('language toggle');
  } finally {
    await p.close();
  }
});

// Three victims from different addresses (the server believes X-Forwarded-For
// from loopback in these tests) make an account number public in the check.
async function reportFrom(page, addr, iban) {
  const res = await page.request.post(`${BASE_URL}/v1/reports`, {
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': addr },
    data: { fraud_type: 'bank_helpdesk', identifiers: [{ kind: 'iban', value: iban, role: 'beneficiary' }] }
  });
  assert.equal(res.status(), 201, `report from ${addr}: ${await res.text()}`);
}

async function checkValue(page, kind, value) {
  await page.selectOption('#check-kind', kind);
  await page.fill('#check-value', value);
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/v1/check?')),
    press(page, '#check-submit', 'Enter')
  ]);
  return res;
}

test('check: unknown, invalid and reported account numbers', async () => {
  const p = await openPage(VIEWPORTS.mobile);
  const { page } = p;
  try {
    await page.goto(`${BASE_URL}/check`);
    await page.locator('#check-kind option[value="iban"]').waitFor({ state: 'attached' });

    // Nothing filled in: an error at the field, no request.
    await press(page, '#check-submit', 'Enter');
    await page.locator('#error-summary').waitFor({ state: 'visible' });
    assert.match(await page.locator('#error-summary').innerText(), /Vul in wat u wilt controleren/);
    assert.ok(await page.locator('#check-result').isHidden());

    // A wrong check digit: the server's reason, at the field.
    p.expect(/NL20INGB0001234568/);
    let res = await checkValue(page, 'iban', 'NL20INGB0001234568');
    assert.equal(res.status(), 400);
    await page.locator('#error-summary').waitFor({ state: 'visible' });
    assert.match(await page.locator('#error-summary').innerText(), /check digits|checksum/i);
    assert.ok(await page.locator('#check-result').isHidden());

    // Unknown: "no reports", with the warning that this is no proof of safety.
    res = await checkValue(page, 'iban', 'nl20 ingb 0001 2345 67');
    assert.equal(res.status(), 200);
    await page.locator('#check-result').waitFor({ state: 'visible' });
    assert.ok(await page.locator('#error-summary').isHidden(), 'the earlier error is gone');
    assert.equal((await page.locator('#check-heading').innerText()).trim(), 'Geen meldingen bekend');
    assert.match(await page.locator('#check-canonical').innerText(), /NL20INGB0001234567/);
    assert.match(await page.locator('#check-text').innerText(), /niet dat het veilig is/);
    assert.ok(await page.locator('#check-advice').isHidden());
    assert.doesNotMatch(page.url(), /INGB/i, 'the value stays out of the address bar');

    // Two reports are not enough for the public rule; the third is.
    const iban = 'NL39RABO0300065264';
    await reportFrom(page, '198.51.100.21', iban);
    await reportFrom(page, '198.51.100.22', iban);
    res = await checkValue(page, 'iban', iban);
    assert.equal((await res.json()).listed, false, 'two reports: not listed yet');
    await reportFrom(page, '198.51.100.23', 'NL39 RABO 0300 0652 64');
    res = await checkValue(page, 'iban', 'nl39rabo0300065264');
    assert.equal((await res.json()).listed, true);
    await page.locator('#check-heading', { hasText: 'Pas op' }).waitFor();
    assert.equal(await activeId(page), 'check-heading', 'focus moves to the answer');
    assert.match(await page.locator('#check-text').innerText(), /^3 meldingen, tussen /);
    assert.ok(await page.locator('#check-advice > li').count() > 0, 'advice with the warning');
    await p.axe('/check (reported)');
    await screenshots(page, 'check-reported');

    // The language switch asks again and shows the English answer.
    await press(page, '#lang-toggle', 'Enter');
    await page.locator('#check-heading', { hasText: 'Watch out' }).waitFor();
    assert.match(await page.locator('#check-text').innerText(), /^3 reports, between /);
    assert.equal(await page.locator('#check-kind option[value="iban"]').innerText(), 'Bank account number (IBAN)');
    await p.assertClean('/check');
  } finally {
    await p.close();
  }
});

/* Another well-formed code (Crockford base32, Luhn mod 32 check symbol): the first symbol changed. */
function otherCode(code) {
  const A = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const v = code.replace(/-/g, '').split('').map((c) => A.indexOf(c));
  v[0] = (v[0] + 1) % 8;
  let sum = 0;
  let factor = 2;
  for (let i = 25; i >= 0; i--) {
    const addend = factor * v[i];
    factor = factor === 2 ? 1 : 2;
    sum += Math.floor(addend / 32) + addend % 32;
  }
  v[26] = (32 - sum % 32) % 32;
  return v.map((x) => A[x]).join('').replace(/(.{4})(?!$)/g, '$1-');
}

test('subject: access request by keyboard, the code once, the status and an answer by code', async () => {
  const p = await openPage(VIEWPORTS.mobile);
  const { page } = p;
  try {
    await page.goto(`${BASE_URL}/subject`);
    await page.locator('#subject-kind option[value="iban"]').waitFor({ state: 'attached' });
    assert.ok(await page.locator('#subject-reason-field').isHidden(), 'no reason for an access request');

    // Nothing filled in: errors at the fields, no request.
    await press(page, '#subject-submit', 'Enter');
    await page.locator('#error-summary').waitFor({ state: 'visible' });
    assert.match(await page.locator('#error-summary').innerText(), /Vul uw gegeven in/);
    assert.match(await page.locator('#error-summary').innerText(), /e-mailadres of telefoonnummer/);

    // An objection asks for a reason.
    await press(page, '#subject-type-objection', 'Space');
    await page.locator('#subject-reason-field').waitFor({ state: 'visible' });
    await typeInto(page, '#subject-value', 'NL39 RABO 0300 0652 64');
    await typeInto(page, '#subject-contact', 'houder@example.org');
    await press(page, '#subject-submit', 'Enter');
    assert.match(await page.locator('#error-summary').innerText(), /waarom u bezwaar maakt/);
    await p.axe('/subject (errors)');

    // The server's field error: a wrong check digit.
    await press(page, '#subject-type-access', 'Space');
    assert.ok(await page.locator('#subject-reason-field').isHidden());
    p.expect(/422.*\/v1\/subject-requests/);
    await typeInto(page, '#subject-value', 'NL20INGB0001234568');
    let [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v1/subject-requests')),
      press(page, '#subject-submit', 'Enter')
    ]);
    assert.equal(res.status(), 422);
    await page.locator('#subject-value-field-error').waitFor();

    // An access request: the code, once, with the advice to keep it.
    await typeInto(page, '#subject-value', 'nl20 ingb 0001 2345 67');
    [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v1/subject-requests')),
      press(page, '#subject-submit', 'Enter')
    ]);
    assert.equal(res.status(), 202);
    await page.locator('#subject-sent').waitFor({ state: 'visible' });
    assert.equal(await activeId(page), 'subject-sent-heading', 'focus moves to the confirmation');
    const code = (await page.locator('#subject-code').innerText()).trim();
    assert.match(code, CASE_CODE_RE);
    assert.match(await page.locator('#subject-sent').innerText(), /maar één keer/);
    assert.ok(await page.locator('#request-section').isHidden(), 'the form is gone');
    await p.axe('/subject (sent)');
    await screenshots(page, 'subject-sent');

    // The status by code, typed without dashes in lower case.
    await typeInto(page, '#lookup-code', code.replace(/-/g, '').toLowerCase());
    await press(page, '#lookup-submit', 'Enter');
    await page.locator('#subject-view').waitFor({ state: 'visible' });
    assert.equal((await page.locator('#subject-view-status').innerText()).trim(), 'In behandeling');
    assert.equal((await page.locator('#subject-view-type').innerText()).trim(), 'Inzage');

    // An unknown code of the right form: 404, said at the field.
    const unknown = otherCode(code);
    p.expect(new RegExp(`/v1/subject-requests/${unknown}`));
    await typeInto(page, '#lookup-code', unknown);
    await press(page, '#lookup-submit', 'Enter');
    await page.locator('#error-summary', { hasText: 'Er is geen verzoek met deze code' }).waitFor();
    assert.ok(await page.locator('#subject-view').isHidden());

    // The code in the fragment opens the request and leaves the address bar.
    await page.goto(`${BASE_URL}/subject#${code}`);
    await page.locator('#subject-view').waitFor({ state: 'visible' });
    assert.doesNotMatch(page.url(), /#/, 'the code leaves the address bar');

    // An answer as the operator's `subject answer` stores it, shown in the page's language.
    await page.route(`${BASE_URL}/v1/subject-requests/${code}`, (route) => route.fulfill({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({
        type: 'access', kind: 'iban', status: 'answered', language: 'nl',
        created_at: '2026-11-20T10:00:00Z', updated_at: '2026-11-21T10:00:00Z', decision_reason: null,
        answer: {
          registered: true, kind: 'iban', status: 'reported', first_seen: '2026-11-01T09:00:00Z',
          last_seen: '2026-11-02T09:00:00Z', reports: 3, signals: 0, answered_at: '2026-11-21T10:00:00Z',
          recipients: [{ organisation: 'ABN AMRO', sector: 'bank', what: 'alert', at: '2026-11-01T09:00:01Z' },
            { organisation: '<b>x</b>', sector: '', what: 'lookup', at: '2026-11-03T09:00:01Z' }],
          text: 'Ja: ...'
        }
      })
    }));
    await press(page, '#lookup-submit', 'Enter');
    await page.locator('#subject-view-status', { hasText: 'Beantwoord' }).waitFor();
    assert.match(await page.locator('#subject-view-text').innerText(), /^Rekeningnummer \(IBAN\): ja, dit gegeven .* sinds 1 november 2026\. Meldingen: 3\./);
    assert.equal(await page.locator('#subject-view-recipients > li').count(), 2);
    assert.match(await page.locator('#subject-view-recipients').innerText(), /ABN AMRO \(bank\): een waarschuwing/);
    assert.equal(await page.locator('#subject-view-recipients b').count(), 0, 'names are text, never HTML');
    await p.axe('/subject (answered)');
    await screenshots(page, 'subject-answered');
    await press(page, '#lang-toggle', 'Enter');
    await page.locator('#subject-view-status', { hasText: 'Answered' }).waitFor();
    assert.match(await page.locator('#subject-view-recipients').innerText(), /ABN AMRO \(bank\): an alert/);
    await p.assertClean('/subject');
  } finally {
    await p.close();
  }
});

test('advice: choosing a fraud type shows advice', async () => {
  const p = await openPage(VIEWPORTS.mobile);
  const { page } = p;
  try {
    await page.goto(`${BASE_URL}/advice`);
    await page.locator('#advice-fraud-type option[value="bank_helpdesk"]').waitFor({ state: 'attached' });
    await page.focus('#advice-fraud-type');
    await page.selectOption('#advice-fraud-type', 'bank_helpdesk');
    await press(page, '#show-advice', 'Enter');
    await page.locator('#advice-result').waitFor({ state: 'visible' });
    assert.ok(await page.locator('#advice-list > li').count() > 0, 'advice items');
    assert.ok((await page.locator('#advice-heading').innerText()).trim().length > 0, 'a heading for the advice');
    await p.axe('/advice (with advice)');
    await screenshots(page, 'advice-result');
    await p.assertClean('/advice');
  } finally {
    await p.close();
  }
});

test('favicon: the site has an icon (no 404 for /favicon.ico in every browser)', async () => {
  const p = await openPage();
  try {
    await p.page.goto(`${BASE_URL}/`);
    const href = await p.page.evaluate(() => {
      const l = document.querySelector('link[rel~="icon"]');
      return l ? l.href : null;
    });
    const url = href || `${BASE_URL}/favicon.ico`;
    const res = await p.page.request.get(url);
    assert.ok(res.status() < 300, `GET ${url} answers ${res.status()}` +
      (href ? '' : ' and the pages declare no <link rel="icon">; browsers ask for /favicon.ico on every site and log the 404 as a console error'));
  } finally {
    await p.close();
  }
});

// ---------- main ----------

async function main() {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync']
  });
  let passed = 0;
  let failed = 0;
  for (const t of tests) {
    if (FILTER && !t.name.includes(FILTER)) continue;
    const started = Date.now();
    let timer;
    try {
      await Promise.race([
        t.fn(),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${TEST_TIMEOUT_MS} ms`)), TEST_TIMEOUT_MS); })
      ]);
      passed++;
      console.log(`ok   ${t.name} (${Date.now() - started} ms)`);
    } catch (err) {
      failed++;
      console.log(`FAIL ${t.name} (${Date.now() - started} ms)`);
      console.log(String(err && err.stack ? err.stack : err).split('\n').map((l) => `    ${l}`).join('\n'));
    } finally {
      clearTimeout(timer);
    }
  }
  await browser.close();
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
