// Accessibility checks run inside the page: axe-core (from npm, pinned in package.json) and sideways scrolling.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/// Make axe available in every document the context loads (added before the app's own scripts run).
export async function installAxe(context) {
  await context.addInitScript({ content: axeSource });
}

/// Count the page's requests in flight, so `settle` knows when every resource a page asked for has answered.
export function trackRequests(page) {
  let inFlight = 0;
  page.on('request', () => { inFlight += 1; });
  const done = () => { inFlight -= 1; };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  page.inFlight = () => inFlight;
}

/// Wait until the page shows its heading, no spinner is left and no request is in flight for two frames.
export async function settle(page, timeoutMs = 15000) {
  const until = Date.now() + timeoutMs;
  let quiet = 0;
  while (quiet < 2) {
    if (Date.now() > until) throw new Error(`${page.url()} did not finish loading`);
    const ready = await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(
      document.querySelector('h1') !== null && document.querySelector('.loading') === null))));
    quiet = ready && page.inFlight() === 0 ? quiet + 1 : 0;
    if (quiet < 2) await page.waitForTimeout(quiet ? 30 : 60);
  }
}

/// axe-core's serious and critical violations on the page as it is now, one readable line per element.
export async function seriousViolations(page, options = {}) {
  return page.evaluate(async (opts) => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { resultTypes: ['violations'], ...opts });
    const lines = [];
    for (const v of result.violations) {
      if (v.impact !== 'serious' && v.impact !== 'critical') continue;
      for (const node of v.nodes) {
        const data = node.any.concat(node.all, node.none).map((c) => c.data).find((d) => d && d.contrastRatio);
        const why = data ? ` (${data.fgColor} on ${data.bgColor}: ${data.contrastRatio}, needs ${data.expectedContrastRatio})` : '';
        lines.push(`${v.impact} ${v.id}: ${node.target.join(' ')}${why}`);
      }
    }
    return lines;
  }, options);
}

/// How far the document scrolls sideways (0 when it fits), with the elements that stick out past the right edge,
/// leaving out those inside a container that scrolls on its own (a wide table in its `.table-wrap`).
export async function sidewaysOverflow(page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const by = root.scrollWidth - root.clientWidth;
    if (by <= 0) return { by: 0, culprits: [] };
    const scrollsItself = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
      }
      return false;
    };
    const culprits = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > root.clientWidth + 1 && r.width > 0 && !scrollsItself(el)) {
        const name = el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') + (el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : '');
        culprits.push(`${name} (right edge ${Math.round(r.right)}px): ${(el.textContent ?? '').trim().slice(0, 60)}`);
      }
    }
    // The innermost elements say most; their ancestors stick out because of them.
    return { by, culprits: culprits.slice(-6) };
  });
}
