// The kiosk's flows in headless Chromium against the running app (docs/kiosk.md):
// sign-in through the dev outbox, my QR, my documents, booking with a QR
// ticket, check-in by ticket code, feedback with a tracking code.

import { before } from 'node:test';
import assert from 'node:assert/strict';
import { kioskTest, useBrowser } from './lib/harness.js';
import { api, freshPhone, national, outboxCode, phoneForms, pushDocument, slotStartingSoon } from './lib/api.js';
import { everything, openKiosk, signIn, stored } from './lib/kiosk.js';

useBrowser();

const text = (page, selector) => page.locator(selector).textContent();

kioskTest('signs in by phone and one-time code on the on-screen keys, and shows my QR large', async (page) => {
  const phone = freshPhone();
  await openKiosk(page);
  // A personal tile leads through sign-in, then straight to what was asked for.
  await page.locator('.tile[data-go="qr"]').click();
  await page.locator('#screen-login').waitFor();
  const token = await signIn(page, phone, { keypad: true });
  await page.locator('#screen-qr').waitFor();
  await page.waitForFunction(() => document.getElementById('qr-image').naturalWidth > 0);
  const box = await page.locator('#qr-image').boundingBox();
  assert.ok(box.width >= 600 && box.height >= 600, `the QR is ${box.width}×${box.height} px`);
  assert.match(await page.locator('#qr-image').getAttribute('alt'), /^Mã QR cá nhân của /);
  assert.match(await text(page, '#who'), /^Xin chào, /);

  // The session is the short kiosk profile, and the browser keeps nothing.
  const sessions = await api('GET', '/api/v1/auth/sessions', { token });
  assert.equal(sessions.status, 200);
  assert.equal(sessions.json.items.find((s) => s.current)?.client, 'kiosk');
  assert.deepEqual(await stored(page), { local: 0, session: 0, cookie: '' });

  // Signing out revokes the token on the server and clears the screen.
  const loggedOut = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/logout'));
  await page.locator('#logout').click();
  assert.equal((await loggedOut).status(), 204);
  await page.locator('#home-notice', { hasText: 'Bạn đã đăng xuất' }).waitFor();
  assert.equal((await api('GET', '/api/v1/auth/sessions', { token })).status, 401);
  assert.equal(await page.locator('#qr-image').getAttribute('src'), null);
  const left = await everything(page);
  for (const form of phoneForms(phone)) assert.ok(!left.includes(form), `${form} is still in the page`);
});

kioskTest('explains a bad number and a wrong code, counts down to a new code, in both languages', {
  allowFailedRequests: [{ status: 422, path: '/api/v1/auth/otp' }, { status: 401, path: '/api/v1/auth/verify' }],
}, async (page) => {
  await openKiosk(page);
  await page.locator('#home-login').click();
  await page.locator('#phone').fill('0123 45');
  await page.locator('#phone').press('Enter');
  await page.locator('#phone-error', { hasText: 'Số điện thoại không hợp lệ' }).waitFor();

  const phone = freshPhone();
  await page.locator('#phone').fill(national(phone));
  await page.locator('#phone').press('Enter');
  await page.locator('#code').waitFor();
  assert.match(await text(page, '#code-sent'), new RegExp(national(phone).slice(0, 4)));
  // The resend button waits for `resend_after`, showing the seconds left.
  assert.ok(await page.locator('#resend').isDisabled());
  assert.match(await text(page, '#resend'), /^Gửi lại mã sau \d+ giây$/);

  const right = await outboxCode(phone);
  await page.locator('#code').fill(right === '000000' ? '111111' : '000000');
  await page.locator('#code').press('Enter');
  await page.locator('#code-error', { hasText: 'Mã không đúng. Bạn còn 4 lần thử.' }).waitFor();
  // The message on screen follows the language toggle.
  await page.locator('#lang-toggle').click();
  assert.equal(await text(page, '#code-error'), 'Wrong code. 4 tries left.');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await page.locator('#lang-toggle').click();
  assert.equal(await text(page, '#code-error'), 'Mã không đúng. Bạn còn 4 lần thử.');

  // When the countdown ends a new code can be sent, and it works.
  await page.waitForFunction(() => !document.getElementById('resend').disabled, null, { timeout: 15_000 });
  assert.equal(await text(page, '#resend'), 'Gửi lại mã');
  await page.locator('#resend').click();
  await page.locator('#code-info', { hasText: 'Đã gửi mã mới' }).waitFor();
  await page.locator('#code').fill(await outboxCode(phone));
  await page.locator('#code').press('Enter');
  await page.locator('#who').waitFor();
  await page.locator('#screen-home').waitFor();
});

