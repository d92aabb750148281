// End-to-end: finance as it meets the console. Finance lands on the dashboard, whose figures equal the API's;
// filters to one cost centre; clicks that cost centre's bar and lands on the pools behind it; downloads the
// workbook, which openpyxl (pinned, an independent reader) opens with numbers stored as numbers, equal to the
// page. Screenshots on a desktop and a phone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { launchBrowser, newPage, signIn, startServer } from '../lib/harness.mjs';

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

/// "$1,234.56" as the page writes US dollars.
function usd(minor) {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}$${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}

function readXlsx(path) {
  const python = process.env.XLSX_PYTHON
    ?? join(dirname(process.env.SEATWISE_BIN), '..', 'tools', 'xlsx-venv', 'bin', 'python');
  const script = join(dirname(new URL(import.meta.url).pathname), '..', 'lib', 'read_xlsx.py');
  return JSON.parse(execFileSync(python, [script, path], { encoding: 'utf8' }));
}

test('finance lands on the dashboard, drills from a bar to the pools behind it and takes the workbook away', async () => {
  const page = await newPage(browser, 'finance-dashboard', { width: 1440, height: 900 });
  const landed = new URL(await signIn(page, server.base, 'finance@example.com'));
  assert.equal(landed.pathname, '/finance', 'finance starts on its dashboard');
  await page.getByRole('heading', { name: 'Finance', level: 1 }).waitFor();
  await page.locator('#spend-by-cost-centre tbody tr').first().waitFor();
  const all = await api(page, '/finance/summary');
  const figure = (label) => page.locator('.card', { has: page.locator('.stat-label', { hasText: label }) }).locator('.stat-value');
  assert.equal((await figure('Annual spend').innerText()).trim(), usd(all.totals.annual_spend.amount_minor));
  assert.equal((await figure('Waste').innerText()).trim(), usd(all.totals.waste_annual.amount_minor));
  assert.equal(await page.locator('#spend-by-cost-centre tbody tr').count(), all.by_cost_centre.length);
  assert.ok(all.rates.length >= 2, 'the demo converts EUR and GBP');
  assert.equal(await page.locator('#rates tbody tr').count(), all.rates.length, 'each rate used is shown');
  assert.equal(await page.locator('#spend-over-time tbody tr').count(), 12, 'a year of spend');
  await page.shot('dashboard');

  // One cost centre: the figures follow the filter, and its bar leads to its pools.
  const technology = all.by_cost_centre.find((c) => c.code === 'CC-100');
  await page.getByLabel('Cost centre', { exact: true }).selectOption(String(technology.id));
  await page.waitForURL((url) => url.searchParams.get('cost_centre_id') === String(technology.id));
  await page.waitForFunction(() => document.querySelectorAll('#spend-by-cost-centre tbody tr').length === 1);
  await page.locator('#spend-by-cost-centre tbody tr', { hasText: 'CC-100' }).waitFor();
  assert.equal((await figure('Annual spend').innerText()).trim(), usd(technology.annual_spend.amount_minor));
  await page.getByText('Over budget').or(page.locator('#budgets')).first().waitFor();
  await page.shot('one-cost-centre');
  await page.locator('#spend-by-cost-centre').getByRole('link', { name: /CC-100/ }).click();
  await page.waitForURL((url) => url.pathname === '/finance/pools' && url.searchParams.get('cost_centre_id') === String(technology.id));
  await page.locator('#finance-pools tbody tr').first().waitFor();
  const behind = await api(page, `/finance/pools?cost_centre_id=${technology.id}&per_page=100`);
  assert.equal(behind.total, technology.pools);
  assert.equal(await page.locator('#finance-pools tbody tr').count(), behind.items.length);
  const sum = behind.items.reduce((s, p) => s + (p.annual_spend?.amount_minor ?? 0), 0);
  assert.equal(sum, technology.annual_spend.amount_minor, 'the pools add up to the bar');
  await page.shot('pools-behind');
  // A pool leads on to its seats.
  const first = behind.items[0];
  await page.locator('#finance-pools').getByRole('link', { name: first.name, exact: true }).click();
  await page.waitForURL(new RegExp(`/pools/${first.id}$`));
  await page.goBack();

  // The workbook, as downloaded from the dashboard with the filter on.
  await page.goto(`${server.base}/finance?cost_centre_id=${technology.id}`);
  await page.locator('#spend-by-cost-centre tbody tr').first().waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export XLSX' }).click(),
  ]);
  const file = join(process.env.SCREENSHOTS ?? '/tmp', 'finance-export.xlsx');
  await download.saveAs(file);
  const book = readXlsx(file);
  for (const sheet of ['Summary', 'Departments', 'Products', 'Cost centres', 'Vendors', 'Pools', 'Renewals', 'Chargeback', 'Rates']) {
    assert.ok(book.sheets.includes(sheet), `a ${sheet} sheet`);
    assert.equal(book.frozen[sheet], 'A2', `${sheet} keeps its header in view`);
  }
  const summaryRow = (label) => book.rows.Summary.find((r) => r[0][1] === label);
  const [type, value] = summaryRow('Annual spend')[1];
  assert.equal(type, 'n', 'a number, not text');
  assert.equal(Math.round(value * 100), technology.annual_spend.amount_minor, 'the same as the page');
  const cc = book.rows['Cost centres'].slice(1);
  assert.deepEqual(cc.map((r) => r[0][1]), ['CC-100']);
  assert.equal(Math.round(cc[0][2][1] * 100), technology.annual_spend.amount_minor);
  const pools = book.rows.Pools.slice(1);
  assert.equal(pools.length, technology.pools);
  const spendCol = book.rows.Pools[0].findIndex((c) => c[1] === 'annual_spend');
  assert.ok(pools.every((r) => r[spendCol][0] === 'n'), 'every amount is a number');
  const booked = pools.reduce((s, r) => s + Math.round(r[spendCol][1] * 100), 0);
  assert.equal(booked, technology.annual_spend.amount_minor, 'the pool sheet adds up to the summary');
  assert.match(book.formats.Pools[spendCol], /#,##0\.00/, 'shown in the currency format');
  const cancelCol = book.rows.Pools[0].findIndex((c) => c[1] === 'cancel_by');
  assert.ok(pools.some((r) => r[cancelCol][0] === 'd'), 'dates are date cells');
  assert.deepEqual(page.scriptErrors, []);
});

