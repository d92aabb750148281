// End-to-end: signing in through the organisation's identity provider, in Chromium. The provider is npm's
// oidc-provider (OpenID Certified, pinned in package.json) started here (lib/idp.mjs); the server runs with
// --oidc-issuer/--oidc-client-id/--oidc-client-secret. A member of the approvers group lands on the approval
// queue as an approver; out of the group, the role is gone at the next sign-in; a person SCIM deactivated is
// refused with words; a refused sign-in is explained on the login page. Screenshots on a desktop and a phone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { installAxe, seriousViolations, settle, sidewaysOverflow, trackRequests } from '../lib/a11y.mjs';
import { launchBrowser, newPage, PASSWORD, signIn, startServer } from '../lib/harness.mjs';

let server;
let browser;
let idp;
let issuer;

async function startIdp() {
  const script = join(dirname(new URL(import.meta.url).pathname), '..', 'lib', 'idp.mjs');
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening (\d+)/);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`identity provider exited ${code}`)));
  });
  return { child, issuer: `http://127.0.0.1:${port}` };
}

async function idpAdmin(method, path, body) {
  const r = await fetch(`${issuer}${path}`, { method, body: JSON.stringify(body ?? {}) });
  assert.ok(r.ok, `${method} ${path}: ${r.status}`);
}

/// A session for the API as a demo user: its cookie and CSRF token.
async function apiAs(email) {
  const r = await fetch(`${server.base}/api/v1/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }),
  });
  assert.equal(r.status, 200);
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrf_token: csrf } = await r.json();
  return async (method, path, body) => {
    const res = await fetch(`${server.base}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };
}

