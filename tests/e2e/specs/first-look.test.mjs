// End-to-end: what a newcomer trusts first. The inventory's cards and total row count exactly the pools the
// filtered list shows (finance, on a desktop and on a phone); a contract whose cancel-by date passed undecided while
// it still renews is the loudest thing on Alerts and on the alert itself (admin), and owners outside its department
// are not told of it. Screenshots at 1440 and 390 px.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, login, newPage, signIn, startServer } from '../lib/harness.mjs';

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

/// The figure a summary card shows, by its label.
async function card(page, label) {
  const c = page.locator('section.cards .card').filter({ has: page.locator('.stat-label', { hasText: label }) });
  return (await c.locator('.stat-value').innerText()).trim();
}

for (const [device, viewport] of [['desktop', { width: 1440, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
  test(`inventory figures follow the filters on a ${device}`, async () => {
    const page = await newPage(browser, `first-look-inventory-${device}`, viewport);
    await login(page, server.base, 'finance@example.com');
    const everything = await api(page, '/inventory/summary');
    assert.equal(await card(page, 'Pools'), String(everything.pools));
    await page.getByLabel('Cost centre').selectOption({ label: 'CC-100 Technology' });
    await page.waitForURL(/cost_centre_id=/);
    await page.locator('section.cards .stat-label', { hasText: 'Pools matching' }).waitFor();
    const ccId = new URL(page.url()).searchParams.get('cost_centre_id');
    const list = await api(page, `/pools?cost_centre_id=${ccId}&per_page=500`);
    assert.ok(list.total > 0 && list.total < everything.pools, `${list.total} of ${everything.pools}`);
    assert.equal(await card(page, 'Pools matching'), String(list.total));
    await page.getByText(new RegExp(`of ${list.total} pools?$`)).waitFor();
    const total = page.locator('tfoot tr.total-row');
    await total.waitFor();
    assert.match(await total.innerText(), new RegExp(`Total, all ${list.total} pools`));
    // The annual cost card and the total row are the sum of the rows of every page, to the cent.
    const sum = list.items.reduce((s, p) => s + p.annual_cost.amount_minor, 0);
    const shown = (await card(page, 'Annual cost')).replace(/[^0-9]/g, '');
    assert.equal(shown, String(sum), `card ${await card(page, 'Annual cost')} vs ${sum}`);
    assert.equal((await total.locator('td.num').last().innerText()).replace(/[^0-9]/g, ''), String(sum));
    await page.shot('filtered');
    if (device === 'phone') {
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `no sideways scrolling (${width} px)`);
    }
    assert.deepEqual(page.scriptErrors, []);
  });
}

test('a missed cancel-by date is the loudest thing on Alerts and on the alert, for those who may see it', async () => {
  const page = await newPage(browser, 'first-look-missed', { width: 1440, height: 900 });
  await login(page, server.base, 'admin@example.com');
  await page.goto(`${server.base}/alerts`);
  const banner = page.locator('section.banner.missed');
  await banner.waitFor();
  assert.match(await banner.getByRole('heading').innerText(), /cancel-by date was missed|cancel-by dates were missed/);
  const item = banner.locator('li').filter({ hasText: 'LinkedIn Sales Navigator' });
  assert.match(await item.innerText(), /cancel-by .* passed 8 days ago with no decision; it renews itself on /);
  await page.getByRole('heading', { name: 'Renewal alerts' }).waitFor();
  // Above everything else on the page but the heading.
  const bannerTop = (await banner.boundingBox()).y;
  const tableTop = (await page.locator('#alerts').boundingBox()).y;
  assert.ok(bannerTop < tableTop, 'the banner comes before the list');
  assert.match(await page.locator('#alerts tbody tr').first().innerText(), /LinkedIn Sales Navigator[\s\S]*Cancel-by missed/);
  await page.shot('alerts');

  await item.getByRole('link', { name: 'Decide now' }).click();
  await page.getByRole('heading', { name: /^Cancel-by missed .*LinkedIn Sales Navigator/ }).waitFor();
  const explained = page.locator('div.banner.missed');
  assert.match(await explained.innerText(), /passed 8 days ago with no decision\. This contract renews itself on .* for .*\$[\d,]+\.\d\d\. Negotiate the renewal/);
  await page.shot('alert');
  assert.deepEqual(page.scriptErrors, []);

  const phone = await newPage(browser, 'first-look-missed-phone', { width: 390, height: 844 });
  await login(phone, server.base, 'admin@example.com');
  await phone.goto(`${server.base}/alerts`);
  await phone.locator('section.banner.missed li').first().waitFor();
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling (${width} px)`);
  await phone.shot('alerts');

  // The owner of Engineering and Design is not told of a Sales contract.
  const owner = await newPage(browser, 'first-look-missed-owner', { width: 1440, height: 900 });
  await login(owner, server.base, 'owner@example.com');
  await owner.goto(`${server.base}/my`);
  await owner.getByRole('heading', { name: 'My licenses' }).waitFor();
  await owner.locator('#my-licenses tbody tr').first().waitFor();
  assert.equal(await owner.getByText('LinkedIn Sales Navigator').count(), 0);
  await owner.shot('my-licenses');
  assert.deepEqual(owner.scriptErrors, []);
});

for (const [device, viewport] of [['desktop', { width: 1440, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
  test(`an owner opens a pool they own in another department and works its seats a page at a time on a ${device}`, async () => {
    const page = await newPage(browser, `first-look-seats-${device}`, viewport);
    await login(page, server.base, 'owner@example.com');
    // Microsoft 365 E3 is IT Operations' and names Omar Owner as its owner: it is his.
    const pool = (await api(page, '/pools?q=Microsoft%20365%20E3')).items.find((p) => p.name === 'Microsoft 365 E3');
    assert.equal(pool.department.name, 'IT Operations');
    await page.goto(`${server.base}/pools/${pool.id}`);
    await page.getByRole('heading', { name: 'Microsoft 365 E3' }).waitFor();
    await page.getByRole('link', { name: 'Edit pool' }).waitFor();
    const held = (await api(page, `/pools/${pool.id}/assignments?per_page=1`)).total;
    assert.ok(held > 250, `${held} seats`);
    await page.getByText(`Showing 1–50 of ${held} seats`).waitFor();
    assert.equal(await page.locator('#seats tbody tr').count(), 50);
    await page.shot('first-page');
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.waitForURL(/page=2/);
    await page.getByText(`Showing 51–100 of ${held} seats`).waitFor();

    // Filters land in the address and count what matches; the last sign-in column says "No data", never "unused".
    await page.getByLabel('Status').selectOption({ label: 'Terminated' });
    await page.waitForURL(/status=terminated/);
    const leavers = (await api(page, `/pools/${pool.id}/assignments?status=terminated`)).total;
    await page.getByText(`Showing 1–${leavers} of ${leavers} seats`).waitFor();
    assert.equal(await page.locator('#seats tbody tr').count(), leavers);
    const firstLeaver = (await page.locator('#seats tbody tr').first().locator('td a').first().innerText()).trim();
    await page.getByLabel('Status').selectOption({ label: 'All' });
    await page.getByLabel('Search seats').fill(firstLeaver);
    await page.getByLabel('Search seats').press('Enter');
    await page.waitForURL(/q=/);
    await page.locator('#seats tbody tr').filter({ hasText: firstLeaver }).first().waitFor();
    await page.shot('searched');
    await page.getByLabel('Search seats').fill('');
    await page.getByLabel('Search seats').press('Enter');
    await page.getByText(`Showing 1–50 of ${held} seats`).waitFor();

    // Every matching seat, not only the page shown, goes into one change request.
    await page.getByRole('button', { name: `Choose all ${held} matching` }).click();
    const bar = page.getByRole('form', { name: 'Change the chosen rows' });
    const holders = await api(page, `/pools/${pool.id}/assignments/holders`);
    await bar.getByText(`${holders.person_ids.length} seats chosen`).waitFor();
    await page.shot('all-chosen');
    await bar.getByLabel('Reason').fill('True-up: every seat reviewed at renewal');
    await bar.getByRole('button', { name: 'Draft change request' }).click();
    await page.waitForURL(/\/changes\/\d+$/);
    const id = page.url().split('/').pop();
    const draft = await api(page, `/change-requests/${id}`);
    assert.equal(draft.operations.length, holders.person_ids.length);
    await page.shot('drafted');
    if (device === 'phone') {
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `no sideways scrolling (${width} px)`);
    }
    assert.deepEqual(page.scriptErrors, []);
  });
}

test('taking one seat back asks first and says what will happen; Cancel changes nothing', async () => {
  const page = await newPage(browser, 'first-look-unassign', { width: 1440, height: 900 });
  await login(page, server.base, 'owner@example.com');
  const pool = (await api(page, '/pools?q=Jira%20Software%20Premium')).items[0];
  await page.goto(`${server.base}/pools/${pool.id}`);
  const row = page.locator('#seats tbody tr').first();
  await row.waitFor();
  const name = (await row.locator('td a').first().innerText()).trim();
  const before = (await api(page, `/pools/${pool.id}`)).seats_assigned;
  await row.getByRole('button', { name: `Unassign the seat of ${name}` }).click();
  const confirm = row.getByRole('group', { name: 'Confirm' });
  assert.match(await confirm.innerText(), new RegExp(`Take ${name}'s seat back now\\? It is freed at once`));
  await page.shot('confirm');
  await page.keyboard.press('Escape');
  assert.equal(await confirm.count(), 0, 'Escape closes it');
  assert.equal((await api(page, `/pools/${pool.id}`)).seats_assigned, before, 'nothing taken');
  await row.getByRole('button', { name: `Unassign the seat of ${name}` }).click();
  await confirm.getByRole('button', { name: 'Take the seat back' }).click();
  await page.locator('#seats tbody tr').filter({ hasText: name }).waitFor({ state: 'detached' });
  assert.equal((await api(page, `/pools/${pool.id}`)).seats_assigned, before - 1);
  assert.deepEqual(page.scriptErrors, []);
});

test('each role starts where its work is, and its badges count only what it can act on', async () => {
  for (const [email, path, heading] of [
    ['owner@example.com', '/my', 'My licenses'],
    ['approver@example.com', '/changes?for_me=true', 'Change requests'],
    ['finance@example.com', '/finance', 'Finance'],
    ['admin@example.com', '/overview', 'Overview'],
  ]) {
    const role = email.split('@')[0];
    const page = await newPage(browser, `first-look-landing-${role}`, { width: 1440, height: 900 });
    const landed = new URL(await signIn(page, server.base, email));
    assert.equal(landed.pathname + landed.search, path, `${email} lands on ${path}`);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    const alerts = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Alerts/ });
    await alerts.waitFor();
    const counts = await api(page, '/alerts/counts');
    if (role === 'finance' || role === 'approver') {
      assert.equal(counts.needs_action, 0, `${role} decides no alert`);
      assert.equal(await alerts.locator('.nav-count').count(), 0, `no Alerts badge for ${role}`);
    } else {
      assert.ok(counts.needs_action > 0, `${role} has alerts to decide`);
      await alerts.locator('.nav-count').waitFor();
    }
    await page.shot('landing');
    // The front door takes them to the same place.
    await page.goto(`${server.base}/`);
    await page.waitForURL((url) => url.pathname + url.search === path);
    assert.deepEqual(page.scriptErrors, []);
  }
});

