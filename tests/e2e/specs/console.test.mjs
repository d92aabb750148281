// End-to-end: the real server binary and the real app in headless Chromium, used the way people use them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launchBrowser, login, newPage, startServer } from '../lib/harness.mjs';

// Real export shapes, kept in the repository.
const hrSample = readFileSync(new URL('../../fixtures/samples/hr-export.csv', import.meta.url), 'utf8');
const graphSkus = readFileSync(new URL('../../fixtures/samples/graph-subscribed-skus.json', import.meta.url), 'utf8');
const graphUsers = readFileSync(new URL('../../fixtures/samples/graph-users.json', import.meta.url), 'utf8');
const snipeSample = readFileSync(new URL('../../fixtures/samples/snipeit-licenses.csv', import.meta.url), 'utf8');
const snipeMessy = readFileSync(new URL('../../fixtures/samples/snipeit-licenses-messy.csv', import.meta.url), 'utf8');
const hrWithErrors = readFileSync(new URL('../../fixtures/samples/hr-export-with-errors.csv', import.meta.url), 'utf8');

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

/// The texts of one column (from 1), not counting the rows' checkboxes (shown to those who may request changes).
async function columnTexts(page, index) {
  return page.locator('table.table tbody tr').evaluateAll((rows, i) => rows.map((r) =>
    [...r.querySelectorAll('td')].filter((td) => !td.classList.contains('select-cell'))[i - 1]?.innerText ?? ''), index);
}

test('a license owner sees their departments and the pools naming them, and filters by vendor, kept in the URL', async () => {
  const page = await newPage(browser, 'owner-inventory');
  await page.goto(`${server.base}/pools`);
  await page.waitForURL(/\/login\?next=/);
  await page.shot('login');
  await login(page, server.base, 'owner@example.com');
  await page.shot('inventory');
  const departments = (await columnTexts(page, 3)).map((t) => t.split('\n')[0]);
  assert.ok(departments.length > 0);
  // Design and Engineering are theirs; IT Operations only for the pools that name them as owner.
  assert.deepEqual([...new Set(departments)].sort(), ['Design', 'Engineering', 'IT Operations']);
  await assert.doesNotReject(page.getByText('Showing 1–19 of 19 pools').waitFor());

  await page.getByLabel('Vendor').selectOption({ label: 'GitHub' });
  await page.waitForURL(/vendor_id=\d+/);
  await page.getByText('Showing 1–2 of 2 pools').waitFor();
  assert.deepEqual([...new Set((await columnTexts(page, 2)))], ['GitHub']);
  await page.shot('filtered');

  const url = page.url();
  await page.reload();
  await page.getByText('Showing 1–2 of 2 pools').waitFor();
  assert.equal(page.url(), url);
  assert.equal(await page.getByLabel('Vendor').evaluate((s) => s.options[s.selectedIndex].text), 'GitHub');
  await page.shot('reloaded');

  // Sorting is a button in the column header and lands in the URL too.
  await page.getByRole('button', { name: /Annual cost/ }).click();
  await page.waitForURL(/sort=annual_cost/);
  assert.deepEqual(page.scriptErrors, []);
});

test('a pool page shows seats and history; a negative seat count is refused next to the field', async () => {
  const page = await newPage(browser, 'owner-pool');
  await login(page, server.base, 'owner@example.com');
  await page.getByRole('link', { name: 'Jira Software Premium' }).click();
  await page.waitForURL(/\/pools\/\d+$/);
  await page.getByRole('heading', { name: 'Jira Software Premium' }).waitFor();
  await page.getByRole('heading', { name: /Seats \(88\)/ }).waitFor();
  assert.ok(await page.locator('section[aria-labelledby=seats-h] tbody tr').count() > 10);
  await page.getByText('Created the pool').waitFor();
  await page.shot('pool');

  await page.getByRole('link', { name: 'Edit pool' }).click();
  await page.getByLabel('Seats purchased').fill('-5');
  await page.shot('edit-negative');
  await page.getByRole('button', { name: 'Save changes' }).click();
  const message = page.locator('#err-seats_purchased');
  await message.waitFor();
  assert.equal(await message.innerText(), 'must be 0 or more');
  assert.equal(await page.getByLabel('Seats purchased').getAttribute('aria-invalid'), 'true');
  await page.shot('edit-error');

  // The corrected value saves, and the history shows the change.
  await page.getByLabel('Seats purchased').fill('110');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.waitForURL(/\/pools\/\d+$/);
  await page.getByText('Edited the pool').waitFor();
  await page.getByText('88 / 110 (80%)').first().waitFor();
  await page.shot('saved');
  assert.deepEqual(page.scriptErrors, []);
});

