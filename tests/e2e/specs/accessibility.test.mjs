// End-to-end: every page of the console, as each demo role, on a desktop and on a 390 px phone, checked with
// axe-core (no serious or critical violation, in the light and the dark theme) and for sideways scrolling; and the
// phone navigation used by keyboard. One browser and one login per role; the pages are visited in sequence.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { installAxe, seriousViolations, settle, sidewaysOverflow, trackRequests } from '../lib/a11y.mjs';
import { launchBrowser, login, newPage, startServer } from '../lib/harness.mjs';

const DESKTOP = { width: 1360, height: 900 };
const PHONE = { width: 390, height: 844 };

// Every route of the app (app/src/main.rs), with the record each detail page shows. A route missing here fails
// the first test, so a new page cannot slip past these checks.
const PAGES = [
  { route: '/pools', name: 'inventory' },
  { route: '/pools/new', name: 'pool-new' },
  { route: '/pools/:id', name: 'pool', record: 'pool' },
  { route: '/pools/:id/edit', name: 'pool-edit', record: 'pool' },
  { route: '/my', name: 'my-licenses' },
  { route: '/overview', name: 'overview' },
  { route: '/people', name: 'people' },
  { route: '/people/:id', name: 'person', record: 'person' },
  { route: '/devices', name: 'devices' },
  { route: '/renewals', name: 'renewals-month' },
  { route: '/renewals', name: 'renewals-agenda', query: '?view=agenda' },
  { route: '/contracts', name: 'contracts' },
  { route: '/contracts/new', name: 'contract-new' },
  { route: '/contracts/:id', name: 'contract', record: 'contract' },
  { route: '/contracts/:id/edit', name: 'contract-edit', record: 'contract' },
  { route: '/alerts', name: 'alerts' },
  { route: '/alerts/:id', name: 'alert', record: 'alert' },
  { route: '/settings', name: 'settings' },
  { route: '/connectors/:id', name: 'connector', record: 'connector' },
  { route: '/my/seats', name: 'my-seats' },
  { route: '/ledger', name: 'ledger' },
  { route: '/imports', name: 'imports' },
  { route: '/imports/history', name: 'import-history' },
  { route: '/changes', name: 'changes' },
  { route: '/changes/new', name: 'change-upload' },
  { route: '/changes/policy', name: 'approval-policy' },
  { route: '/changes/:id', name: 'change', record: 'change' },
  { route: '/reclamation', name: 'reclamation' },
  { route: '/reclamation/policies/new', name: 'policy-new' },
  { route: '/reclamation/policies/:id', name: 'policy', record: 'policy' },
  { route: '/reclamation/policies/:id/edit', name: 'policy-edit', record: 'policy' },
  { route: '/reclamation/cases', name: 'cases' },
  { route: '/reclamation/holds', name: 'holds' },
  { route: '/reclamation/campaigns', name: 'campaigns' },
  { route: '/reclamation/campaigns/:id', name: 'campaign', record: 'campaign' },
  { route: '/reclamation/tasks', name: 'tasks' },
  { route: '/savings', name: 'savings' },
  { route: '/finance', name: 'finance' },
  { route: '/finance/pools', name: 'finance-pools', query: '?position=waste' },
  { route: '/finance/rates', name: 'exchange-rates' },
  { route: '/finance/cost-centres/:id', name: 'cost-centre', record: 'costCentre' },
  { route: '/no-such-page', name: 'not-found' },
];
// Pages seen before signing in.
const PUBLIC_PAGES = [
  { route: '/login', name: 'login' },
  { route: '/setup', name: 'setup' },
  // A link that is not valid (the real ones are checked in campaigns.test.mjs, where the mail brings them).
  { route: '/respond/:token', name: 'respond-invalid', record: 'token' },
];
// `/` only redirects to the inventory.
const REDIRECTS = ['/'];

const ROLES = [
  { role: 'admin', email: 'admin@example.com' },
  { role: 'owner', email: 'owner@example.com' },
  { role: 'finance', email: 'finance@example.com' },
  { role: 'approver', email: 'approver@example.com' },
];

let server;
let browser;
let adminRecords;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
});

// Real contracts carry longer addresses than the demo's: a shared mailbox of a subsidiary, a document store path.
const LONG_CONTACT = 'Procurement desk: renewals-and-licensing.team@emea.subsidiary-holdings-international.example';
const LONG_DOCUMENT = 'https://documents.example.com/vendor-agreements/2026/master-subscription-agreement-order-form-and-data-processing-addendum-signed.pdf';

