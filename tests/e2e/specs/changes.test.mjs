// End-to-end: the approval queue. An owner chooses 25 seats on a pool page and drafts a request; they cannot
// approve it themselves (not in the page, and 403 from the API); the approver, told by e-mail at a real SMTP
// sink, approves it, applies a pilot of 5 and then the rest; the owner asks for a rollback, the approver approves
// and applies it, and every seat is back exactly as it was. A CSV file with 3 bad rows is refused row by row.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
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

const POOL = 'GitHub Enterprise Cloud';

async function api(page, path, { method = 'GET', body } = {}) {
  const me = await (await page.request.get(`${server.base}/api/v1/me`)).json();
  const response = await page.request.fetch(`${server.base}/api/v1${path}`, {
    method,
    headers: { 'X-CSRF-Token': me.csrf_token, 'Content-Type': 'application/json' },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status(), body: await response.json().catch(() => null) };
}

/// Every seat of the pool as (person, assigned at, assigned by), sorted: what "exactly as before" compares.
async function seatsOf(page, poolId) {
  const { body } = await api(page, `/pools/${poolId}/assignments?per_page=500`);
  return body.items.map((a) => `${a.person?.id}|${a.assigned_at}|${a.assigned_by}`).sort();
}

function mailTo(address, subject) {
  return sink.messages.find((m) => m.to.includes(address) && subject.test(m.mail.subject ?? ''));
}

test('25 chosen seats: drafted, approved by someone else, piloted, applied, rolled back exactly', async () => {
  const owner = await newPage(browser, 'changes-owner');
  await login(owner, server.base, 'owner@example.com');
  await owner.getByRole('link', { name: POOL }).click();
  await owner.getByRole('heading', { name: POOL }).waitFor();
  const poolId = Number(owner.url().match(/\/pools\/(\d+)/)[1]);
  const before = await seatsOf(owner, poolId);
  assert.ok(before.length >= 25, `${POOL} has at least 25 seats in the demo`);

  // Choose 25 seats, one checkbox each, and draft a request to take them back.
  const boxes = owner.locator('#seats tbody tr input[type="checkbox"]');
  for (let i = 0; i < 25; i++) await boxes.nth(i).check();
  await owner.getByText('25 seats chosen').waitFor();
  await owner.getByLabel('Change', { exact: true }).selectOption('unassign');
  await owner.getByLabel('Reason').fill('Contractors whose engagement ended in November.');
  await owner.shot('chosen');
  await owner.getByRole('button', { name: 'Draft change request' }).click();
  await owner.waitForURL(/\/changes\/\d+$/);
  const id = Number(owner.url().match(/\/changes\/(\d+)/)[1]);
  await owner.getByRole('heading', { name: `#${id} Take back 25 seats on ${POOL}` }).waitFor();
  assert.equal(await owner.locator('#stat-rows').innerText(), '25');
  assert.equal(await owner.locator('#stat-losing').innerText(), '25');
  assert.match(await owner.locator('#preview tbody tr').first().innerText(), new RegExp(`${before.length} → ${before.length - 25}`));
  await owner.shot('draft');

  await owner.getByRole('button', { name: 'Submit for approval' }).click();
  await owner.getByText('Submitted: the approvers have been told.').waitFor();
  await owner.locator('#waiting-note').waitFor();
  assert.equal(await owner.getByRole('button', { name: 'Approve' }).count(), 0, 'the requester is offered no approval');
  // Nor does the server take one from them.
  const own = await api(owner, `/change-requests/${id}/approve`, { method: 'POST', body: { comment: 'mine' } });
  assert.equal(own.status, 403);
  await owner.shot('submitted');

  // The approver is told by e-mail and finds it in their queue.
  const waiting = await eventually(() => mailTo('approver@example.com', new RegExp(`Approval needed: #${id} `)), 'the approval mail');
  assert.match(waiting.mail.text, /25/);
  const approver = await newPage(browser, 'changes-approver');
  await login(approver, server.base, 'approver@example.com');
  await approver.getByRole('link', { name: /^Changes/ }).click();
  await approver.getByLabel('Waiting for me').check();
  await approver.waitForURL(/for_me=true/);
  const row = approver.locator('#change-requests tbody tr', { hasText: `#${id} ` });
  await row.waitFor();
  await approver.shot('queue');
  await row.getByRole('link').click();
  await approver.getByLabel('Comment').fill('Checked against the contractor list.');
  // Each row tells the approver whose seat it is: their status, department and last sign-in.
  assert.match(await approver.locator('#operations tbody tr').first().innerText(),
    /Take back .+'s seat on .+\n(Active|On leave|Terminated) · [^·]+ · (last sign-in .+|never signed in .+|no sign-in data)/);
  await approver.shot('context');
  await approver.getByRole('button', { name: 'Approve', exact: true }).click();
  await approver.getByText('Approved: it can be applied now.').waitFor();
  await approver.shot('approved');

  // A pilot of 5, checked, then the rest.
  await approver.getByLabel('Pilot: apply the first rows only').fill('5');
  await approver.getByRole('button', { name: 'Apply pilot' }).click();
  await approver.getByText('Pilot applied: 5 rows changed.', { exact: false }).waitFor();
  assert.equal((await seatsOf(approver, poolId)).length, before.length - 5);
  // The notice comes with the answer; the rows are read again after it.
  await approver.locator('#operations tbody tr', { hasText: 'Applied' }).nth(4).waitFor();
  assert.equal(await approver.locator('#operations tbody tr', { hasText: 'Applied' }).count(), 5);
  await approver.shot('piloted');
  await approver.getByRole('button', { name: 'Confirm the other 20 rows' }).click();
  await approver.getByText('Applied: all 25 rows are done.').waitFor();
  assert.equal((await seatsOf(approver, poolId)).length, before.length - 25);
  await approver.shot('applied');
  await eventually(() => mailTo('owner@example.com', new RegExp(`#${id} `)), 'the requester told of the applied stage');

  // The pool's history says who did what and why, grouped by the request (its pilot and the rest), linked to it.
  await owner.goto(`${server.base}/pools/${poolId}`);
  const history = owner.locator('section[aria-labelledby=history-h]');
  const groups = history.locator('ol.timeline > li', { hasText: `Change request #${id} “Take back 25 seats on ${POOL}”` });
  await groups.first().waitFor();
  assert.deepEqual(await groups.locator('summary').allInnerTexts(), ['What changed (20)', 'What changed (5)']);
  assert.match(await groups.first().innerText(), /20 changes · Change request #\d+ .+ by approver@example\.com/);
  assert.match(await groups.first().innerText(), /Why: Contractors whose engagement ended in November\./);
  await groups.last().locator('li', { hasText: /^Took back the seat of [A-Z]/ }).first().waitFor();
  assert.equal(await history.getByText('change_request.operation').count(), 0, 'no bare action names');
  await owner.shot('history');
  await groups.first().getByRole('link', { name: /Change request #/ }).click();
  await owner.waitForURL(new RegExp(`/changes/${id}$`));

  // The owner asks for a rollback: a request of its own, which the approver approves and applies.
  await owner.reload();
  await owner.getByLabel('Why roll back').fill('Two of them were extended after all.');
  await owner.getByRole('button', { name: 'Request a rollback' }).click();
  await owner.waitForURL((url) => !url.pathname.endsWith(`/changes/${id}`));
  const rollbackId = Number(owner.url().match(/\/changes\/(\d+)/)[1]);
  await owner.getByRole('heading', { name: `#${rollbackId} ` }).waitFor();
  await owner.getByText(`request #${id}`).waitFor();
  await owner.shot('rollback-requested');

  await approver.goto(`${server.base}/changes/${rollbackId}`);
  await approver.getByRole('button', { name: 'Approve', exact: true }).click();
  await approver.getByText('Approved: it can be applied now.').waitFor();
  await approver.getByRole('button', { name: 'Apply all 25 rows' }).click();
  await approver.getByText('Applied: all 25 rows are done.').waitFor();
  assert.deepEqual(await seatsOf(approver, poolId), before, 'every seat is back, with its first assignment date and who gave it');
  await approver.goto(`${server.base}/changes/${id}`);
  await approver.locator('.page-head .badge', { hasText: 'Rolled back' }).waitFor();
  await approver.shot('rolled-back');

  const admin = await newPage(browser, 'changes-admin');
  await login(admin, server.base, 'admin@example.com');
  const verified = await api(admin, '/ledger/verify', { method: 'POST' });
  assert.equal(verified.status, 200);
  assert.equal(verified.body.ok, true, JSON.stringify(verified.body));
  assert.deepEqual(owner.scriptErrors, []);
  assert.deepEqual(approver.scriptErrors, []);
});

test('a file with 3 bad rows is refused row by row; without them it can be submitted', async () => {
  const page = await newPage(browser, 'changes-csv');
  await login(page, server.base, 'owner@example.com');
  await page.goto(`${server.base}/changes`);
  await page.getByRole('link', { name: 'New from a file' }).click();
  await page.getByLabel('Title').fill('Seat counts for Q1');
  await page.setInputFiles('#change-file', fileURLToPath(new URL('../../fixtures/change-requests/three-bad-rows.csv', import.meta.url)));
  await page.shot('upload');
  await page.getByRole('button', { name: 'Check the file' }).click();
  await page.waitForURL(/\/changes\/\d+$/);
  const id = Number(page.url().match(/\/changes\/(\d+)/)[1]);
  await page.getByRole('heading', { name: 'Rows in error (3)' }).waitFor();
  const errors = await page.locator('#row-errors tbody tr').allInnerTexts();
  assert.equal(errors.length, 3);
  assert.match(errors[0], /^2\b[\s\S]*person/);
  assert.match(errors[1], /^3\b[\s\S]*pool/);
  assert.match(errors[2], /^5\b[\s\S]*seats_purchased/);
  assert.equal(await page.getByRole('button', { name: 'Submit for approval' }).isDisabled(), true);
  const refused = await api(page, `/change-requests/${id}/submit`, { method: 'POST' });
  assert.equal(refused.status, 422);
  await page.shot('refused');

  await page.getByRole('button', { name: 'Remove the rows in error' }).click();
  await page.getByText('3 rows removed.').waitFor();
  // The notice comes with the answer; the request is read again after it.
  await page.locator('#stat-rows').filter({ hasText: /^2$/ }).waitFor({ timeout: 5000 }).catch(() => {});
  assert.equal(await page.locator('#stat-rows').innerText(), '2');
  // The file came without a reason: the approval policy asks for one, so the page asks for it before submitting.
  const noReason = await api(page, `/change-requests/${id}/submit`, { method: 'POST' });
  assert.equal(noReason.status, 422);
  assert.equal(noReason.body.error.fields[0].path, 'reason');
  await page.getByLabel('Reason', { exact: true }).fill('Q1 seat counts agreed with finance');
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await page.getByText('Submitted: the approvers have been told.').waitFor();
  await page.shot('submitted');
  assert.deepEqual(page.scriptErrors, []);
});

test('a scheduled request is not applied by hand before its time, and its window can be changed by its requester', async () => {
  const approver = await newPage(browser, 'changes-scheduled');
  await login(approver, server.base, 'approver@example.com');
  const { body } = await api(approver, '/change-requests?status=approved&per_page=50');
  const scheduled = body.items.find((r) => r.title.startsWith('Creative Cloud: 20 seats'));
  assert.ok(scheduled, 'the demo has a scheduled request');
  await approver.goto(`${server.base}/changes/${scheduled.id}`);
  await approver.locator('#scheduled-note').waitFor();
  assert.equal(await approver.getByRole('button', { name: /^Apply/ }).count(), 0, 'no apply before the window');
  const early = await api(approver, `/change-requests/${scheduled.id}/apply`, { method: 'POST', body: {} });
  assert.equal(early.status, 409);
  assert.match(early.body.error.message, /scheduled/);
  await approver.shot('scheduled');
  assert.deepEqual(approver.scriptErrors, []);
});

test('a pilot for one department: its rows go first and only they are applied', async () => {
  const admin = await newPage(browser, 'changes-department');
  await login(admin, server.base, 'admin@example.com');
  const pools = (await api(admin, `/pools?q=${encodeURIComponent(POOL)}`)).body.items;
  const pool = pools.find((p) => p.name === POOL);
  const held = new Set((await api(admin, `/pools/${pool.id}/assignments?per_page=500`)).body.items.map((s) => s.person?.id));
  // Four active people without a seat on the pool, two from each of two departments.
  const people = (await api(admin, '/people?status=active&per_page=100')).body.items.filter((p) => p.department && !held.has(p.id));
  const byDepartment = new Map();
  for (const p of people) byDepartment.set(p.department.id, [...(byDepartment.get(p.department.id) ?? []), p]);
  const [first, second] = [...byDepartment.values()].filter((list) => list.length >= 2);
  assert.ok(first && second, 'the demo has people in several departments');
  const chosen = [second[0], first[0], second[1], first[1]];
  const operations = chosen.map((p) => ({ op: 'assign', pool_id: pool.id, person_id: p.id }));
  const created = await api(admin, '/change-requests', { method: 'POST', body: { title: 'New starters', reason: 'Onboarding', operations } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  assert.equal((await api(admin, `/change-requests/${id}/submit`, { method: 'POST' })).status, 200);

  const approver = await newPage(browser, 'changes-department');
  await login(approver, server.base, 'approver@example.com');
  assert.equal((await api(approver, `/change-requests/${id}/approve`, { method: 'POST', body: { comment: 'ok' } })).status, 200);
  await approver.goto(`${server.base}/changes/${id}`);
  const department = first[0].department;
  await approver.getByLabel('Pilot for').selectOption({ label: `The people of ${department.name} (2 rows)` });
  assert.equal(await approver.getByLabel('Pilot: apply the first rows only').isVisible(), false, 'a department or a size');
  await approver.shot('pilot-for');
  await approver.getByRole('button', { name: 'Apply pilot' }).click();
  await approver.getByText('Pilot applied: 2 rows changed.', { exact: false }).waitFor();
  assert.equal(await approver.locator('label.progress').count(), 0, 'no progress bar once the stage is done');
  // The department's two rows now lead, applied; the other two wait.
  const rows = await approver.locator('#operations tbody tr').allInnerTexts();
  assert.match(rows[0], new RegExp(`${first[0].name}.*Applied`, 's'));
  assert.match(rows[1], new RegExp(`${first[1].name}.*Applied`, 's'));
  assert.match(rows[2], new RegExp(`${second[0].name}.*Pending`, 's'));
  await approver.shot('piloted');
  assert.deepEqual(approver.scriptErrors, []);
});

test('a rollback of chosen rows: only their seats come back, and the request stays applied for the rest', async () => {
  const owner = await newPage(browser, 'changes-partial-rollback', { width: 1440, height: 900 });
  await login(owner, server.base, 'owner@example.com');
  const pool = (await api(owner, `/pools?q=${encodeURIComponent('Figma Organization')}`)).body.items[0];
  const seats = (await api(owner, `/pools/${pool.id}/assignments?sort=name&per_page=4`)).body.items;
  const people = seats.map((s) => s.person);
  const ops = people.map((p) => ({ op: 'unassign', pool_id: pool.id, person_id: p.id }));
  const created = await api(owner, '/change-requests', { method: 'POST', body: { title: 'Four designers', reason: 'Moved to FigJam', operations: ops } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  assert.equal((await api(owner, `/change-requests/${id}/submit`, { method: 'POST' })).status, 200);
  const approver = await newPage(browser, 'changes-partial-rollback-approver', { width: 390, height: 844 });
  await login(approver, server.base, 'approver@example.com');
  assert.equal((await api(approver, `/change-requests/${id}/approve`, { method: 'POST', body: { comment: '' } })).status, 200);
  assert.equal((await api(approver, `/change-requests/${id}/apply`, { method: 'POST', body: {} })).status, 200);

  // The owner undoes rows 2 and 4 only.
  await owner.goto(`${server.base}/changes/${id}`);
  await owner.getByLabel('Why roll back').fill('Two of them still review designs.');
  await owner.getByLabel('Rows to roll back').fill('2, x');
  await owner.getByRole('button', { name: 'Request a rollback' }).click();
  await owner.getByText('“x” is not a row number').waitFor();
  await owner.getByLabel('Rows to roll back').fill('2, 4');
  await owner.shot('rows-chosen');
  await owner.getByRole('button', { name: 'Request a rollback' }).click();
  await owner.waitForURL((url) => !url.pathname.endsWith(`/changes/${id}`));
  const rollbackId = Number(owner.url().match(/\/changes\/(\d+)/)[1]);
  await owner.getByRole('heading', { name: `#${rollbackId} Roll back rows 2 and 4: Four designers` }).waitFor();
  await owner.getByText(`Rolls back rows 2, 4 of request #${id}`).waitFor();
  assert.equal(await owner.locator('#stat-rows').innerText(), '2');
  await owner.shot('rollback-drafted');

  // Approved and applied by someone else, on a phone: two seats back, the other two stay freed.
  await approver.goto(`${server.base}/changes/${rollbackId}`);
  await approver.getByRole('button', { name: 'Approve', exact: true }).click();
  await approver.getByText('Approved: it can be applied now.').waitFor();
  await approver.getByRole('button', { name: 'Apply all 2 rows' }).click();
  await approver.getByText('Applied: all 2 rows are done.').waitFor();
  await approver.shot('applied');
  const holders = (await api(owner, `/pools/${pool.id}/assignments?per_page=500`)).body.items.map((a) => a.person?.id);
  assert.deepEqual(people.map((p) => holders.includes(p.id)), [false, true, false, true]);
  assert.equal((await api(owner, `/change-requests/${id}`)).body.status, 'applied', 'its other rows stand');
  assert.deepEqual(owner.scriptErrors, []);
  assert.deepEqual(approver.scriptErrors, []);
});