test('two people edit one pool at once: the later save is refused with a clear message and keeps what was typed', async () => {
  const first = await newPage(browser, 'stale-first');
  const second = await newPage(browser, 'stale-second');
  for (const page of [first, second]) {
    await login(page, server.base, 'owner@example.com');
    await page.getByRole('link', { name: 'Figma Organization' }).click();
    await page.waitForURL(/\/pools\/\d+$/);
    await page.getByRole('link', { name: 'Edit pool' }).click();
    await page.getByLabel('Seats purchased').waitFor();
  }
  await first.getByLabel('Seats purchased').fill('61');
  await first.getByRole('button', { name: 'Save changes' }).click();
  await first.waitForURL(/\/pools\/\d+$/);
  await first.getByText(/Edited the pool: seats purchased \d+ → 61/).waitFor();

  await second.getByLabel('Seats purchased').fill('75');
  await second.getByRole('button', { name: 'Save changes' }).click();
  await second.getByText('Someone else changed this record since you opened it.').waitFor();
  assert.equal(await second.getByLabel('Seats purchased').inputValue(), '75');
  assert.match(second.url(), /\/edit$/);
  await second.shot('stale');
  assert.deepEqual([...first.scriptErrors, ...second.scriptErrors], []);
});

test('a new pool with a negative seat count shows the server error beside the field', async () => {
  const page = await newPage(browser, 'owner-new-pool');
  await login(page, server.base, 'owner@example.com');
  await page.getByRole('link', { name: 'New pool' }).click();
  await page.getByLabel('Pool name').fill('Sentry Business');
  await page.getByLabel('Product').selectOption({ label: 'Datadog — Datadog' });
  await page.getByLabel('Seats purchased').fill('-3');
  await page.getByLabel('Unit cost').fill('26.00');
  await page.getByLabel('Cost centre').selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Create pool' }).click();
  await page.locator('#err-seats_purchased').waitFor();
  assert.equal(await page.locator('#err-seats_purchased').innerText(), 'must be 0 or more');
  await page.shot('error');
  await page.getByLabel('Seats purchased').fill('12');
  await page.getByRole('button', { name: 'Create pool' }).click();
  await page.getByRole('heading', { name: 'Sentry Business' }).waitFor();
  await page.shot('created');
});

test('an owner reassigns a seat from someone who left; the pool page updates its figures and history', async () => {
  const page = await newPage(browser, 'owner-reassign');
  await login(page, server.base, 'owner@example.com');
  await page.getByRole('link', { name: 'JetBrains All Products Pack' }).click();
  await page.getByRole('heading', { name: 'JetBrains All Products Pack' }).waitFor();
  const marked = Number(await page.locator('#marked-count').innerText());
  assert.ok(marked > 0, 'demo leavers hold JetBrains seats');
  const utilization = await page.locator('.card .util-label').innerText();
  await page.shot('before');

  // Someone from Sales does not hold a JetBrains seat yet.
  const departments = await (await page.request.get(`${server.base}/api/v1/departments`)).json();
  const sales = departments.find((d) => d.name === 'Sales').id;
  const people = await (await page.request.get(`${server.base}/api/v1/people?department_id=${sales}&status=active&per_page=1`)).json();
  const newcomer = people.items[0];

  const row = page.locator('tbody tr', { has: page.getByText('Marked for reclamation') }).first();
  const leaver = (await row.locator('td:not(.select-cell)').first().innerText()).split('\n')[0];
  await row.getByRole('button', { name: 'Reassign' }).click();
  await page.getByLabel('Reassign to').fill(newcomer.name);
  await page.shot('picker');
  await page.getByRole('button', { name: new RegExp(newcomer.email.replace('.', '\\.')) }).click();
  await page.getByText(`Seat reassigned to ${newcomer.name}.`).waitFor();
  await page.locator('#marked-count', { hasText: String(marked - 1) }).waitFor();
  assert.equal(await page.locator('.card .util-label').innerText(), utilization, 'the seat count is unchanged');
  await page.getByText(`Reassigned the seat of ${leaver} to ${newcomer.name}`).waitFor();
  await page.shot('after');
  assert.deepEqual(page.scriptErrors, []);
});