kioskTest('lists my documents and opens one', async (page) => {
  const phone = freshPhone();
  await openKiosk(page);
  await page.locator('.tile[data-go="documents"]').click();
  await signIn(page, phone);
  await page.locator('#docs-status', { hasText: 'Bạn chưa có giấy tờ nào' }).waitFor();

  const title = 'Trích lục khai sinh (bản sao)';
  await pushDocument(phone, { title, type: 'birth_certificate', externalId: `kiosk-test-${phone}` });
  await page.locator('#screen-documents [data-go="home"]').click();
  await page.locator('.tile[data-go="documents"]').click();
  const row = page.locator('#docs-list button', { hasText: title });
  assert.match(await row.textContent(), /Giấy khai sinh/);
  await row.click();
  await page.locator('#doc-heading', { hasText: title }).waitFor();
  await page.waitForFunction(() => document.querySelector('#doc-preview img')?.naturalWidth > 0);
  const facts = await text(page, '#doc-facts');
  assert.match(facts, /Sở Tư pháp/);
  assert.match(facts, /Còn hiệu lực/);
  assert.match(await page.locator('#doc-preview img').getAttribute('alt'), new RegExp(title.replace(/[()]/g, '\\$&')));
  await page.locator('#screen-document [data-go="documents"]').click();

  // A PDF opens inside the page, from the bytes fetched with the session.
  await pushDocument(phone, { title: 'Giấy chứng nhận (PDF)', type: 'other', externalId: `kiosk-pdf-${phone}`, pdf: true });
  await page.locator('#screen-documents [data-go="home"]').click();
  await page.locator('.tile[data-go="documents"]').click();
  await page.locator('#docs-list button', { hasText: 'Giấy chứng nhận (PDF)' }).click();
  const frame = page.locator('#doc-preview iframe');
  await frame.waitFor();
  assert.match(await frame.getAttribute('src'), /^blob:/);
  assert.match(await text(page, '#doc-facts'), /Giấy tờ khác/);
});

let desk;
before(async () => {
  // A slot that starts within minutes, so its ticket can be checked in now.
  desk = await slotStartingSoon('cap-cccd', 'trung-tam-hcc');
});

kioskTest('books an appointment, shows the ticket with its QR, and checks the ticket in', {
  allowFailedRequests: [
    // Checking in from a signed-out kiosk: the API wants a kiosk session.
    { status: 401, path: '/api/v1/appointments/checkin' },
    // The same ticket a second time: the kiosk's one refusal, 422 checkin_failed.
    { status: 422, path: '/api/v1/appointments/checkin' },
  ],
}, async (page) => {
  const owner = freshPhone();
  await openKiosk(page);
  await page.locator('.tile[data-go="book"]').click();
  await signIn(page, owner);
  await page.locator('#book-choices button[data-service="cap-cccd"]').click();
  await page.locator('#book-choices button[data-day]:not([disabled])').first().click();
  await page.locator('#book-choices button[data-slot]:not([disabled])').first().click();
  await page.locator('#book-confirm').waitFor();
  assert.match(await text(page, '#book-summary'), /Cấp, đổi thẻ Căn cước công dân/);
  const booked = page.waitForResponse((r) => r.url().endsWith('/api/v1/appointments') && r.request().method() === 'POST');
  await page.locator('#book-submit').click();
  const booking = await (await booked).json();
  await page.locator('#screen-ticket').waitFor();

  const ticket = await page.locator('#ticket-code').getAttribute('data-ticket');
  assert.equal(ticket, booking.ticket_code);
  assert.match(ticket, /^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}$/);
  await page.waitForFunction(() => document.getElementById('ticket-qr').naturalWidth > 0);
  assert.match(await text(page, '#ticket-window'), /^Check-in từ \d\d:\d\d đến \d\d:\d\d/);

  // The owner signs out; nothing of the booking stays on the kiosk.
  await page.locator('#logout').click();
  await page.locator('#home-notice').waitFor();
  assert.ok(!(await everything(page)).includes(ticket));

  // Check-in starts from the start screen, typed as people copy it from paper.
  await page.locator('.tile[data-go="checkin"]').click();
  await page.locator('#ticket').fill(`${ticket.slice(0, 4)}-${ticket.slice(4)}`.toLowerCase());
  await page.locator('#ticket').press('Enter');
  await page.waitForFunction(() => !document.getElementById('checkin-done').hidden
    || !document.getElementById('checkin-login').hidden);
  // Today the API wants a kiosk session for check-in (any person's): the
  // kiosk offers a sign-in and checks the ticket in right after it.
  if (await page.locator('#checkin-login').isVisible()) {
    assert.match(await text(page, '#checkin-error'), /cần đăng nhập/);
    await page.locator('#checkin-login').click();
    await page.locator('#login-purpose', { hasText: 'check-in' }).waitFor();
    await signIn(page, freshPhone());
  }
  await page.locator('#checkin-done').waitFor();
  assert.match(await text(page, '#checkin-message'), /^Đã ghi nhận bạn đến lúc \d\d:\d\d/);
  assert.match(await text(page, '#checkin-facts'), /Cấp, đổi thẻ Căn cước công dân/);
  // The owner's details are not shown to whoever is at the kiosk.
  const shown = await everything(page);
  for (const form of phoneForms(owner)) assert.ok(!shown.includes(form), `${form} is shown`);

  // The desk sees the arrival.
  const day = await api('GET', `/api/v1/appointments/desk?service=cap-cccd&date=${booking.slot.date}&limit=100`, { token: desk.token });
  assert.equal(day.status, 200);
  assert.equal(day.json.items.find((b) => b.ticket_code === ticket)?.status, 'arrived');

  // The same ticket again is explained, not an error page — with the one
  // answer a kiosk gets for every refusal, so a stranger at the kiosk learns
  // nothing about the ticket (docs/kiosk.md).
  await page.locator('#checkin-again').click();
  await page.locator('#ticket').fill(ticket);
  await page.locator('#ticket').press('Enter');
  await page.locator('#checkin-error', { hasText: 'Không check-in được với mã này' }).waitFor();
});

