// End-to-end: an admin adds a SCIM connector on the settings page, pointed at a real SCIM server (PyPI's
// scim2-server, pinned in tests/connectors), tests it, and reads what works; the token is never shown again. A
// policy run then takes seats back: their accounts become inactive in the SCIM server, the actions are confirmed
// on the connector's page and the cases close; reconciliation finds accounts added in the app directly, and one
// is taken in as a seat through a drafted change request.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { installAxe, seriousViolations, settle, trackRequests } from '../lib/a11y.mjs';
import { eventually, freePort, launchBrowser, newPage, signIn, startServer } from '../lib/harness.mjs';

let server;
let browser;
let peer;
let peerBase;

before(async () => {
  const port = await freePort();
  const target = process.env.CARGO_TARGET_DIR ?? new URL('../../../target', import.meta.url).pathname;
  const bin = `${target}/tools/scim-server-venv/bin/scim2-server`;
  peer = spawn(bin, ['--hostname', '127.0.0.1', '--port', String(port), '--bearer-token', 'e2e-scim-token'], { stdio: 'ignore' });
  peerBase = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${peerBase}/ServiceProviderConfig`).catch(() => null))?.ok, 'scim2-server');
  // Background work every second: seat actions reach the SCIM server while the test watches.
  // Logging at debug, so the check that no credential reaches the log reads everything the server says of its work.
  server = await startServer({
    SEATWISE_CREDENTIALS_KEY: Buffer.alloc(32, 9).toString('base64'), SEATWISE_JOB_INTERVAL: '1',
    RUST_LOG: 'info,seatwise_server=debug,seatwise=debug,tower_http=debug',
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  peer?.kill();
});

test('an admin adds a SCIM connector, tests it against a real SCIM server, and never sees the token again', async () => {
  const page = await newPage(browser, 'connectors');
  await installAxe(page.context());
  trackRequests(page);
  await signIn(page, server.base, 'admin@example.com');
  await page.goto(`${server.base}/settings`);
  await page.getByRole('heading', { name: 'Connectors' }).waitFor();
  await page.getByText('Add a connector').click();
  await page.locator('#connector-name').fill('Slack (SCIM)');
  await page.getByLabel('Base address').fill(peerBase);
  await page.getByLabel('Bearer token').fill('e2e-scim-token');
  await page.getByLabel('Pool it acts on (more through the API)').selectOption({ label: 'Slack Business+' });
  // Slack's SCIM API allows a few hundred calls a minute: a pace of 300 actions.
  await page.getByLabel('At most … actions a minute (optional)').fill('300');
  await page.shot('form');
  await page.getByRole('button', { name: 'Add the connector' }).click();
  const row = page.locator('#connectors tbody tr', { hasText: 'Slack (SCIM)' });
  await row.waitFor();
  assert.match(await row.innerText(), /SCIM 2\.0[\s\S]*Slack Business\+[\s\S]*Set/);
  assert.equal(await page.getByLabel('Bearer token').inputValue(), '', 'the form is cleared');
  assert.ok(!(await page.content()).includes('e2e-scim-token'), 'the token is not on the page');

  await page.getByRole('button', { name: 'Test Slack (SCIM)' }).click();
  await page.getByText('Everything works.').waitFor();
  assert.match(await page.getByRole('status').filter({ hasText: 'Everything works.' }).innerText(), /PATCH is supported/);
  await settle(page);
  assert.deepEqual(await seriousViolations(page), []);
  await page.shot('tested');

  // On its page: its pace, dry run on and off again (the pace kept), then removed (after confirming), its pool free.
  await page.getByRole('link', { name: 'Slack (SCIM)' }).click();
  await page.getByText('Paced: at most 300 actions a minute reach the target.').waitFor();
  await page.getByRole('button', { name: 'Switch to dry run' }).click();
  await page.getByText('Dry run: this connector records what it would send').waitFor();
  await page.getByRole('button', { name: 'Send for real' }).click();
  await page.getByRole('button', { name: 'Switch to dry run' }).waitFor();
  await page.getByText('Paced: at most 300 actions a minute reach the target.').waitFor();
  // Its settings edited in place: a bad pace is refused beside its field; a new one and a new token are saved,
  // and the token is not shown again.
  await page.getByText('Edit settings').click();
  await page.locator('#connector-pace').fill('0');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('must be between 1 and 10000, or left out for no limit').waitFor();
  await page.locator('#connector-pace').fill('120');
  await page.getByLabel('Bearer token').fill('e2e-scim-token');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Paced: at most 120 actions a minute reach the target.').waitFor();
  assert.ok(!(await page.content()).includes('e2e-scim-token'), 'the token is not on the page');
  await settle(page);
  assert.deepEqual(await seriousViolations(page), []);
  await page.shot('edited');
  await page.getByRole('button', { name: 'Remove connector' }).click();
  await page.getByRole('group', { name: 'Confirm' }).getByRole('button', { name: 'Remove it' }).click();
  await page.waitForURL((url) => url.pathname === '/settings');
  await page.locator('#connectors').waitFor();
  assert.equal(await page.locator('#connectors tbody tr', { hasText: 'Slack (SCIM)' }).count(), 0);
  assert.deepEqual(page.scriptErrors, []);
});

/// The SCIM server's accounts: userName (lower case) -> active.
async function scimAccounts() {
  const r = await fetch(`${peerBase}/Users?count=1000`, { headers: { authorization: 'Bearer e2e-scim-token' } });
  const list = await r.json();
  return Object.fromEntries((list.Resources ?? []).map((u) => [u.userName.toLowerCase(), u.active !== false]));
}

async function scimUser(userName) {
  const r = await fetch(`${peerBase}/Users`, {
    method: 'POST',
    headers: { authorization: 'Bearer e2e-scim-token', 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true }),
  });
  assert.equal(r.status, 201);
}

async function api(page, path, method = 'GET', body) {
  const me = await (await page.request.get(`${server.base}/api/v1/me`)).json();
  const r = await page.request.fetch(`${server.base}/api/v1${path}`, {
    method, headers: { 'x-csrf-token': me.csrf_token ?? '', 'content-type': 'application/json' },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status(), body: r.status() === 204 ? null : await r.json() };
}

test('a policy run takes seats back in the SCIM app, each confirmed; reconciliation finds shadow accounts', async () => {
  const page = await newPage(browser, 'connector-page');
  await installAxe(page.context());
  trackRequests(page);
  await signIn(page, server.base, 'admin@example.com');
  const pools = (await api(page, '/pools?q=Zoom%20Workplace&per_page=5')).body.items;
  const zoom = pools.find((p) => p.name === 'Zoom Workplace Business');
  const made = await api(page, '/connectors', 'POST', {
    kind: 'scim', name: 'Zoom (SCIM)', base_url: peerBase, credentials: { bearer_token: 'e2e-scim-token' }, pool_ids: [zoom.id],
  });
  assert.equal(made.status, 201);
  // The accounts the Zoom policy's dry run will take back exist in the app, with two more added there directly:
  // one of a person of the directory, one of nobody Seatwise knows.
  const policy = (await api(page, '/reclamation/policies')).body.items.find((p) => p.name.startsWith('Remove Zoom'));
  const dry = (await api(page, `/reclamation/policies/${policy.id}/dry-run?per_page=500`)).body;
  const selected = dry.items.filter((i) => !i.stale).map((i) => i.person_email.toLowerCase());
  assert.ok(selected.length > 0);
  for (const email of selected) await scimUser(email);
  const holders = new Set((await api(page, `/pools/${zoom.id}/assignments?per_page=500`)).body.items.map((a) => a.person?.email?.toLowerCase()));
  const people = (await api(page, '/people?status=active&per_page=200')).body.items;
  const outsider = people.find((p) => !holders.has(p.email.toLowerCase()));
  await scimUser(outsider.email);
  await scimUser('shadow.it@example.com');

  // A service desk takes the seats taken back as signed webhooks: made on the settings page, its secret shown once.
  const received = [];
  const desk = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { received.push({ headers: req.headers, body }); res.writeHead(204).end(); });
  });
  const deskPort = await freePort();
  await new Promise((resolve) => desk.listen(deskPort, '127.0.0.1', resolve));
  await page.goto(`${server.base}/settings`);
  await page.getByText('Add a webhook').click();
  await page.locator('#webhook-name').fill('Service desk');
  await page.getByLabel('Address', { exact: true }).fill(`http://127.0.0.1:${deskPort}/events`);
  await page.getByRole('button', { name: 'Add the webhook' }).click();
  const ready = page.getByRole('status').filter({ hasText: 'Service desk is ready' });
  await ready.waitFor();
  const secret = (await ready.locator('code').innerText()).trim();
  assert.match(secret, /^whsec_/);
  await page.locator('#webhooks tbody tr', { hasText: 'Service desk' }).first().waitFor();
  await settle(page);
  assert.deepEqual(await seriousViolations(page), []);
  await page.shot('webhook');

  await page.goto(`${server.base}/reclamation/policies/${policy.id}`);
  await page.getByRole('button', { name: 'Run now' }).click();
  await page.getByRole('group', { name: 'Confirm' }).getByRole('button', { name: /^Reclaim \d+ seats?$/ }).click();
  await page.getByRole('status').filter({ hasText: 'Run done' }).waitFor();

  // The background delivery deactivates each account in the app and reads it back.
  await eventually(async () => {
    const accounts = await scimAccounts();
    return selected.every((e) => accounts[e] === false);
  }, 'the accounts deactivated in the SCIM server');
  await page.goto(`${server.base}/settings`);
  await page.getByRole('link', { name: 'Zoom (SCIM)' }).click();
  await page.getByRole('heading', { name: 'Zoom (SCIM)', level: 1 }).waitFor();
  await page.getByLabel('Status').selectOption('confirmed');
  await page.waitForURL(/status=confirmed/);
  await eventually(async () => {
    await page.reload();
    const text = await page.locator('p.row-count').first().innerText().catch(() => '');
    return text === `${selected.length} action${selected.length === 1 ? '' : 's'}`;
  }, 'every action confirmed on the page');
  assert.match(await page.locator('#seat-actions tbody tr').first().innerText(), /Confirmed[\s\S]*PATCH \/Users\/\S+ active=false; read back/);
  const cases = (await api(page, `/reclamation/cases?policy_id=${policy.id}&per_page=500`)).body.items;
  assert.ok(cases.every((c) => c.state === 'reclaimed'), 'each case closed once its account was confirmed');
  // Each confirmed seat reached the desk, signed with the secret.
  await eventually(async () => received.length >= selected.length, 'the webhooks delivered');
  for (const r of received) {
    const mac = createHmac('sha256', secret).update(`${r.headers['x-seatwise-timestamp']}.${r.body}`).digest('hex');
    assert.equal(r.headers['x-seatwise-signature'], `sha256=${mac}`);
    assert.equal(JSON.parse(r.body).event, 'seat.reclaimed');
  }
  desk.close();
  await page.shot('actions');

  // Reconciliation: the two accounts added in the app directly are unknown to Seatwise.
  await page.getByRole('button', { name: 'Reconcile now' }).click();
  const unknown = page.locator('#drift-unknown tbody tr');
  await unknown.first().waitFor();
  assert.equal(await unknown.count(), 2);
  await page.locator('#drift-unknown tbody tr', { hasText: 'shadow.it@example.com' }).getByText('Not in the directory').waitFor();
  await settle(page);
  assert.deepEqual(await seriousViolations(page), []);
  await page.shot('drift');
  await page.getByRole('checkbox', { name: `Take in ${outsider.email} as a seat` }).check();
  await page.getByRole('button', { name: 'Draft a change request taking in 1 seat' }).click();
  await page.waitForURL(/\/changes\/\d+$/);
  await page.getByText(outsider.name).first().waitFor();
  await page.shot('drafted');
  // The seats Seatwise has and the app does not (the holders never given an account there): a request to remove
  // them, drafted for sign-off, one operation per listed seat.
  await page.goto(`${server.base}/connectors/${made.body.id}`);
  await page.locator('#drift-missing tbody tr').first().waitFor();
  const missing = await page.locator('#drift-missing tbody tr').count();
  assert.ok(missing > 0);
  const removeButton = page.getByRole('button', { name: /^Draft a change request removing \d+ seats?$/ });
  const n = Number((await removeButton.innerText()).match(/removing (\d+)/)[1]);
  assert.equal(n, missing, 'every listed seat, none of them on its way');
  await removeButton.click();
  await page.waitForURL(/\/changes\/\d+$/);
  const drafted = (await api(page, `/change-requests/${page.url().split('/').pop()}`)).body;
  assert.equal(drafted.operations.length, n);
  assert.ok(drafted.operations.every((o) => o.op === 'unassign' && o.pool_id === zoom.id));
  assert.match(drafted.title, /missing in the target of Zoom \(SCIM\)/);
  await page.shot('drafted-removal');
  assert.deepEqual(page.scriptErrors, []);
  // The server's log, at debug, told of the deliveries and never of the token or the webhook's secret.
  const log = server.output();
  assert.match(log, /DEBUG/, 'the log is at debug');
  assert.match(log, /bulk write/);
  for (const secretText of ['e2e-scim-token', secret]) assert.ok(!log.includes(secretText), `${secretText} in the log`);

  // On a phone.
  const phone = await newPage(browser, 'connector-phone', { width: 390, height: 844 });
  await installAxe(phone.context());
  trackRequests(phone);
  await signIn(phone, server.base, 'admin@example.com');
  await phone.goto(`${server.base}/connectors/${made.body.id}`);
  await phone.locator('#seat-actions').waitFor();
  await settle(phone);
  assert.deepEqual(await seriousViolations(phone), []);
  await phone.shot('phone');
});

