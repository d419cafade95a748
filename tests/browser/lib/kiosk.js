// Driving the kiosk page like a person: open it, sign in with a code read
// from the dev outbox, read what is on screen.

import { BASE } from './harness.js';
import { national, outboxCode } from './api.js';

/** Opens `/kiosk/` (with `?idle=N`, honoured in dev mode) and waits for the script. */
export async function openKiosk(page, { idle } = {}) {
  await page.goto(`${BASE}/kiosk/${idle ? `?idle=${idle}` : ''}`);
  await page.locator('html.ready').waitFor({ state: 'attached' });
}

/** Types on the on-screen keys, as on a touch screen. */
export async function tapKeys(page, keypad, text) {
  for (const ch of text) await page.locator(`#${keypad} .key`, { hasText: new RegExp(`^${ch}$`) }).click();
}

/**
 * Signs in from the sign-in screen (opened first from the start screen if
 * needed); resolves to the session token the page received, so a test can
 * check it on the server.
 */
export async function signIn(page, phone, { keypad = false } = {}) {
  if (!(await page.locator('#screen-login').isVisible())) await page.locator('#home-login').click();
  if (keypad) await tapKeys(page, 'phone-keys', national(phone));
  else await page.locator('#phone').fill(national(phone));
  await page.locator('#phone').press('Enter');
  await page.locator('#code').waitFor();
  const code = await outboxCode(phone);
  if (keypad) await tapKeys(page, 'code-keys', code);
  else await page.locator('#code').fill(code);
  const verified = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/verify'));
  await page.locator('#verify').click();
  const answer = await (await verified).json();
  await page.locator('#who').waitFor();
  return answer.token;
}

/** The page's text, hidden parts and form values included: what could leak. */
export async function everything(page) {
  return page.evaluate(() => {
    const values = [...document.querySelectorAll('input, textarea')].map((f) => f.value);
    const sources = [...document.querySelectorAll('img, iframe')].map((i) => i.getAttribute('src') ?? '');
    return [document.body.textContent, ...values, ...sources].join('\n');
  });
}

/** What the browser kept: storage and cookies. */
export async function stored(page) {
  return page.evaluate(() => ({
    local: Object.keys(localStorage).length,
    session: Object.keys(sessionStorage).length,
    cookie: document.cookie,
  }));
}
