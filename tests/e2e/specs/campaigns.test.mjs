// End-to-end: a consent campaign, with a real SMTP sink and the server's clock moved through a file. An admin asks
// the holders of the Zoom seats the policy selects; one releases from the e-mail's link, one keeps (on a phone),
// the rest stay silent and are reclaimed at the deadline. A scanner's GET changes nothing; tampered, replayed and
// expired links are refused; the campaign page and the savings log show the result.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installAxe, seriousViolations, settle, sidewaysOverflow, trackRequests } from '../lib/a11y.mjs';
import { eventually, launchBrowser, newPage, signIn, startServer, startSmtpSink } from '../lib/harness.mjs';

let server;
let browser;
let sink;
let offsetFile;

before(async () => {
  sink = await startSmtpSink();
  offsetFile = join(mkdtempSync(join(tmpdir(), 'seatwise-clock-')), 'offset');
  writeFileSync(offsetFile, '0');
  server = await startServer({ SEATWISE_SMTP_URL: sink.url, SEATWISE_JOB_INTERVAL: '1', SEATWISE_CLOCK_OFFSET_FILE: offsetFile });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  await sink?.close();
});

async function api(page, path, init) {
  return page.evaluate(async ([p, i]) => {
    const r = await fetch(`/api/v1${p}`, i ?? {});
    return { status: r.status, body: await r.json() };
  }, [path, init]);
}

const asked = () => sink.messages.filter((m) => m.mail.subject === 'Do you still need this license?');

/// The response links in a mail: the first Release and Keep links of its seats.
function links(message) {
  const text = message.mail.text;
  return {
    release: text.match(/Release: (http\S+)/)[1],
    keep: text.match(/Keep: (http\S+)/)[1],
  };
}