test('the people who run a pool find its seat tasks under Reclamation and mark one done; others have none', async () => {
  const page = await newPage(browser, 'seat-tasks');
  await installAxe(page.context());
  trackRequests(page);
  await signIn(page, server.base, 'admin@example.com');
  const before = (await api(page, '/tasks')).body;
  assert.ok(before.total > 0, 'the demo leaves Acrobat Pro tasks to a person');
  await page.goto(`${server.base}/reclamation`);
  await page.getByRole('navigation', { name: 'Reclamation' }).getByRole('link', { name: 'Tasks' }).click();
  await page.waitForURL(/\/reclamation\/tasks$/);
  const table = page.locator('#seat-tasks');
  await table.waitFor();
  await page.getByText(`${before.total} task${before.total === 1 ? '' : 's'}`).first().waitFor();
  const first = before.items[0];
  assert.match(first.detail, /by hand/);
  await table.getByText(first.detail).waitFor();
  await settle(page);
  assert.deepEqual(await seriousViolations(page), []);
  await page.shot('tasks');
  await page.getByRole('button', { name: `Mark done: ${first.person_name} in ${first.pool_name}` }).click();
  await page.getByRole('status').filter({ hasText: `Marked done: ${first.person_name} in ${first.pool_name}.` }).waitFor();
  await eventually(async () => (await api(page, '/tasks')).body.total === before.total - 1, 'one task fewer');
  await page.getByRole('button', { name: `Mark done: ${first.person_name} in ${first.pool_name}` }).waitFor({ state: 'detached' });
  const done = (await api(page, `/connectors/${first.connector_id}/actions?status=confirmed`)).body.items.find((a) => a.id === first.id);
  assert.equal(done.confirmed_by, 'admin@example.com');
  await page.shot('marked-done');

  // Acrobat Pro is Finance's pool: the owner of Engineering and Design has nothing to do there; finance reads
  // reclamation but is not offered the tab.
  const owner = await newPage(browser, 'seat-tasks-owner', { width: 390, height: 844 });
  await installAxe(owner.context());
  trackRequests(owner);
  await signIn(owner, server.base, 'owner@example.com');
  await owner.goto(`${server.base}/reclamation/tasks`);
  await owner.getByText('Nothing to do by hand').waitFor();
  await settle(owner);
  assert.deepEqual(await seriousViolations(owner), []);
  await owner.shot('owner-phone');
  const finance = await newPage(browser, 'seat-tasks-finance');
  await signIn(finance, server.base, 'finance@example.com');
  await finance.goto(`${server.base}/reclamation/cases`);
  await finance.getByRole('navigation', { name: 'Reclamation' }).getByRole('link', { name: 'Cases' }).waitFor();
  assert.equal(await finance.getByRole('navigation', { name: 'Reclamation' }).getByRole('link', { name: 'Tasks' }).count(), 0);
});