/// As the admin, give a contract of an Engineering pool (one the owner sees too) those long values, in its form.
async function lengthenContract(page) {
  const get = async (path) => (await (await page.request.get(`${server.base}/api/v1${path}`)).json());
  const engineering = (await get('/departments')).find((d) => d.name === 'Engineering').id;
  const pools = new Set((await get(`/pools?department_id=${engineering}&per_page=500`)).items.map((p) => p.id));
  const contract = (await get('/contracts?per_page=500')).items.find((c) => c.pools.some((p) => pools.has(p.id)));
  await page.goto(`${server.base}/contracts/${contract.id}/edit`);
  await page.getByLabel('Vendor contact').fill(LONG_CONTACT);
  await page.getByLabel('Documents (one link per line)').fill(`${contract.documents.join('\n')}\n${LONG_DOCUMENT}`.trim());
  await page.getByRole('button', { name: 'Save contract' }).click();
  await page.waitForURL(new RegExp(`/contracts/${contract.id}$`));
  await page.getByRole('link', { name: LONG_DOCUMENT }).waitFor();
}

/// The records the detail pages show, as `email` sees them: the fullest pool, a person who holds seats, the
/// contract with the longest contact and document addresses, and an alert. What the role cannot see comes from
/// the admin's records (the page then says it is not there, which is a page too).
async function recordsFor(page) {
  const get = async (path) => (await (await page.request.get(`${server.base}/api/v1${path}`)).json());
  const pool = (await get('/pools?sort=-seats_purchased&per_page=1')).items[0]?.id;
  const person = (await get('/people?holds_seats=true&per_page=1')).items[0]?.id;
  const contracts = (await get('/contracts?per_page=500')).items;
  const textLength = (c) => (c.vendor_contact ?? '').length + Math.max(0, ...c.documents.map((d) => d.length));
  const contract = contracts.sort((a, b) => textLength(b) - textLength(a))[0]?.id;
  const alert = (await get('/alerts?inbox=all&per_page=1')).items?.[0]?.id;
  // The request with the most to show: a pilot applied, the rest pending (the demo has one).
  const change = (await get('/change-requests?status=piloted&per_page=1')).items?.[0]?.id;
  // The enabled policy: its dry run has the most rows.
  const policy = (await get('/reclamation/policies')).items?.find((p) => p.enabled)?.id;
  // The cost centre with the most spend the role sees.
  const costCentre = (await get('/finance/summary')).by_cost_centre?.[0]?.id;
  // The open campaign (the demo's newest): its seats still have answers coming in.
  const campaign = (await get('/reclamation/campaigns')).items?.[0]?.id;
  // The demo's manual connector, with tasks done and waiting (admins only; others are told it is not theirs).
  const connector = (await get('/connectors')).items?.[0]?.id;
  const records = { pool, person, contract, alert, change, policy, costCentre, campaign, connector };
  for (const [k, v] of Object.entries(records)) records[k] = v ?? adminRecords?.[k];
  return records;
}

function address(p, records) {
  const path = p.record ? p.route.replace(/:\w+/, String(records[p.record])) : p.route;
  return `${server.base}${path}${p.query ?? ''}`;
}

// Colour contrast is the slowest rule by far. Every role gets it on the desktop page in the light theme; the
// colours are the same tokens for everyone, so the dark theme and the phone layout get it for the admin (who
// sees the most controls) only. Every other rule runs at both widths for every role.
const WITHOUT_CONTRAST = { rules: { 'color-contrast': { enabled: false } } };
const CONTRAST_ONLY = { runOnly: ['color-contrast'] };

/// Visit each page at desktop width, then at phone width, and return every problem found, one line each.
async function checkPages(page, pages, records, who, { everyTheme = false } = {}) {
  const problems = [];
  const overflow = async (where) => {
    const o = await sidewaysOverflow(page);
    if (o.by > 0) problems.push(`${where}: scrolls ${o.by}px sideways: ${o.culprits.join(' | ')}`);
  };
  for (const p of pages) {
    await page.setViewportSize(DESKTOP);
    await page.goto(address(p, records));
    await settle(page);
    const where = `${who} ${p.name} (${new URL(page.url()).pathname})`;
    for (const v of await seriousViolations(page)) problems.push(`${where}, desktop: ${v}`);
    await overflow(`${where}, desktop`);
    await page.shot(`${p.name}-desktop`);
    if (everyTheme) {
      await page.emulateMedia({ colorScheme: 'dark' });
      for (const v of await seriousViolations(page, CONTRAST_ONLY)) problems.push(`${where}, dark: ${v}`);
      await page.emulateMedia({ colorScheme: 'light' });
    }

    await page.setViewportSize(PHONE);
    await settle(page);
    for (const v of await seriousViolations(page, everyTheme ? {} : WITHOUT_CONTRAST)) problems.push(`${where}, phone: ${v}`);
    await overflow(`${where}, phone`);
    await page.shot(`${p.name}-phone`);
  }
  return problems;
}