test('the dashboard on a phone keeps the figures in view', async () => {
  const page = await newPage(browser, 'finance-phone', { width: 390, height: 844 });
  await signIn(page, server.base, 'finance@example.com');
  await page.locator('#spend-by-cost-centre tbody tr').first().waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling (${width}px)`);
  await page.shot('dashboard');
  await page.goto(`${server.base}/finance/pools?position=waste&sort=-waste_annual`);
  await page.locator('#finance-pools tbody tr').first().waitFor();
  await page.shot('waste');
  assert.deepEqual(page.scriptErrors, []);
});

test('a cost centre: finance sets its budget and reads what it owes for a month', async () => {
  const page = await newPage(browser, 'finance-cost-centre', { width: 1440, height: 900 });
  await signIn(page, server.base, 'finance@example.com');
  const summary = await api(page, '/finance/summary');
  const marketing = summary.by_cost_centre.find((c) => c.code === 'CC-300');
  await page.goto(`${server.base}/finance`);
  await page.locator('#budgets').getByRole('link', { name: /CC-300/ }).click();
  await page.waitForURL(new RegExp(`/finance/cost-centres/${marketing.id}$`));
  await page.getByRole('heading', { name: 'CC-300 Marketing', level: 1 }).waitFor();
  await page.locator('#chargeback tbody tr').first().waitFor();
  const statement = await api(page, `/finance/chargeback?cost_centre_id=${marketing.id}`);
  const lines = statement.items.flatMap((i) => i.lines);
  assert.equal(await page.locator('#chargeback tbody tr').count(), lines.length);
  assert.equal((await page.locator('#chargeback tfoot .money').innerText()).trim(), usd(statement.total.amount_minor));
  await page.shot('statement');
  // Its people: how many, and the directory filtered to them.
  const people = await api(page, `/people?cost_centre_id=${marketing.id}&per_page=1`);
  const card = page.locator('a.card', { has: page.locator('.stat-label', { hasText: 'People' }) });
  assert.equal((await card.locator('.stat-value').innerText()).trim(), people.total.toLocaleString('en-US'));
  // A budget: a bad amount is refused by field; a good one is saved and the projection compared with it.
  await page.getByLabel('Budget (USD)').fill('lots');
  await page.getByRole('button', { name: 'Save budget' }).click();
  await page.getByText('must be an amount such as 250000.00').waitFor();
  await page.getByLabel('Budget (USD)').fill('50000.00');
  await page.getByRole('button', { name: 'Save budget' }).click();
  await page.getByText('Budget saved.').waitFor();
  await page.getByText(/against a budget of \$50,000\.00/).waitFor();
  const after = (await api(page, '/finance/budgets')).find((b) => b.cost_centre.id === marketing.id);
  assert.equal(after.amount.amount_minor, 5_000_000);
  // Last month's statement, from the month picker.
  const last = new Date();
  last.setUTCDate(1);
  last.setUTCMonth(last.getUTCMonth() - 1);
  const month = last.toISOString().slice(0, 7);
  await page.getByLabel('Month').fill(month);
  await page.getByLabel('Month').dispatchEvent('change');
  await page.waitForURL((url) => url.searchParams.get('month') === month);
  await page.getByText(`${month}: seats counted on`).waitFor();
  await page.shot('last-month');
  await card.click();
  await page.waitForURL((url) => url.pathname === '/people' && url.searchParams.get('cost_centre_id') === String(marketing.id));
  await page.locator('table.table tbody tr').first().waitFor();
  assert.equal(await page.getByLabel('Cost centre').inputValue(), String(marketing.id));
  assert.deepEqual(page.scriptErrors, []);
});

test('an admin keeps the exchange rates: one by hand, a file all or nothing', async () => {
  const page = await newPage(browser, 'finance-rates', { width: 1440, height: 900 });
  await signIn(page, server.base, 'admin@example.com');
  await page.goto(`${server.base}/finance/rates`);
  await page.locator('#exchange-rates tbody tr').first().waitFor();
  const before = await page.locator('#exchange-rates tbody tr').count();
  await page.getByLabel('Currency', { exact: true }).fill('CHF');
  await page.getByLabel('USD per unit').fill('1,12');
  await page.getByLabel('From', { exact: true }).fill('2026-01-01');
  await page.getByRole('button', { name: 'Add rate' }).click();
  await page.getByText('is not a decimal number such as 1.0850').waitFor();
  await page.getByLabel('USD per unit').fill('1.1200');
  await page.getByRole('button', { name: 'Add rate' }).click();
  await page.getByText('Added CHF at 1.12 from 2026-01-01.').waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('#exchange-rates tbody tr').length === n, before + 1);
  await page.locator('#rates-file').setInputFiles({
    name: 'rates.csv', mimeType: 'text/csv', buffer: Buffer.from('currency,rate,date\nSEK,0.095,2026-01-01\nNOK,abc,2026-01-01\n'),
  });
  await page.getByRole('button', { name: 'Upload rates' }).click();
  await page.getByText('Nothing was added: fix these rows and upload the file again.').waitFor();
  await page.locator('#rate-errors tbody tr').first().waitFor();
  assert.equal(await page.locator('#exchange-rates tbody tr').count(), before + 1, 'nothing of a refused file');
  await page.shot('rates');
  assert.deepEqual(page.scriptErrors, []);
});