before(async () => {
  idp = await startIdp();
  issuer = idp.issuer;
  server = await startServer({
    SEATWISE_OIDC_ISSUER: issuer,
    SEATWISE_OIDC_CLIENT_ID: 'seatwise',
    SEATWISE_OIDC_CLIENT_SECRET: 'seatwise-test-secret',
    SEATWISE_OIDC_NAME: 'Test IdP',
    SEATWISE_OIDC_SCOPES: 'email,profile,groups',
  });
  await idpAdmin('PUT', '/__client', {
    redirect_uris: [`${server.base}/api/v1/auth/oidc/callback`],
    post_logout_redirect_uris: [`${server.base}/login`],
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  idp?.child.kill('SIGTERM');
});

/// Sign in through the provider from the login page, as `login` at the provider.
async function signInThroughProvider(page, login) {
  await page.goto(`${server.base}/login`);
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
  await page.getByLabel('User name').fill(login);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('an approver signs in through the provider, lands on the queue, and loses the role with the group', async () => {
  const admin = await apiAs('admin@example.com');
  // An admin maps the provider's groups to roles on the Settings page.
  const adminPage = await newPage(browser, 'sign-in-groups');
  await signIn(adminPage, server.base, 'admin@example.com');
  await adminPage.goto(`${server.base}/settings`);
  await adminPage.getByRole('heading', { name: "Roles from the identity provider's groups" }).waitFor();
  await adminPage.getByRole('button', { name: 'Add a group' }).click();
  await adminPage.getByLabel('Group, row 1').fill('seatwise-approvers');
  await adminPage.getByRole('button', { name: 'Add a group' }).click();
  await adminPage.getByLabel('Group, row 2').fill('sales-owners');
  await adminPage.getByLabel('Role, row 2').selectOption('license_owner');
  await adminPage.getByRole('button', { name: 'Save mapping' }).click();
  await adminPage.getByText('Row 2: a license owner owns a department: name it').waitFor();
  await adminPage.getByRole('button', { name: 'Remove row 2' }).click();
  await adminPage.getByRole('button', { name: 'Save mapping' }).click();
  await adminPage.getByText('Mapping saved.').waitFor();
  await adminPage.shot('mapping');
  const mapping = await admin('GET', '/api/v1/settings/sign-in-groups');
  assert.deepEqual(mapping.body, [{ group: 'seatwise-approvers', role: 'approver', department_id: null }]);
  assert.deepEqual(adminPage.scriptErrors, []);
  // A person of the directory without a login, who the provider knows by the same verified address.
  const people = await admin('GET', '/api/v1/people?status=active&per_page=50');
  const users = (await admin('GET', '/api/v1/users')).body.map((u) => u.email);
  const person = people.body.items.find((p) => !users.includes(p.email));
  await idpAdmin('PUT', '/__accounts/appr-e2e', {
    email: person.email, email_verified: true, name: person.name, groups: ['Seatwise-Approvers'],
  });

  const page = await newPage(browser, 'sign-in-approver');
  await page.goto(`${server.base}/login`);
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).waitFor();
  await page.shot('login');
  await signInThroughProvider(page, 'appr-e2e');
  await page.waitForURL((url) => url.pathname === '/changes');
  assert.equal(new URL(page.url()).searchParams.get('for_me'), 'true', 'the approval queue, waiting for them');
  const me = await (await page.request.get(`${server.base}/api/v1/me`)).json();
  assert.deepEqual(me.roles, ['approver']);
  assert.equal(me.user.email, person.email);
  await page.shot('queue');

  // Logging out ends the provider's session too (RP-initiated logout) and comes back to the login page.
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await page.waitForURL((url) => url.href.startsWith(server.base) && url.pathname === '/login');
  assert.equal((await page.request.get(`${server.base}/api/v1/me`)).status(), 401);

  // Out of the group at the provider: no longer an approver at the next sign-in.
  await idpAdmin('PUT', '/__accounts/appr-e2e', { email: person.email, email_verified: true, name: person.name, groups: [] });
  await page.context().clearCookies({ domain: '127.0.0.1' });
  await signInThroughProvider(page, 'appr-e2e');
  // An employee now: they land on their own seats, and the console's pages are not offered.
  await page.waitForURL((url) => url.pathname === '/my/seats');
  const after = await (await page.request.get(`${server.base}/api/v1/me`)).json();
  assert.deepEqual(after.roles, ['employee']);
  await page.getByRole('heading', { name: 'My seats' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Inventory' }).count(), 0);
  await page.shot('employee');

  // Deactivated by SCIM: the session ends, and the next sign-in is refused in words.
  const token = (await admin('POST', '/api/v1/scim/tokens', { name: 'e2e' })).body.token;
  const patch = await fetch(`${server.base}/scim/v2/Users/${person.id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    }),
  });
  assert.equal(patch.status, 200, await patch.text());
  assert.equal((await page.request.get(`${server.base}/api/v1/me`)).status(), 401, 'the session ended');
  await page.context().clearCookies({ domain: '127.0.0.1' });
  await signInThroughProvider(page, 'appr-e2e');
  await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('sign_in_error') === 'deactivated');
  await page.getByRole('alert').filter({ hasText: 'Your account is deactivated' }).waitFor();
  await page.shot('refused');
  assert.deepEqual(page.scriptErrors, []);
});

test('an employee signs in through the provider, gives a seat back and asks for a license', async () => {
  const admin = await apiAs('admin@example.com');
  const email = 'liam.okafor1@example.com';
  await idpAdmin('PUT', '/__accounts/liam-e2e', { email, email_verified: true, name: 'Liam Okafor', groups: [] });
  const page = await newPage(browser, 'employee-gives-back');
  await signInThroughProvider(page, 'liam-e2e');
  await page.waitForURL((url) => url.pathname === '/my/seats');
  const rows = page.locator('#my-seats tbody tr');
  await rows.first().waitFor();
  const before = await (await page.request.get(`${server.base}/api/v1/my/seats`)).json();
  assert.equal(await rows.count(), before.length);
  const seat = before[0];
  const pool = seat.pool.name;

  // Giving a seat back asks first, saying what it saves; Cancel changes nothing.
  await page.getByRole('button', { name: `Give back ${pool}` }).click();
  const question = page.getByRole('group', { name: 'Confirm' });
  await question.getByText(`Give back your ${pool} seat?`).waitFor();
  await page.shot('give-back-question');
  await question.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await rows.count(), before.length);
  await page.getByRole('button', { name: `Give back ${pool}` }).click();
  await page.getByRole('button', { name: 'Yes, give it back' }).click();
  await page.getByRole('status').filter({ hasText: `You gave back your ${pool} seat.` }).waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('#my-seats tbody tr').length === n, before.length - 1);
  await page.shot('given-back');
  // The seat is free, its case and saving recorded with the employee as its actor, no approval asked for.
  const cases = await admin('GET', `/api/v1/reclamation/cases?state=reclaimed&per_page=500`);
  const mine = cases.body.items.find((c) => c.origin === 'holder' && c.pool_id === seat.pool.id);
  assert.ok(mine, 'a reclaimed case of origin holder');
  assert.equal(mine.closed_by, email);
  const savings = await admin('GET', '/api/v1/savings?per_page=500');
  assert.ok(JSON.stringify(savings.body).includes(pool), 'the savings log names the pool');

  // Asking for a license: the reason is required, said beside its field; then the request waits in the queue.
  const license = page.getByLabel('License', { exact: true });
  const chosen = await license.locator('option').nth(1).textContent();
  const offeredValue = await license.locator('option').nth(1).getAttribute('value');
  await license.selectOption(offeredValue);
  await page.getByRole('button', { name: 'Send request' }).click();
  await page.getByText('is required: say what you need the license for').waitFor();
  await page.getByLabel('Why you need it').fill('Design reviews with the product team');
  await page.getByRole('button', { name: 'Send request' }).click();
  await page.getByRole('status').filter({ hasText: 'is with the approvers' }).waitFor();
  const request = page.locator('#my-requests tbody tr').first();
  await request.getByText('Waiting for approval').waitFor();
  assert.ok(chosen.startsWith(await request.locator('td').first().textContent()), chosen);
  await page.shot('asked');
  const approver = await apiAs('approver@example.com');
  const queue = await approver('GET', '/api/v1/change-requests?waiting_for=approver&per_page=100');
  assert.ok(queue.body.items.some((r) => r.requested_by.name.includes('Liam')), 'in the approval queue');
  assert.deepEqual(page.scriptErrors, []);
});

test('the login page offers the provider on a phone, with the password form beside it, and passes axe-core', async () => {
  const page = await newPage(browser, 'sign-in-phone', { width: 390, height: 844 });
  await installAxe(page.context());
  trackRequests(page);
  await page.goto(`${server.base}/login?sign_in_error=state`);
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).waitFor();
  await page.getByText('or with a password').waitFor();
  await page.getByLabel('Password').waitFor();
  await page.getByRole('alert').filter({ hasText: 'already used, has expired' }).waitFor();
  await settle(page);
  assert.deepEqual(await seriousViolations(page), []);
  for (const scheme of ['dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    assert.deepEqual(await seriousViolations(page), [], scheme);
  }
  assert.equal((await sidewaysOverflow(page)).by, 0, 'nothing wider than the phone');
  await page.shot('login-phone');
  assert.deepEqual(page.scriptErrors, []);
});

test('an employee lands on their own seats, which pass axe-core on a phone', async () => {
  const page = await newPage(browser, 'my-seats-phone', { width: 390, height: 844 });
  await installAxe(page.context());
  trackRequests(page);
  const landed = await signIn(page, server.base, 'liam.okafor1@example.com');
  assert.equal(new URL(landed).pathname, '/my/seats');
  await page.locator('#my-seats tbody tr').first().waitFor();
  const seats = await (await page.request.get(`${server.base}/api/v1/my/seats`)).json();
  assert.equal(await page.locator('#my-seats tbody tr').count(), seats.length);
  for (const s of seats) await page.locator('#my-seats tbody tr', { hasText: s.pool.name }).first().waitFor();
  await settle(page);
  assert.deepEqual(await seriousViolations(page), []);
  assert.equal((await sidewaysOverflow(page)).by, 0);
  await page.shot('my-seats');
  assert.deepEqual(page.scriptErrors, []);
});