test('the people directory filters leavers who still hold seats; an admin terminates someone and their seats are reclaimed', async () => {
  const page = await newPage(browser, 'admin-people');
  await login(page, server.base, 'admin@example.com');
  await page.getByRole('link', { name: 'People' }).click();
  await page.getByRole('heading', { name: 'People' }).waitFor();
  await page.getByLabel('Status').selectOption('terminated');
  await page.getByLabel('Holds seats').check();
  await page.waitForURL(/status=terminated.*holds_seats=true|holds_seats=true.*status=terminated/);
  await page.locator('.row-count').waitFor();
  await page.shot('leavers');
  // The first column is the row's checkbox (for a change request).
  const statuses = await page.locator('tbody td:nth-child(4)').allInnerTexts();
  assert.ok(statuses.length > 0 && statuses.every((s) => s.includes('Terminated')), statuses.join(','));

  // An active person with seats: terminate them from their page.
  await page.getByLabel('Status').selectOption('active');
  await page.waitForURL(/status=active/);
  await page.locator('tbody tr', { hasNotText: /\b0$/ }).first().waitFor();
  await page.locator('tbody tr a.row-link').first().click();
  await page.getByRole('heading', { name: 'Seats held' }).waitFor();
  await page.locator('section[aria-labelledby=held-h] tbody tr').first().waitFor();
  await page.shot('person');
  // One click asks first, saying what will happen to their seats.
  await page.getByRole('button', { name: 'Mark as terminated' }).click();
  const confirm = page.getByRole('group', { name: 'Confirm' });
  assert.match(await confirm.innerText(), /as terminated now\? Their (\d+ seats are|seat is) taken back at once/);
  await page.shot('confirm-terminate');
  await confirm.getByRole('button', { name: 'Mark as terminated' }).click();
  await page.getByText('Changed status from active to terminated').waitFor();
  // Offboarding: with no hold on them, every seat is reclaimed in the same change, each by a case.
  const personId = Number(page.url().match(/\/people\/(\d+)/)[1]);
  await page.locator('section[aria-labelledby=held-h] tbody tr').first().waitFor({ state: 'detached' });
  const cases = await (await page.request.get(`${server.base}/api/v1/reclamation/cases?person_id=${personId}`)).json();
  assert.ok(cases.total > 0 && cases.items.every((c) => c.state === 'reclaimed' && c.origin === 'offboarding'), JSON.stringify(cases.items));
  await page.shot('terminated');
  assert.deepEqual(page.scriptErrors, []);
});

