// Usable by keyboard and in both languages: visible focus, a tab order that
// follows the screen, Enter submits, and the English toggle reaches every
// text on every screen.

import assert from 'node:assert/strict';
import { kioskTest, useBrowser } from './lib/harness.js';
import { freshPhone, national, outboxCode } from './lib/api.js';
import { openKiosk } from './lib/kiosk.js';

useBrowser();

const focused = (page) => page.evaluate(() => {
  const a = document.activeElement;
  return a?.id || a?.dataset.go || a?.tagName;
});

kioskTest('signs in by keyboard alone, with visible focus and Enter to submit', {
  allowFailedRequests: [],
}, async (page) => {
  await openKiosk(page);
  // The start screen's heading has focus; Tab then walks the screen in reading order.
  const order = [];
  for (let i = 0; i < 6; i += 1) {
    await page.keyboard.press('Tab');
    order.push(await focused(page));
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return { style: s.outlineStyle, width: Number.parseFloat(s.outlineWidth) };
    });
    assert.ok(ring.style !== 'none' && ring.width >= 3, `no visible focus on ${order.at(-1)}`);
  }
  assert.deepEqual(order, ['home-login', 'qr', 'documents', 'book', 'checkin', 'feedback']);
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await focused(page), 'home-login');

  // Enter on a button opens it; the phone field has focus; Enter sends.
  await page.keyboard.press('Enter');
  assert.equal(await focused(page), 'phone');
  const phone = freshPhone();
  await page.keyboard.type(national(phone));
  await page.keyboard.press('Enter');
  await page.locator('#code').waitFor();
  assert.equal(await focused(page), 'code');
  await page.keyboard.type(await outboxCode(phone));
  await page.keyboard.press('Enter');
  await page.locator('#who').waitFor();
  // The on-screen keys stay out of the tab order.
  assert.equal(await page.locator('.key[tabindex="-1"]').count(), await page.locator('.key').count());
});

kioskTest('Vietnamese first; the toggle turns every screen into English and back', async (page) => {
  await openKiosk(page);
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.equal(await page.locator('#home-heading').textContent(), 'Xin chào! Bạn cần làm gì?');
  assert.equal(await page.title(), 'Công dân số — Ki-ốt dịch vụ công');

  await page.locator('#lang-toggle').click();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('#home-heading').textContent(), 'Hello! What would you like to do?');
  assert.equal(await page.title(), 'Digital Citizen — Public service kiosk');
  assert.equal(await page.locator('#lang-toggle').textContent(), 'Tiếng Việt');
  assert.equal(await page.locator('#lang-toggle').getAttribute('lang'), 'vi');

  await page.locator('.tile[data-go="checkin"]').click();
  assert.equal(await page.locator('label[for="ticket"]').textContent(), 'Ticket code');
  await page.locator('#ticket').press('Enter');
  assert.equal(await page.locator('#checkin-error').textContent(), 'A ticket code has 8 letters and digits, printed on your slip.');
  await page.locator('#checkin-form [data-go="home"]').click();
  await page.locator('.tile[data-go="feedback"]').click();
  await page.locator('#fb-categories label').first().waitFor();
  assert.equal(await page.locator('#fb-categories-group legend').textContent(), 'Topic');

  // No text anywhere in the page (hidden screens included) lacks a translation.
  const body = await page.evaluate(() => document.body.textContent + [...document.querySelectorAll('[aria-label],[alt]')]
    .map((e) => e.getAttribute('aria-label') ?? e.getAttribute('alt')).join(' '));
  assert.ok(!body.includes('⟦'), 'a text key has no translation');

  await page.locator('#lang-toggle').click();
  assert.equal(await page.locator('#fb-categories-group legend').textContent(), 'Lĩnh vực');
});