test('an admin makes every take-back a change request: the owner sees no Unassign and is told how, on a desktop and a phone', async () => {
  const admin = await newPage(browser, 'first-look-take-back-policy', { width: 1440, height: 900 });
  await login(admin, server.base, 'admin@example.com');
  await admin.goto(`${server.base}/changes/policy`);
  const box = admin.getByLabel(/License owners may take back a single seat at once/);
  assert.equal(await box.isChecked(), true, 'on unless turned off');
  await box.uncheck();
  await admin.getByRole('button', { name: 'Save policy' }).click();
  await admin.getByText('Approval policy saved.').waitFor();
  await admin.shot('policy');
  try {
    for (const [device, viewport] of [['desktop', { width: 1440, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
      const page = await newPage(browser, `first-look-take-back-owner-${device}`, viewport);
      await login(page, server.base, 'owner@example.com');
      const pool = (await api(page, '/pools?q=Jira%20Software%20Premium')).items[0];
      await page.goto(`${server.base}/pools/${pool.id}`);
      await page.locator('#seats tbody tr').first().waitFor();
      await page.getByText('Seats are taken back through a change request here').waitFor();
      assert.equal(await page.getByRole('button', { name: /^Unassign the seat of/ }).count(), 0);
      assert.ok(await page.getByRole('button', { name: /^Reassign the seat of/ }).count() > 0, 'reassigning stays');
      await page.shot('pool');
      assert.deepEqual(page.scriptErrors, []);
    }
  } finally {
    // Back as it was, for the other tests.
    const policy = await api(admin, '/approval-policy');
    const me = await api(admin, '/me');
    const restored = await admin.request.put(`${server.base}/api/v1/approval-policy`, {
      data: JSON.stringify({ ...policy, owners_take_back_directly: true }),
      headers: { 'X-CSRF-Token': me.csrf_token, 'Content-Type': 'application/json' },
    });
    assert.equal(restored.status(), 200);
  }
  assert.deepEqual(admin.scriptErrors, []);
});

test('a phone shows the number that matters: every table keeps its key figure in view, the bulk bar does not cover the page', async () => {
  const page = await newPage(browser, 'first-look-phone-figures', { width: 390, height: 844 });
  await login(page, server.base, 'owner@example.com');
  /// Whether a table's visible cells fit the phone without scrolling the table sideways.
  const fits = (selector) => page.locator(selector).evaluate((t) => {
    const wrap = t.closest('.table-wrap');
    return wrap.scrollWidth <= wrap.clientWidth + 1;
  });
  const inView = async (locator) => {
    const box = await locator.boundingBox();
    return box !== null && box.x >= 0 && box.x + box.width <= 390;
  };
  // Inventory: the pool, its utilization and its annual cost, and the total row's.
  await page.goto(`${server.base}/pools`);
  await page.locator('table.table tbody tr').first().waitFor();
  assert.ok(await fits('table.table'), 'the inventory fits');
  assert.ok(await inView(page.getByRole('button', { name: /Annual cost/ })));
  assert.match(await page.locator('tfoot tr.total-row td.num').last().innerText(), /^\$[\d,]+\.\d\d/);
  await page.shot('inventory');
  // Savings: each amount whole, not cut to "$42".
  await page.goto(`${server.base}/savings`);
  const amount = page.locator('#savings tbody tr').first().locator('td.num').first();
  await amount.waitFor();
  assert.ok(await fits('#savings'), 'the savings log fits');
  assert.match(await amount.innerText(), /^\$[\d,]+\.\d\d$/);
  assert.ok(await inView(amount));
  await page.shot('savings');
  // An alert's usage table: what the pools cost and the total.
  const missed = (await api(page, '/alerts?per_page=50')).items[0];
  await page.goto(`${server.base}/alerts/${missed.id}`);
  await page.locator('#usage tfoot').waitFor();
  assert.ok(await fits('#usage'), 'the usage table fits');
  assert.ok(await inView(page.locator('#usage tfoot td.num')));
  await page.shot('alert');
  // The calendar: a mark per date, named for screen readers and on hover, never a cut "Ca…".
  await page.goto(`${server.base}/renewals`);
  await page.locator('#month-grid').waitFor();
  const chips = page.locator('#month-grid .chip');
  if (await chips.count() > 0) {
    assert.equal(await chips.first().locator('.chip-kind').evaluate((e) => e.getBoundingClientRect().width <= 1), true);
    assert.match(await chips.first().getAttribute('title'), /·/);
  }
  await page.getByText('Each mark is a date').waitFor();
  await page.shot('calendar');
  // A chosen seat: the bulk bar stays in the page, under a third of the screen.
  const pool = (await api(page, '/pools?q=Jira%20Software%20Premium')).items[0];
  await page.goto(`${server.base}/pools/${pool.id}`);
  await page.locator('#seats tbody .select-cell input').first().check();
  const bar = page.getByRole('form', { name: 'Change the chosen rows' });
  await bar.waitFor();
  const box = await bar.boundingBox();
  assert.ok(box.height < 844 / 3, `the bulk bar is ${box.height}px high`);
  assert.equal(await bar.evaluate((b) => getComputedStyle(b).position), 'static');
  assert.ok(await fits('#seats'), 'the seat table fits');
  await page.shot('bulk-bar');
  assert.deepEqual(page.scriptErrors, []);
});
