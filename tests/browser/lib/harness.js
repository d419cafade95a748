// One headless Chromium per test file (Debian's, at /usr/bin/chromium, with
// a fresh profile), one page per test. Every test fails on a console error
// or an uncaught page error, except the failed requests a test names as
// expected (a wrong code answers 401, and Chromium logs every non-2xx
// fetch as a console error). A failing test leaves a screenshot in
// target/browser-artifacts/.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = process.env.KIOSK_BASE_URL ?? '';
export const ARTIFACTS = process.env.KIOSK_ARTIFACTS
  ?? path.resolve(import.meta.dirname, '../../../target/browser-artifacts');

export const PORTRAIT = { width: 1080, height: 1920 };
export const LANDSCAPE = { width: 1920, height: 1080 };

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

let context = null;
let profile = null;

function requireServer() {
  if (!BASE) {
    throw new Error('KIOSK_BASE_URL is not set: run the browser tests with scripts/browser-test, which starts the app');
  }
}

/** Starts the browser for this file; call once at the top of a test file. */
export function useBrowser() {
  before(async () => {
    requireServer();
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: PORTRAIT,
      locale: 'vi-VN',
      timezoneId: 'Asia/Ho_Chi_Minh',
    });
    // Leftover blank tab of a persistent context.
    for (const p of context.pages()) await p.close();
  });
  after(async () => {
    await context?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });
}

function slug(name) {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80);
}

function expected(msg, allowed) {
  const text = msg.text();
  let where = '';
  try {
    where = new URL(msg.location().url).pathname;
  } catch {
    return false;
  }
  return allowed.some(({ status, path: p }) => text.includes(`status of ${status}`) && where === p);
}

/**
 * A test with a fresh page. `options.allowFailedRequests`: `[{status, path}]`
 * API answers the test provokes on purpose; `options.viewport`.
 */
export function kioskTest(name, options, fn) {
  if (typeof options === 'function') [fn, options] = [options, {}];
  test(name, async (t) => {
    const page = await context.newPage();
    await page.setViewportSize(options.viewport ?? PORTRAIT);
    const problems = [];
    const allowed = options.allowFailedRequests ?? [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !expected(msg, allowed)) {
        problems.push(`console error: ${msg.text()} (${msg.location().url})`);
      }
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    try {
      await fn(page, t);
      assert.deepEqual(problems, [], 'the page logged errors');
    } catch (e) {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const file = path.join(ARTIFACTS, `FAILED-${slug(name)}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => {});
      if (problems.length) e.message += `\n${problems.join('\n')}`;
      e.message += `\nscreenshot: ${file}`;
      throw e;
    } finally {
      await page.close();
    }
  });
}

/** Saves a screenshot under target/browser-artifacts/ (not only on failure). */
export async function snapshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
