// End-to-end: an admin adds a SCIM connector on the settings page, pointed at a real SCIM server (PyPI's
// scim2-server, pinned in tests/connectors), tests it, and reads what works; the token is never shown again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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
  server = await startServer({ SEATWISE_CREDENTIALS_KEY: Buffer.alloc(32, 9).toString('base64') });
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
  await page.getByLabel('Name', { exact: true }).fill('Slack (SCIM)');
  await page.getByLabel('Base address').fill(peerBase);
  await page.getByLabel('Bearer token').fill('e2e-scim-token');
  await page.getByLabel('Pool it acts on (more through the API)').selectOption({ label: 'Slack Business+' });
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
  assert.deepEqual(page.scriptErrors, []);
});