test('an HR export with two bad rows: the valid rows are applied on request, the skipped ones downloaded, and the history links to what was created', async () => {
  const page = await newPage(browser, 'admin-hr-import');
  await login(page, server.base, 'admin@example.com');
  const countPeople = async () => (await (await page.request.get(`${server.base}/api/v1/people?per_page=1`)).json()).total;
  const before = await countPeople();
  await page.getByRole('link', { name: 'Import', exact: true }).click();
  await page.getByRole('heading', { name: 'Import', exact: true }).waitFor();

  await page.getByLabel('People export (CSV)').setInputFiles({ name: 'hr-export-with-errors.csv', mimeType: 'text/csv', buffer: Buffer.from(hrWithErrors) });
  await page.getByRole('button', { name: 'Upload and preview' }).click();
  await page.getByRole('heading', { name: '2 rows need fixing' }).waitFor();
  const errors = await page.locator('#import-errors tbody tr').allInnerTexts();
  assert.equal(errors.length, 2);
  assert.match(errors[0], /^2\s+3\s+email\s+.*not an email address/);
  assert.match(errors[1], /^5\s+6\s+start_date\s+.*not a date/);
  await page.getByText('Nothing is imported while rows are in error.').waitFor();
  await page.shot('errors');
  assert.equal(await countPeople(), before, 'a preview with errors imports nothing');
  assert.equal(await page.getByRole('button', { name: 'Apply import' }).count(), 0, 'all-or-nothing cannot apply a file in error');
  const download = page.getByRole('link', { name: 'Download the 2 rows in error (CSV)' });
  const csv = await (await page.request.get(new URL(await download.getAttribute('href'), server.base).href)).text();
  const lines = csv.trim().split('\n');
  assert.equal(lines.length, 3, csv);
  assert.match(lines[0], /,end_date,error$/);
  assert.match(lines[1], /^E1002,Omar,.*,"email: ""omar\.haddad-at-example"" is not an email address"$/);

  await page.getByRole('button', { name: 'Apply the 7 valid rows, skip 2' }).click();
  await page.getByText('Imported hr-export-with-errors.csv: 7 created, 0 updated, 0 unchanged. 2 rows in error skipped.').waitFor();
  await page.getByRole('link', { name: 'Download the 2 skipped rows (CSV)' }).waitFor();
  await page.shot('skipped');
  assert.equal(await countPeople(), before + 7);

  // The corrected full export brings in the two rows that were skipped.
  await page.getByLabel('People export (CSV)').setInputFiles({ name: 'hr-export.csv', mimeType: 'text/csv', buffer: Buffer.from(hrSample) });
  await page.getByRole('button', { name: 'Upload and preview' }).click();
  await page.getByRole('heading', { name: 'Preview' }).waitFor();
  await page.shot('preview');
  await page.getByRole('button', { name: 'Apply import' }).click();
  await page.getByText('Imported hr-export.csv: 2 created, 0 updated, 7 unchanged.').waitFor();
  await page.shot('applied');
  assert.equal(await countPeople(), before + 9);

  // The history: both imports, newest first, each linking to the people it created.
  await page.getByRole('link', { name: 'Import history' }).first().click();
  await page.getByRole('heading', { name: 'Import history' }).waitFor();
  const rows = page.locator('#import-history tbody tr');
  await rows.first().waitFor();
  const first = await rows.nth(0).innerText();
  assert.match(first, /hr-export\.csv\s+admin@example\.com\s+Applied\s+9 rows, 2 created, 0 updated, 7 unchanged/);
  assert.match(await rows.nth(1).innerText(), /hr-export-with-errors\.csv.*Applied.*2 skipped.*7 people/s);
  await page.shot('history');
  await rows.nth(0).getByRole('link', { name: '2 people' }).click();
  await page.waitForURL(/\/people\?import_id=\d+/);
  await page.getByText(/Only the people import #\d+ created or changed/).waitFor();
  await page.getByText('Showing 1–2 of 2 people').waitFor();
  assert.deepEqual((await page.locator('table.table tbody tr a.row-link').allInnerTexts()).sort(), ['Lea Left', 'Omar Haddad']);
  await page.shot('created-people');
  await page.getByRole('button', { name: 'Show all people' }).click();
  await page.waitForURL((url) => !url.search.includes('import_id'));
  assert.deepEqual(page.scriptErrors, []);
});

test('a Snipe-IT export becomes pools and seats, updating the pools that exist, with every problem a sentence', async () => {
  const page = await newPage(browser, 'admin-snipeit-import');
  await login(page, server.base, 'admin@example.com');
  await page.goto(`${server.base}/imports`);
  await page.getByLabel('Licenses and seats from Snipe-IT').check();
  await page.getByLabel('Snipe-IT license export (CSV)').setInputFiles({ name: 'snipeit-licenses.csv', mimeType: 'text/csv', buffer: Buffer.from(snipeSample) });
  // Without a department: the form says what to choose, beside the field, in a sentence.
  await page.getByRole('button', { name: 'Upload and preview' }).click();
  await page.getByText('Choose the department that will own the imported pools.').first().waitFor();
  assert.equal(await page.getByText(/deserialize|missing field/i).count(), 0, 'no raw deserializer message');
  await page.shot('no-department');
  await page.getByLabel('Owning department').selectOption({ label: 'IT Operations' });
  await page.getByLabel('Cost centre').selectOption({ label: 'CC-100 Technology' });
  await page.getByRole('button', { name: 'Upload and preview' }).click();
  await page.getByRole('heading', { name: 'Preview' }).waitFor();
  await page.getByRole('heading', { name: '2 existing pools will be updated' }).waitFor();
  const changes = await page.locator('#pool-changes tbody tr').allInnerTexts();
  assert.ok(changes.some((c) => /^Zoom Workplace Business\s+Unit cost\s+21\.99 USD per seat per month\s+18\.32 USD per seat per year$/.test(c)), changes.join('\n'));
  await page.getByText(/Ignored \(Seatwise does not keep them\): .*reassignable/).waitFor();
  await page.getByText('How costs were read (4 licenses)').click();
  await page.getByText(/^Adobe Creative Cloud All Apps: purchase cost 54\.99 USD read as the price of one seat for a year/).waitFor();
  await page.shot('preview');
  await page.getByRole('button', { name: 'Apply import' }).click();
  await page.getByText(/Imported snipeit-licenses\.csv: 2 pools created, 2 pools updated and 5 seats created/).waitFor();
  await page.shot('applied');
  await page.getByRole('link', { name: 'Inventory' }).click();
  await page.getByLabel('Search pools').fill('Visio Plan 2');
  await page.getByLabel('Search pools').press('Enter');
  await page.getByRole('link', { name: 'Microsoft Visio Plan 2' }).waitFor();

  // A messy export: empty manufacturer, `sometimes`, unknown columns: warnings, and the import goes ahead.
  await page.goto(`${server.base}/imports`);
  await page.getByLabel('Licenses and seats from Snipe-IT').check();
  await page.getByLabel('Owning department').selectOption({ label: 'IT Operations' });
  await page.getByLabel('Cost centre').selectOption({ label: 'CC-100 Technology' });
  await page.getByLabel('Snipe-IT license export (CSV)').setInputFiles({ name: 'snipeit-licenses-messy.csv', mimeType: 'text/csv', buffer: Buffer.from(snipeMessy) });
  await page.getByRole('button', { name: 'Upload and preview' }).click();
  await page.getByRole('heading', { name: '5 values were not understood: the import goes ahead without them' }).waitFor();
  const warnings = await page.locator('#import-warnings tbody tr').allInnerTexts();
  assert.match(warnings[0], /^3\s+4\s+Manufacturer\s+is empty: "Sublime Text" is filed under the vendor “Unknown vendor”$/);
  assert.match(warnings[1], /^5\s+6\s+Expiration Date\s+2024-07-01 is before the purchase date 2024-07-06: the expiration was dropped$/);
  await page.shot('warnings');
  await page.getByRole('button', { name: 'Apply import' }).click();
  await page.getByText(/Imported snipeit-licenses-messy\.csv: 4 pools created/).waitFor();
  await page.getByRole('link', { name: '4 pools' }).click();
  await page.waitForURL(/\/pools\?import_id=\d+/);
  await page.getByText('Showing 1–4 of 4 pools').waitFor();
  await page.shot('created-pools');
  assert.deepEqual(page.scriptErrors, []);
});

test('Microsoft 365: SKUs are mapped to a pool in the UI and a Graph users export turns licenses into seats', async () => {
  const page = await newPage(browser, 'admin-graph-import');
  await login(page, server.base, 'admin@example.com');
  await page.goto(`${server.base}/imports`);
  await page.getByText('Microsoft 365 SKU mappings').click();
  await page.getByLabel('subscribedSkus export (JSON)').setInputFiles({ name: 'skus.json', mimeType: 'application/json', buffer: Buffer.from(graphSkus) });
  await page.getByRole('button', { name: 'Read SKUs' }).click();
  await page.getByLabel('Pool for ENTERPRISEPACK').waitFor();
  // Listen before choosing: the save can answer before a listener set up afterwards would see it.
  const saved = page.waitForResponse((r) => r.url().includes('/api/v1/sku-mappings/ENTERPRISEPACK'));
  await page.getByLabel('Pool for ENTERPRISEPACK').selectOption({ label: 'Microsoft 365 E3' });
  const response = await saved;
  assert.ok(response.ok(), `mapping saved: ${response.status()} ${await response.text()}`);
  await page.shot('mappings');
  await page.getByLabel('Microsoft 365 users (Graph export)').check();
  await page.getByLabel('Graph users export (JSON)').setInputFiles({ name: 'graph-users.json', mimeType: 'application/json', buffer: Buffer.from(graphUsers) });
  await page.getByRole('button', { name: 'Upload and preview' }).click();
  await page.getByRole('heading', { name: 'Preview' }).waitFor();
  await page.getByText(/Not mapped to a pool.*SPE_E5/).waitFor();
  await page.shot('preview');
  await page.getByRole('button', { name: 'Apply import' }).click();
  await page.getByText(/Imported graph-users\.json: \d+ people created, \d+ updated, [1-9]\d* seats created\./).waitFor();
  await page.shot('applied');
  assert.deepEqual(page.scriptErrors, []);
});

test('an owner sees what needs attention on My licenses', async () => {
  const page = await newPage(browser, 'owner-my-licenses');
  await login(page, server.base, 'owner@example.com');
  await page.getByRole('link', { name: 'My licenses' }).click();
  await page.getByRole('heading', { name: 'My licenses' }).waitFor();
  const row = page.locator('#my-licenses tbody tr', { hasText: 'JetBrains All Products Pack' });
  await row.waitFor();
  assert.match(await row.innerText(), /Over-assigned/);
  await page.shot('list');
});

test('an owner registers a device used by a colleague', async () => {
  const page = await newPage(browser, 'owner-devices');
  await login(page, server.base, 'owner@example.com');
  await page.getByRole('link', { name: 'Devices' }).click();
  await page.getByRole('heading', { name: 'Devices', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Register device' }).click();
  await page.locator('#err-asset_tag').waitFor();
  await page.getByLabel('Asset tag').fill('NW-LT-0100');
  await page.getByLabel('Name', { exact: true }).fill('CAD workstation');
  await page.getByLabel('Used by (optional)').fill('Olivia');
  await page.locator('.picker-option').first().click();
  await page.getByRole('button', { name: 'Register device' }).click();
  await page.locator('#devices tbody tr', { hasText: 'NW-LT-0100' }).waitFor();
  await page.shot('registered');
  assert.deepEqual(page.scriptErrors, []);
});

test('finance sees costs across all departments but no edit controls', async () => {
  const page = await newPage(browser, 'finance');
  await login(page, server.base, 'finance@example.com');
  // Every department's pools (40 in the demo, more if an earlier test created one).
  const count = await page.locator('.row-count').innerText();
  assert.ok(Number(count.match(/of (\d+) pools/)[1]) >= 40, count);
  // Each in its pool's own currency (the demo prices a few pools in euros and pounds).
  const costs = await columnTexts(page, 6);
  assert.ok(costs.every((c) => /[$€£][\d,]+\.\d\d/.test(c)), costs.join(' | '));
  assert.equal(await page.getByRole('link', { name: 'New pool' }).count(), 0);
  await page.shot('inventory');
  await page.getByRole('link', { name: 'Sales Cloud Enterprise' }).click();
  await page.getByRole('heading', { name: 'Sales Cloud Enterprise' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Edit pool' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Unassign' }).count(), 0);
  await page.shot('pool');
});

test('an admin verifies the ledger', async () => {
  const page = await newPage(browser, 'admin-ledger');
  await login(page, server.base, 'admin@example.com');
  await page.getByRole('link', { name: 'Audit ledger' }).click();
  await page.getByRole('heading', { name: 'Audit ledger' }).waitFor();
  await page.getByRole('button', { name: 'Verify ledger' }).click();
  const banner = page.locator('.banner-ok');
  await banner.waitFor();
  assert.match(await banner.innerText(), /All \d+ entries verified\./);
  await page.shot('verified');
});

test('keyboard and small screens: skip link, focus order, readable on a phone', async () => {
  const page = await newPage(browser, 'mobile', { width: 390, height: 844 });
  await login(page, server.base, 'owner@example.com');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  await page.keyboard.press('Enter');
  await page.shot('inventory');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page scrolls sideways by ${overflow}px`);
});