test('holders answer from the mail; silence is reclaimed at the deadline; bad links change nothing', async () => {
  const admin = await newPage(browser, 'campaign-admin');
  await signIn(admin, server.base, 'admin@example.com');
  await admin.goto(`${server.base}/reclamation`);
  await admin.getByRole('link', { name: /Remove Zoom after 90 days/ }).click();
  const findings = admin.locator('#findings tbody tr');
  await findings.first().waitFor();
  const selected = await findings.count();
  assert.ok(selected >= 3, `the demo has at least three idle Zoom seats (${selected})`);

  // Start the campaign from the policy: silence takes the seat back.
  await admin.getByText('Ask holders first').click();
  await admin.getByLabel('Without an answer').selectOption('reclaim');
  await admin.shot('start-form');
  await admin.getByRole('button', { name: 'Send the questions' }).click();
  await admin.waitForURL(/\/reclamation\/campaigns\/\d+$/);
  const id = Number(new URL(admin.url()).pathname.split('/').pop());
  await admin.getByText('Response rate').waitFor();
  const started = (await api(admin, `/reclamation/campaigns/${id}`)).body;
  assert.equal(started.counts.asked, selected);
  assert.equal(started.counts.waiting, selected);
  await admin.shot('campaign-started');

  // One e-mail per holder, each with its own links.
  await eventually(() => asked().length === selected, 'a mail to every holder');
  const [first, second, third] = asked();
  assert.notEqual(links(first).release, links(second).release);

  // A mail scanner fetches every link: nothing changes.
  for (const m of [first, second, third]) {
    for (const url of Object.values(links(m))) {
      assert.equal((await fetch(url)).status, 200);
      assert.equal((await fetch(url.replace('/respond/', '/api/v1/respond/').split('?')[0])).status, 200);
    }
  }
  assert.equal((await api(admin, `/reclamation/campaigns/${id}`)).body.counts.waiting, selected);

  // The first holder follows Release: the page asks again, and only Send answers.
  const holder = await newPage(browser, 'campaign-holder');
  await installAxe(holder.context());
  trackRequests(holder);
  await holder.goto(links(first).release);
  await holder.getByRole('heading', { name: 'Do you still need this license?' }).waitFor();
  await settle(holder);
  assert.deepEqual(await seriousViolations(holder), []);
  assert.ok(await holder.getByRole('radio', { name: 'Release' }).isChecked());
  await holder.shot('release-preset');
  await holder.getByRole('button', { name: 'Send my answer' }).click();
  await holder.getByText('Thank you: your answer is recorded.').waitFor();
  await holder.getByText('Given back').waitFor();
  await holder.shot('released');
  // Sent again (a replay), it is refused; the page says it is answered.
  const token = links(first).release.split('/respond/')[1].split('?')[0];
  const replay = await fetch(`${server.base}/api/v1/respond/${token}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ choice: 'keep' }),
  });
  assert.equal(replay.status, 409);
  await holder.reload();
  await holder.getByText('Every seat here has been answered. Thank you.').waitFor();
  assert.equal(await holder.getByRole('button', { name: 'Send my answer' }).count(), 0);
  // A tampered link says plainly that it is not valid.
  await holder.goto(`${server.base}/respond/${token.slice(0, -2)}xy`);
  await holder.getByRole('heading', { name: 'This link is not valid' }).waitFor();

  // The second keeps, on a phone, with a comment.
  const phone = await newPage(browser, 'campaign-phone', { width: 390, height: 844 });
  await installAxe(phone.context());
  trackRequests(phone);
  await phone.goto(links(second).keep);
  await phone.getByRole('heading', { name: 'Do you still need this license?' }).waitFor();
  await settle(phone);
  assert.deepEqual(await seriousViolations(phone), []);
  assert.equal((await sidewaysOverflow(phone)).by, 0);
  assert.ok(await phone.getByRole('radio', { name: 'Keep' }).isChecked());
  await phone.getByLabel('Comment (optional)').fill('Weekly customer calls');
  await phone.shot('keep-preset');
  await phone.getByRole('button', { name: 'Send my answer' }).click();
  await phone.getByText('Thank you: your answer is recorded.').waitFor();
  await phone.getByText('Kept', { exact: true }).waitFor();
  await phone.shot('kept');

  let c = (await api(admin, `/reclamation/campaigns/${id}`)).body;
  assert.deepEqual([c.counts.released, c.counts.kept, c.counts.waiting], [1, 1, selected - 2]);

  // Any seat list's selection can be asked too: two seats chosen on a pool's page.
  await admin.goto(`${server.base}/pools?q=Slack`);
  await admin.locator('table.table tbody tr a.row-link').first().click();
  await admin.getByRole('checkbox', { name: /^Choose the seat of / }).first().check();
  await admin.getByRole('checkbox', { name: /^Choose the seat of / }).nth(1).check();
  await admin.getByText('Ask holders first').click();
  await admin.shot('ask-chosen-seats');
  await admin.getByRole('button', { name: 'Send the questions' }).click();
  await admin.waitForURL(/\/reclamation\/campaigns\/\d+$/);
  await admin.getByText('Response rate').waitFor();
  assert.equal(await admin.locator('.card.stat', { hasText: 'Asked' }).locator('.stat-value').innerText(), '2');

  // Past the deadline (15 days on, read by the server from the offset file), the silent seats are reclaimed.
  writeFileSync(offsetFile, String(16 * 86400));
  await signIn(admin, server.base, 'admin@example.com');
  await eventually(async () => (await api(admin, `/reclamation/campaigns/${id}`)).body.closed_at, 'the deadline acted on', 20000);
  c = (await api(admin, `/reclamation/campaigns/${id}`)).body;
  assert.deepEqual(
    [c.counts.asked, c.counts.released, c.counts.kept, c.counts.reclaimed, c.counts.waiting],
    [selected, 1, 1, selected - 2, 0],
  );
  assert.equal(c.response_rate_percent, Math.round(200 / selected));
  await admin.goto(`${server.base}/reclamation/campaigns/${id}`);
  await admin.getByText('Reclaimed at the deadline').waitFor();
  const stat = (label) => admin.locator('.card.stat', { hasText: label }).locator('.stat-value').innerText();
  assert.equal(await stat('Asked'), String(selected));
  assert.equal(await stat('Reclaimed at the deadline'), String(selected - 2));
  assert.equal(await stat('Response rate'), `${c.response_rate_percent}%`);
  await admin.shot('campaign-closed');
  // The list shows it closed.
  await admin.goto(`${server.base}/reclamation/campaigns`);
  await admin.locator('#campaigns tbody tr', { hasText: 'Closed' }).first().waitFor();
  await admin.shot('campaigns');

  // The savings log has the released and reclaimed seats.
  const saved = (await api(admin, `/savings?per_page=500`)).body.items.filter((e) => e.pool_name.startsWith('Zoom'));
  assert.ok(saved.length >= selected - 1, `${saved.length} Zoom savings entries`);

  // The third holder's link has expired, and says whom to contact.
  await holder.goto(links(third).release);
  await holder.getByText(/This link has expired/).waitFor();
  await holder.shot('expired');
  assert.deepEqual(holder.scriptErrors, []);
  assert.deepEqual(phone.scriptErrors, []);
  assert.deepEqual(admin.scriptErrors, []);
});
