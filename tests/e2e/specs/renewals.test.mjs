// End-to-end: renewals. The server sends alert mail to a real SMTP sink; the owner works from the calendar and
// the inbox, records a decision, and subscribes to the calendar feed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, launchBrowser, login, newPage, startServer, startSmtpSink } from '../lib/harness.mjs';

let server;
let browser;
let sink;

before(async () => {
  sink = await startSmtpSink();
  server = await startServer({ SEATWISE_SMTP_URL: sink.url, SEATWISE_JOB_INTERVAL: '1' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  await sink?.close();
});

// The demo's Figma contract: its cancel-by date is 20 days after the day the demo was created.
const cancelBy = new Date(Date.now() + 20 * 86400000).toISOString().slice(0, 10);

test('an owner finds the contract on its cancel-by date, decides from the inbox, and gets the mail and the feed', async () => {
  const page = await newPage(browser, 'owner-renewals');
  await login(page, server.base, 'owner@example.com');

  // The calendar, month view, on the cancel-by month; the state lives in the URL.
  await page.getByRole('link', { name: 'Renewals' }).click();
  await page.waitForURL(/\/renewals/);
  await page.goto(`${server.base}/renewals?month=${cancelBy.slice(0, 7)}`);
  const chip = page.locator(`td[data-date="${cancelBy}"] a.chip[data-kind="cancel_by"]`, { hasText: 'Figma Organization' });
  await chip.waitFor();
  assert.match(await chip.getAttribute('class'), /chip-critical/);
  await page.shot('calendar-month');

  await page.getByRole('button', { name: 'Agenda' }).click();
  await page.waitForURL(/view=agenda/);
  await page.locator('#agenda').getByRole('link', { name: 'Cancel by: Figma Organization' }).waitFor();
  await page.shot('calendar-agenda');

  // Keyboard: the date is a link; Enter opens the contract.
  await page.getByRole('button', { name: 'Month', exact: true }).click();
  await chip.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/contracts\/\d+/);
  await page.getByRole('heading', { name: 'Figma Organization' }).waitFor();
  await page.locator('#usage').waitFor();
  await page.shot('contract');

  // The inbox: the 30-day alert, raised by the daily run when the server started.
  await page.getByRole('link', { name: /^Alerts/ }).click();
  await page.waitForURL(/\/alerts$/);
  const row = page.locator('#alerts tbody tr', { hasText: 'Figma Organization' });
  await row.waitFor();
  assert.match(await row.innerText(), /Cancel by · 30-day alert/);
  await page.shot('inbox');
  await row.getByRole('link', { name: 'Figma Organization' }).click();
  await page.waitForURL(/\/alerts\/\d+/);
  const alertUrl = page.url();
  await page.locator('#usage').waitFor();
  await page.shot('alert');

  // Decide: renew with changes, 15 seats.
  await page.getByLabel('Renew with changes').check();
  // One covered pool: its seats for the next term, prefilled with today's count.
  const poolSeats = page.locator('fieldset.pool-seats input');
  assert.equal(await poolSeats.count(), 1);
  assert.match(await poolSeats.inputValue(), /^\d+$/);
  await poolSeats.fill('15');
  await page.getByLabel('Comment').fill('Five seats have not been used since spring.');
  await page.getByRole('button', { name: 'Record decision' }).click();
  await page.getByText('Decision recorded.').waitFor();
  assert.equal(await page.locator('#decision-made').innerText(), 'Renew with changes');
  const terms = await page.locator('#terms tbody tr').allInnerTexts();
  assert.equal(terms.length, 2);
  assert.match(terms[0], /\b15\b/);
  await page.shot('decided');
  // The seat change itself waits in the approval queue, to apply when the next term starts.
  await page.locator('#terms').getByRole('link', { name: /^change request #\d+$/ }).click();
  await page.waitForURL(/\/changes\/\d+$/);
  await page.locator('#scheduled').waitFor();
  assert.match(await page.locator('#operations').innerText(), /15/);
  await page.shot('renewal-change-request');

  // The mail reached the SMTP sink: to the owner, plain text and HTML, linking to this alert.
  const message = await eventually(
    () => sink.messages.find((m) => m.mail.subject?.includes('Figma Organization')),
    'the alert mail',
  );
  assert.deepEqual(message.to, ['owner@example.com']);
  assert.equal(message.mail.subject, `Cancel by ${cancelBy}: Figma Organization (Figma)`);
  assert.ok(message.mail.text.includes(alertUrl.replace(server.base, '')), message.mail.text);
  assert.ok(message.mail.html.includes('Open the alert and decide'));

  // The calendar feed: created on the calendar page, fetched like a calendar app would.
  await page.goto(`${server.base}/renewals`);
  await page.getByRole('button', { name: 'Create a feed address' }).click();
  const feedUrl = await page.locator('#feed-url').inputValue();
  assert.match(feedUrl, /\/api\/v1\/calendar\/feed\.ics\?token=/);
  await page.shot('feed');
  const feed = await fetch(feedUrl);
  assert.equal(feed.status, 200);
  assert.match(feed.headers.get('content-type'), /^text\/calendar/);
  const ics = await feed.text();
  assert.ok(ics.includes(`DTSTART;VALUE=DATE:${cancelBy.replaceAll('-', '')}\r\n`), ics);
  assert.ok(ics.includes('SUMMARY:Cancel by: Figma Organization (Figma)'), ics);
  assert.deepEqual(page.scriptErrors, []);
});

test('the calendar fits a phone screen', async () => {
  const page = await newPage(browser, 'phone-renewals', { width: 390, height: 844 });
  await login(page, server.base, 'owner@example.com');
  await page.goto(`${server.base}/renewals?month=${cancelBy.slice(0, 7)}`);
  await page.locator('#month-grid').waitFor();
  await page.shot('calendar');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
});

test('an admin records a contract; an end before the start is refused beside the field', async () => {
  const page = await newPage(browser, 'admin-contract-form');
  await login(page, server.base, 'admin@example.com');
  await page.goto(`${server.base}/renewals`);
  await page.getByRole('link', { name: 'New contract' }).click();
  await page.waitForURL(/\/contracts\/new/);
  await page.getByLabel('Vendor', { exact: true }).selectOption({ label: 'Zoom' });
  await page.getByLabel('Contract number').fill('ZM-2027-01');
  await page.getByLabel('Title').fill('Zoom Workplace renewal');
  await page.getByLabel('Term starts').fill('2027-01-01');
  await page.getByLabel('Term ends (last day)').fill('2026-12-31');
  await page.getByRole('button', { name: 'Record contract' }).click();
  await page.locator('#term_end[aria-invalid="true"]').waitFor();
  assert.match(await page.locator('#err-term_end').innerText(), /on or after the term start/);
  await page.shot('error');
  await page.getByLabel('Term ends (last day)').fill('2027-12-31');
  await page.getByRole('button', { name: 'Record contract' }).click();
  await page.waitForURL(/\/contracts\/\d+$/);
  await page.getByRole('heading', { name: 'Zoom Workplace renewal' }).waitFor();
  assert.match(await page.locator('#terms tbody').innerText(), /1\s/);
  await page.shot('saved');

  // The contracts list sorts by vendor; the new contract is there.
  await page.getByRole('link', { name: 'Contracts' }).click();
  await page.waitForURL(/\/contracts$/);
  await page.locator('#contracts').getByRole('button', { name: /Vendor/ }).click();
  await page.waitForURL(/sort=vendor/);
  await page.locator('#contracts tbody tr', { hasText: 'Zoom Workplace renewal' }).waitFor();
  await page.shot('contracts');
  // Every demo pool already has its contract: nothing to adopt, and it says so.
  await page.getByRole('button', { name: 'Contracts from pool dates' }).click();
  await page.getByText('0 contracts recorded for 0 pools.').waitFor();

  // Organisation settings: a wrong time zone is refused beside the field.
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Time zone').fill('Mars/Olympus');
  await page.getByLabel('Right-sizing buffer (%)').fill('150');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.locator('#timezone[aria-invalid="true"]').waitFor();
  await page.locator('#right_size_buffer_percent[aria-invalid="true"]').waitFor();
  await page.getByText('must be 0 to 100 percent').waitFor();
  assert.equal(await page.getByLabel('Reporting currency').inputValue(), 'USD');
  await page.getByLabel('Time zone').fill('Europe/Berlin');
  await page.getByLabel('Right-sizing buffer (%)').fill('15');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Settings saved.').waitFor();
  await page.shot('settings');
  assert.deepEqual(page.scriptErrors, []);
});

test('an owner sees only their part of a contract that spans other departments, and says so', async () => {
  const page = await newPage(browser, 'owner-partial-contract');
  await login(page, server.base, 'owner@example.com');
  await page.goto(`${server.base}/contracts`);
  // The list says the value is the owner's part.
  const row = page.locator('#contracts tbody tr', { hasText: 'Microsoft Enterprise Agreement' });
  await row.getByText('your part').waitFor();
  await page.shot('list');
  await row.getByRole('link', { name: 'Microsoft Enterprise Agreement' }).click();
  await page.waitForURL(/\/contracts\/\d+$/);
  await page.getByRole('heading', { name: 'Microsoft Enterprise Agreement' }).waitFor();
  const note = page.getByRole('note').filter({ hasText: 'outside your departments' });
  await note.waitFor();
  await page.getByText('Value per term (your pools)').waitFor();
  // The Engineering pool and the IT Operations pool naming the owner are listed; the others' Microsoft pools are not,
  // anywhere on the page.
  const text = await page.locator('main').innerText();
  assert.match(text, /Microsoft 365 E5/);
  assert.match(text, /Microsoft 365 E3/);
  for (const foreign of ['Visio Plan 2', 'Power BI Pro', 'Finance']) assert.ok(!text.includes(foreign), `${foreign} leaked`);
  await page.shot('partial');
  assert.deepEqual(page.scriptErrors, []);
});