async function rolePage(name) {
  const page = await newPage(browser, name, DESKTOP);
  await installAxe(page.context());
  trackRequests(page);
  return page;
}

test('the checks cover every route of the app', () => {
  const main = readFileSync(new URL('../../../app/src/main.rs', import.meta.url), 'utf8');
  const routes = [...main.matchAll(/path!\("([^"]*)"\)/g)].map((m) => m[1]);
  assert.ok(routes.length > 10, 'routes found in app/src/main.rs');
  const covered = new Set([...PAGES, ...PUBLIC_PAGES].map((p) => p.route).concat(REDIRECTS));
  assert.deepEqual(routes.filter((r) => !covered.has(r)), [], 'routes without an accessibility check');
});

test('the pages seen before signing in pass axe-core and fit a phone', async () => {
  const page = await rolePage('a11y-public');
  const problems = await checkPages(page, PUBLIC_PAGES, { token: 'swr_1-1-not-a-signature' }, 'anonymous', { everyTheme: true });
  assert.deepEqual(problems, []);
  assert.deepEqual(page.scriptErrors, []);
  await page.context().close();
});

for (const { role, email } of ROLES) {
  test(`as ${role}, every page passes axe-core and fits the desktop and a 390 px phone`, async () => {
    const page = await rolePage(`a11y-${role}`);
    await login(page, server.base, email);
    if (role === 'admin') await lengthenContract(page);
    const records = await recordsFor(page);
    if (role === 'admin') adminRecords = records;
    const problems = await checkPages(page, PAGES, records, role, { everyTheme: role === 'admin' });
    assert.deepEqual(problems, [], `${problems.length} problems:\n${problems.join('\n')}`);
    assert.deepEqual(page.scriptErrors, []);
    await page.context().close();
  });
}

test('on a phone the navigation is a menu: opened and closed by keyboard, one line per item, closed after choosing', async () => {
  const page = await rolePage('a11y-phone-menu');
  await page.setViewportSize(PHONE);
  await login(page, server.base, 'admin@example.com');
  const button = page.getByRole('button', { name: 'Menu' });
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  assert.equal(await nav.isVisible(), false, 'the navigation is folded away');
  await page.shot('closed');

  await button.focus();
  await page.keyboard.press('Enter');
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  await nav.waitFor();
  const links = nav.getByRole('link');
  assert.ok(await links.count() >= 8, 'every page the admin has is in the menu');
  for (const box of await links.evaluateAll((as) => as.map((a) => {
    const r = a.getBoundingClientRect();
    return { text: a.textContent, lines: a.getClientRects().length, height: r.height, left: r.left, right: r.right };
  }))) {
    assert.equal(box.lines, 1, `${box.text} is on one line`);
    assert.ok(box.height < 56, `${box.text} is one line high (${box.height}px)`);
    assert.ok(box.left >= 0 && box.right <= PHONE.width, `${box.text} fits the screen`);
  }
  await page.shot('open');

  // Tab goes from the button into the menu; Escape closes it and gives the focus back to the button.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.closest('nav')?.getAttribute('aria-label')), 'Main');
  await page.keyboard.press('Escape');
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Menu');

  // Tabbing past its last item (Log out) folds it too: the open panel would cover the page.
  await page.keyboard.press('Enter');
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  for (let i = 0; i <= await links.count(); i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Log out');
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  await page.keyboard.press('Tab');
  assert.equal(await button.getAttribute('aria-expanded'), 'false');

  // Choosing a page goes there and folds the menu again.
  await button.click();
  await nav.getByRole('link', { name: 'People' }).click();
  await page.waitForURL(/\/people$/);
  await page.getByRole('heading', { name: 'People' }).waitFor();
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  assert.equal(await nav.isVisible(), false);
  await page.shot('after-choosing');

  // A tablet gets the menu too, and nothing sticks out.
  await page.setViewportSize({ width: 1024, height: 768 });
  assert.equal(await button.isVisible(), true);
  assert.equal((await sidewaysOverflow(page)).by, 0);

  // On a desktop there is no menu button: the navigation is always there.
  await page.setViewportSize(DESKTOP);
  assert.equal(await button.isVisible(), false);
  assert.equal(await nav.isVisible(), true);
  assert.deepEqual(page.scriptErrors, []);
});
