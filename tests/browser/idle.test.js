// Kiosk safety (docs/kiosk.md): after the idle time the page warns; a touch keeps
// the session; otherwise it signs out, revokes the session and clears every
// screen and form. `?idle=N` shortens the wait (honoured in dev mode only).

import assert from 'node:assert/strict';
import { kioskTest, useBrowser } from './lib/harness.js';
import { api, freshPhone, phoneForms } from './lib/api.js';
import { everything, openKiosk, signIn, stored } from './lib/kiosk.js';

useBrowser();

kioskTest('warns, keeps the session on a touch, then signs out and clears everything', async (page) => {
  const phone = freshPhone();
  await openKiosk(page, { idle: 3 });
  assert.equal(await page.locator('html').getAttribute('data-idle-seconds'), '3');
  await page.locator('.tile[data-go="qr"]').click();
  const token = await signIn(page, phone);
  await page.waitForFunction(() => document.getElementById('qr-image').naturalWidth > 0);

  const dialog = page.locator('#idle-dialog');
  await dialog.waitFor({ timeout: 15_000 });
  assert.match(await dialog.textContent(), /Bạn còn đang sử dụng\?/);
  assert.match(await page.locator('#idle-body').textContent(), /sau \d+ giây/);
  await page.locator('#idle-stay').click();
  await dialog.waitFor({ state: 'hidden' });
  assert.ok(await page.locator('#screen-qr').isVisible());
  assert.equal((await api('GET', '/api/v1/auth/sessions', { token })).status, 200);

  // Nobody touches it again.
  const loggedOut = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/logout'), { timeout: 30_000 });
  await dialog.waitFor({ timeout: 15_000 });
  assert.equal((await loggedOut).status(), 204);
  await page.locator('#home-notice', { hasText: 'tự đăng xuất' }).waitFor();
  assert.ok(await page.locator('#screen-home').isVisible());
  assert.ok(await page.locator('#home-login').isVisible());
  assert.equal((await api('GET', '/api/v1/auth/sessions', { token })).status, 401);

  const left = await everything(page);
  for (const form of phoneForms(phone)) assert.ok(!left.includes(form), `${form} is still in the page`);
  assert.ok(!left.includes('blob:'), 'an image of the citizen is still in the page');
  assert.deepEqual(await stored(page), { local: 0, session: 0, cookie: '' });
});

kioskTest('clears a half-filled form when nobody is signed in', async (page) => {
  await openKiosk(page, { idle: 2 });
  await page.locator('.tile[data-go="feedback"]').click();
  const secret = 'Nhà tôi ở kiệt 45 bị ngập';
  await page.locator('#fb-content').fill(secret);
  await page.locator('#home-notice', { hasText: 'Màn hình đã được xóa' }).waitFor({ timeout: 20_000 });
  assert.ok(!(await everything(page)).includes(secret));
  await page.locator('.tile[data-go="feedback"]').click();
  assert.equal(await page.locator('#fb-content').inputValue(), '');
});
