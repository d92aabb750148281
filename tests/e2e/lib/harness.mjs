// Starts the real server binary with --demo on a fresh SQLite file and drives Debian's Chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

export const PASSWORD = 'e2e-demo-password';
const screenshots = process.env.SCREENSHOTS ?? join(process.cwd(), '..', '..', 'target', 'screenshots');
mkdirSync(screenshots, { recursive: true });

/// A free local port (for the servers the tests start beside Seatwise).
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function startServer(extraEnv = {}) {
  const bin = process.env.SEATWISE_BIN;
  if (!bin) throw new Error('SEATWISE_BIN must point at the seatwise binary (the test command sets it)');
  const dir = mkdtempSync(join(tmpdir(), 'seatwise-e2e-'));
  const port = await freePort();
  const child = spawn(bin, ['--demo', '--database', `sqlite://${dir}/seatwise.db`, '--bind', `127.0.0.1:${port}`], {
    env: { ...process.env, SEATWISE_DEMO_PASSWORD: PASSWORD, RUST_LOG: 'warn', ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return { base, child, output: () => output, dir };
    } catch { /* not up yet */ }
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`server did not become healthy: ${output}`);
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/// A page that fails the test on any uncaught script error and saves numbered screenshots.
export async function newPage(browser, name, viewport = { width: 1360, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  let n = 0;
  page.shot = async (step) => {
    n += 1;
    await page.screenshot({ path: join(screenshots, `${name}-${String(n).padStart(2, '0')}-${step}.png`), fullPage: true });
  };
  page.scriptErrors = errors;
  return page;
}

/// Sign in and open the inventory, where most specs start (each role first lands where its work is: `landing`
/// says where that was).
export async function login(page, base, email) {
  const landed = await signIn(page, base, email);
  if (!/\/pools(\?|$)/.test(new URL(landed).pathname + new URL(landed).search)) {
    await page.goto(`${base}/pools`);
  }
  await page.locator('table.table tbody tr').first().waitFor();
  return landed;
}

/// Sign in and stay where the console lands; its address.
export async function signIn(page, base, email) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  return page.url();
}

/// A real SMTP server on a free local port that parses and keeps every message it receives.
export async function startSmtpSink() {
  const messages = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        })
        .catch(callback);
    },
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${port}`, messages, close: () => new Promise((r) => server.close(r)) };
}

/// Wait until `check()` returns a truthy value (the server sends mail in the background).
export async function eventually(check, what, timeoutMs = 15000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
