// End-to-end: reclamation as an admin meets it in the demo. The policies page shows the two customer policies;
// the Zoom policy's dry run lists each seat with its reason, data source and saving; running it reclaims those
// seats, which the savings log then shows; a reclaimed seat is restored from the cases page; the holds page
// shows the demo's legal hold and takes a new blackout window. Screenshots on a desktop and on a phone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, login, newPage, startServer } from '../lib/harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
});

async function api(page, path) {
  return (await page.request.get(`${server.base}/api/v1${path}`)).json();
}

/// Rows of a CSV file (quoted cells, doubled quotes), without its byte-order mark.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') { quoted = false; } else { cell += c; }
    } else if (c === '"') { quoted = true; } else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\n') {
      row.push(cell); rows.push(row); row = []; cell = '';
    } else if (c !== '\r') { cell += c; }
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

test('a dry run shows why and what it saves; running it reclaims, the savings log shows it, a restore gives a seat back', async () => {
  const page = await newPage(browser, 'reclamation');
  await login(page, server.base, 'admin@example.com');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reclamation' }).click();
  await page.getByRole('heading', { name: 'Reclamation', level: 1 }).waitFor();
  const policies = page.locator('#policies tbody tr');
  assert.equal(await policies.count(), 2);
  await page.getByText('Dry run only').waitFor();
  await page.shot('policies');

  await page.getByRole('link', { name: /Remove Zoom after 90 days/ }).click();
  await page.getByRole('heading', { name: 'Dry run' }).waitFor();
  const findings = page.locator('#findings tbody tr');
  await findings.first().waitFor();
  const selected = await findings.count();
  assert.ok(selected > 0, 'the demo has idle Zoom seats');
  assert.match(await findings.first().innerText(), /No sign-in for \d+ days, since \d{4}-\d\d-\d\d \(limit 90\)|Never signed in/);
  assert.match(await findings.first().innerText(), /zoom-reports, read/);
  await page.shot('dry-run');

  const logBefore = (await api(page, '/savings?per_page=1')).total;
  // One click does nothing yet: it says what running will do, to whom and what it saves, and asks.
  await page.getByRole('button', { name: 'Run now' }).click();
  const confirm = page.getByRole('group', { name: 'Confirm' });
  assert.match(await confirm.innerText(), new RegExp(`takes the seats back for the ${selected} seats? of the dry run \\(.+\\), saving \\$[\\d,]+\\.\\d\\d a year\\. This happens at once; each seat can be restored within 30 days\\.`));
  await page.shot('run-confirm');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await api(page, '/savings?per_page=1')).total, logBefore, 'cancelled: nothing reclaimed');
  await page.getByRole('button', { name: 'Run now' }).click();
  await confirm.getByRole('button', { name: `Reclaim ${selected} seat${selected === 1 ? '' : 's'}` }).click();
  const banner = page.getByRole('status').filter({ hasText: 'Run done' });
  await banner.waitFor();
  assert.match(await banner.innerText(), new RegExp(`${selected} cases? opened, ${selected} reclaimed`));
  await page.getByText('Nothing to reclaim').waitFor();
  await page.shot('after-run');

  await page.getByRole('link', { name: 'Savings' }).click();
  await page.getByRole('heading', { name: 'Savings', level: 1 }).waitFor();
  await page.locator('#savings tbody tr').first().waitFor();
  assert.equal((await api(page, '/savings?per_page=1')).total, logBefore + selected);
  assert.ok(await page.locator('#savings-months tbody tr').count() >= 4, 'several months of savings');
  const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
  const csv = await page.request.get(new URL(href, server.base).toString());
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /^\uFEFFremoved_on,person,pool,person_department,pool_cost_centre,/);
  await page.shot('savings');

  // Filtered to a month, the export takes the filter and adds up to the page's figure, to the cent.
  await page.getByLabel('Month removed', { exact: true }).selectOption({ index: 1 });
  await page.waitForURL(/month=/);
  const month = new URL(page.url()).searchParams.get('month');
  const filtered = await api(page, `/savings?month=${month}`);
  const monthHref = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
  assert.match(monthHref, new RegExp(`month=${month}`));
  const rows = parseCsv(await (await page.request.get(new URL(monthHref, server.base).toString())).text()).slice(1);
  const cents = rows.reduce((sum, r) => sum + Math.round(Number(r[8]) * 100), 0);
  assert.equal(cents, filtered.totals.annual[0].amount_minor);
  await page.shot('savings-month');

  await page.getByRole('link', { name: 'Cases' }).click();
  await page.getByLabel('State').selectOption('reclaimed');
  await page.waitForURL(/state=reclaimed/);
  const restore = page.locator('#cases tbody tr').filter({ hasText: 'Zoom Workplace Business' }).first();
  const who = (await restore.locator('td').first().locator('a').innerText()).trim();
  await restore.getByRole('button', { name: 'Restore' }).click();
  await page.getByRole('status').filter({ hasText: `${who}'s seat of Zoom Workplace Business is back.` }).waitFor();
  await page.shot('restored');

  await page.getByRole('link', { name: 'Holds' }).click();
  await page.getByText('Litigation hold LT-2026-14').waitFor();
  await page.getByLabel('Pool', { exact: true }).selectOption({ label: 'Jira Software Premium' });
  await page.getByLabel('Reason').fill('Release freeze');
  await page.getByRole('button', { name: 'Place hold' }).click();
  await page.locator('#holds tbody tr').filter({ hasText: 'Release freeze' }).waitFor();
  await page.shot('holds');
  assert.deepEqual(page.scriptErrors, []);
});

test('the savings log and a dry run read on a phone', async () => {
  const phone = await newPage(browser, 'reclamation-phone', { width: 390, height: 844 });
  await login(phone, server.base, 'finance@example.com');
  await phone.goto(`${server.base}/savings`);
  await phone.locator('#savings tbody tr').first().waitFor();
  await phone.shot('savings');
  const policy = (await api(phone, '/reclamation/policies')).items.find((p) => p.enabled);
  await phone.goto(`${server.base}/reclamation/policies/${policy.id}`);
  await phone.locator('#findings tbody tr').first().waitFor();
  assert.equal(await phone.getByRole('button', { name: 'Run now' }).count(), 0, 'finance reads, does not run');
  await phone.shot('dry-run');
  assert.deepEqual(phone.scriptErrors, []);
});