kioskTest('sends feedback without signing in and shows the tracking code', async (page) => {
  await openKiosk(page);
  await page.locator('.tile[data-go="feedback"]').click();
  await page.locator('#fb-categories label', { hasText: 'Môi trường' }).waitFor();
  assert.ok(await page.locator('#fb-anonymous-note').isVisible());
  // Nothing chosen yet: said on the page, nothing sent.
  await page.locator('#fb-submit').click();
  await page.locator('#fb-category-error', { hasText: 'Hãy chọn một lĩnh vực' }).waitFor();

  await page.locator('#fb-categories label', { hasText: 'Môi trường' }).click();
  await page.locator('#fb-content').fill('Rác thải đổ trộm ven sông Hàn, bốc mùi nhiều ngày nay.');
  await page.locator('#fb-areas label', { hasText: 'Hải Châu' }).click();
  await page.locator('#fb-address').fill('Đường Bạch Đằng');
  const sent = page.waitForRequest((r) => r.url().endsWith('/api/v1/feedback') && r.method() === 'POST');
  await page.locator('#fb-submit').click();
  const body = JSON.parse((await sent).postData());
  assert.equal(body.category, 'environment');
  assert.equal(body.location.address, 'Đường Bạch Đằng, Hải Châu, Đà Nẵng');
  assert.equal(body.title, 'Rác thải đổ trộm ven sông Hàn, bốc mùi nhiều ngày nay.');
  await page.locator('#fb-done').waitFor();
  assert.match(await text(page, '#fb-tracking'), /^PA-\d{4}-\d{6,}$/);
});

kioskTest('sends feedback as the signed-in citizen, who then owns it', async (page) => {
  const phone = freshPhone();
  await openKiosk(page);
  const token = await signIn(page, phone);
  await page.locator('.tile[data-go="feedback"]').click();
  assert.ok(await page.locator('#fb-anonymous-row').isVisible());
  await page.locator('#fb-categories label', { hasText: 'Giao thông' }).click();
  await page.locator('#fb-title').fill('Đèn tín hiệu hỏng');
  await page.locator('#fb-content').fill('Đèn giao thông ở ngã tư không hoạt động từ sáng.');
  await page.locator('#fb-submit').click();
  await page.locator('#fb-done').waitFor();
  const tracking = await text(page, '#fb-tracking');
  const mine = await api('GET', '/api/v1/me/feedback', { token });
  assert.equal(mine.status, 200);
  const item = mine.json.items.find((f) => f.tracking_code === tracking);
  assert.equal(item?.title, 'Đèn tín hiệu hỏng');
  assert.equal(item?.category, 'traffic');
});
