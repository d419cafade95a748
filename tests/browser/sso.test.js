// The provider's login and consent pages (functions/sso, docs/sso.md) in
// headless Chromium, as a citizen meets them when a city service sends them
// here: phone, SMS code from the dev outbox, consent listing exactly what
// the service asked for and why; Allow and Deny send the browser back to the
// service; Vietnamese first with an English toggle; consent remembered; no
// script and no framing; legible and touchable on a phone and on the kiosk.
// The services' redirect URIs land on a small web server this file starts on
// a free loopback port (lib/sso.js): Chromium here does not hand a
// redirect's target to page.route, so an intercepted redirect URI would fail.
// Each page is saved as target/browser-artifacts/sso-<page>-<size>.png.

import assert from 'node:assert/strict';
import { BASE, kioskTest, LANDSCAPE, PORTRAIT, snapshot, useBrowser } from './lib/harness.js';
import { api, freshPhone, national, outboxCode } from './lib/api.js';
import {
  askForCode, audit, authorizationUrl, enterCode, exchange, issuer, landed, listedScopes, logIn, nextAuthorizeAnswer,
  PHONE, policy, registerService, rulesFor, scriptsIn, serveLogo, SERVICE_ORIGIN, SMALL_PHONE, useServices,
} from './lib/sso.js';

useBrowser();
useServices();

const text = async (page, selector) => (await page.locator(selector).textContent()).trim();
const texts = (page, selector) => page.locator(selector).evaluateAll((els) => els.map((e) => e.textContent.trim()));

// What the consent page says for each scope the tests ask for.
const LABELS = {
  vi: {
    profile: 'Họ tên, ngày sinh và giới tính',
    phone: 'Số điện thoại',
    'documents:birth_certificate': 'Giấy tờ hiện có trong kho: Giấy khai sinh (xem và tải về)',
    level: 'Mức độ xác thực tài khoản (tạm thời hay đã xác thực)',
  },
  en: {
    profile: 'Your name, date of birth and gender',
    phone: 'Your phone number',
    'documents:birth_certificate': 'Your current documents: birth certificate (view and download)',
    level: "Your account's level (provisional or verified)",
  },
};
const ASKED = 'openid profile phone documents:birth_certificate';

/** A code that is not the one `phone` was sent. */
async function wrongCode(phone) {
  return (await outboxCode(phone)) === '000000' ? '111111' : '000000';
}

// Every test starts logged out: the tests of this file share one browser
// profile, so the provider's cookie.
async function fresh(page) {
  await page.context().clearCookies();
  await serveLogo(page);
}

kioskTest('logs in by phone and SMS code, shows the service, its purpose and exactly the asked scopes; Allow returns a code and the state', { viewport: PHONE }, async (page) => {
  await fresh(page);
  const service = await registerService();
  const asked = authorizationUrl(service, ASKED);
  const phone = freshPhone();

  const first = await page.goto(asked.url);
  assert.equal(first.status(), 200);
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.equal(await text(page, 'h1'), 'Đăng nhập bằng Công dân số');
  assert.equal(await text(page, '.who'), service.name);
  assert.equal(await page.locator('.who a').getAttribute('href'), 'https://dichvucong.example/');
  // SMS is the default channel; Zalo is the other choice.
  assert.ok(await page.getByLabel('SMS').isChecked());
  assert.ok(!(await page.getByLabel('Zalo').isChecked()));

  const codePage = await askForCode(page, phone);
  assert.equal(codePage.status(), 200);
  assert.equal(await text(page, 'h1'), 'Nhập mã xác thực');
  // The number the code went to, masked: its first digits and last ones show.
  const sentTo = await text(page, '.note strong');
  assert.ok(!sentTo.includes(national(phone)) && !sentTo.includes(phone), `the whole number is on the page: ${sentTo}`);
  assert.ok(sentTo.endsWith(phone.slice(-2)), `masked as ${sentTo}`);

  const consent = await enterCode(page, phone);
  assert.equal(consent.status(), 200);
  assert.equal(await text(page, 'h1'), 'Cho phép chia sẻ thông tin?');
  assert.equal(await text(page, '.who'), service.name);
  // Exactly what was asked (openid is the login itself, not a line); the
  // client's other allowed scopes (address, level) are not asked, not listed.
  assert.deepEqual((await listedScopes(page)).sort(), ['documents:birth_certificate', 'phone', 'profile']);
  for (const scope of ['profile', 'phone', 'documents:birth_certificate']) {
    assert.equal(await text(page, `li[data-scope="${scope}"]`), LABELS.vi[scope]);
  }
  assert.ok((await texts(page, '.note')).includes(`Mục đích: ${service.purpose}`));
  // The provider's cookie keeps the login for the next service, out of reach of scripts.
  const cookie = (await page.context().cookies(BASE)).find((c) => c.name === 'cds_sso');
  assert.ok(cookie, 'no login cookie');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');

  await page.getByRole('button', { name: 'Đồng ý' }).click();
  const back = await landed(page, service);
  assert.equal(back.state, asked.state);
  assert.equal(back.iss, await issuer());
  assert.ok(back.code, 'no code');
  assert.equal(back.error, undefined);
  // The code is real: the service exchanges it once, with its PKCE verifier.
  const tokens = await exchange(service, back.code, asked.verifier);
  assert.equal(tokens.status, 200, JSON.stringify(tokens.json));
  assert.deepEqual(tokens.json.scope.split(' ').sort(), ASKED.split(' ').sort());
  assert.ok(tokens.json.id_token);
});

kioskTest('Deny returns access_denied and the state, with no code', { viewport: PHONE }, async (page) => {
  await fresh(page);
  const service = await registerService();
  const asked = authorizationUrl(service, 'openid phone');
  const phone = freshPhone();
  await page.goto(asked.url);
  await logIn(page, phone);
  assert.deepEqual(await listedScopes(page), ['phone']);

  await page.getByRole('button', { name: 'Từ chối' }).click();
  const back = await landed(page, service);
  assert.equal(back.error, 'access_denied');
  assert.equal(back.state, asked.state);
  assert.equal(back.code, undefined);

  // Nothing was remembered: the same request asks again.
  await page.goto(asked.url);
  assert.equal(await text(page, 'h1'), 'Cho phép chia sẻ thông tin?');
  assert.deepEqual(await listedScopes(page), ['phone']);
});

kioskTest('explains a bad number and a wrong code on the page, and takes the right code after', {
  viewport: PHONE,
  allowFailedRequests: [{ status: 422, path: '/sso/authorize' }, { status: 401, path: '/sso/authorize' }],
}, async (page) => {
  await fresh(page);
  const service = await registerService();
  const asked = authorizationUrl(service, 'openid phone');
  await page.goto(asked.url);

  await page.locator('#phone').fill('0123 45');
  const refused = nextAuthorizeAnswer(page);
  await page.locator('form:has(#phone) button[type=submit]').click();
  assert.equal((await refused).status(), 422);
  assert.match(await text(page, '.error[role=alert]'), /Số điện thoại không hợp lệ/);
  // What was typed stays, to be corrected.
  assert.equal(await page.locator('#phone').inputValue(), '0123 45');

  const phone = freshPhone();
  await askForCode(page, phone);
  await page.locator('#code').fill(await wrongCode(phone));
  const wrong = nextAuthorizeAnswer(page);
  await page.locator('form:has(#code) button[type=submit]').click();
  assert.equal((await wrong).status(), 401);
  assert.equal(await text(page, 'h1'), 'Nhập mã xác thực');
  assert.match(await text(page, '.error[role=alert]'), /không đúng/);

  const consent = await enterCode(page, phone);
  assert.equal(consent.status(), 200);
  assert.deepEqual(await listedScopes(page), ['phone']);
});

kioskTest('Vietnamese first; the toggle turns the login and consent pages into English and back', { viewport: PHONE }, async (page) => {
  await fresh(page);
  const service = await registerService();
  const asked = authorizationUrl(service, 'openid profile level');
  const phone = freshPhone();
  await page.goto(asked.url);
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.equal(await page.title(), 'Đăng nhập · Công dân số');
  const toggle = page.locator('a.lang');
  assert.equal(await toggle.textContent(), 'English');
  assert.equal(await toggle.getAttribute('lang'), 'en');

  await toggle.click();
  await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
  assert.equal(await page.title(), 'Log in · Digital Citizen');
  assert.equal(await text(page, 'h1'), 'Log in with Digital Citizen');
  assert.equal(await text(page, 'label[for="phone"]'), 'Phone number');
  assert.equal(await text(page, 'legend'), 'Get the code by');
  assert.equal(await text(page, 'form:has(#phone) button[type=submit]'), 'Send code');
  assert.equal(await text(page, '.brand'), 'Digital Citizen');
  assert.equal(await toggle.textContent(), 'Tiếng Việt');
  assert.equal(await toggle.getAttribute('lang'), 'vi');

  await toggle.click();
  await page.locator('html[lang="vi"]').waitFor({ state: 'attached' });
  assert.equal(await text(page, 'h1'), 'Đăng nhập bằng Công dân số');
  assert.equal(await text(page, 'label[for="phone"]'), 'Số điện thoại');

  // The chosen language goes along with the forms: code page, consent page.
  await toggle.click();
  await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
  await askForCode(page, phone);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await text(page, 'h1'), 'Enter your code');
  assert.equal(await text(page, 'label[for="code"]'), 'Code');
  await enterCode(page, phone);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await text(page, 'h1'), 'Share your information?');
  assert.equal(await text(page, 'li[data-scope="profile"]'), LABELS.en.profile);
  assert.equal(await text(page, 'li[data-scope="level"]'), LABELS.en.level);
  assert.ok((await texts(page, '.note')).includes(`Why: ${service.purpose}`));
  assert.deepEqual(await texts(page, 'button'), ['Allow', 'Deny', 'Not you? Use another account']);

  await toggle.click();
  await page.locator('html[lang="vi"]').waitFor({ state: 'attached' });
  assert.equal(await text(page, 'h1'), 'Cho phép chia sẻ thông tin?');
  assert.equal(await text(page, 'li[data-scope="profile"]'), LABELS.vi.profile);
  assert.equal(await text(page, 'li[data-scope="level"]'), LABELS.vi.level);
  assert.deepEqual(await texts(page, 'button'), ['Đồng ý', 'Từ chối', 'Không phải bạn? Đăng nhập tài khoản khác']);

  // Consent given on the toggled page still works.
  await page.getByRole('button', { name: 'Đồng ý' }).click();
  const back = await landed(page, service);
  assert.equal(back.state, asked.state);
  assert.ok(back.code);
});

kioskTest('logs in once: the same service again goes straight back, another service asks only for consent', { viewport: PHONE }, async (page) => {
  await fresh(page);
  const service = await registerService();
  const phone = freshPhone();
  const firstAsk = authorizationUrl(service, ASKED);
  await page.goto(firstAsk.url);
  await logIn(page, phone);
  await page.getByRole('button', { name: 'Đồng ý' }).click();
  await landed(page, service);

  // Remembered consent: no page at all, a 302 from the provider to the service.
  const again = authorizationUrl(service, ASKED);
  const arrived = await page.goto(again.url);
  assert.ok(arrived.url().startsWith(`${service.redirectUri}?`), `landed on ${arrived.url()}`);
  const hop = arrived.request().redirectedFrom();
  assert.equal(hop?.url(), again.url);
  const hopAnswer = await hop.response();
  assert.equal(hopAnswer.status(), 302);
  assert.equal(hop.redirectedFrom(), null, 'more than one hop');
  const back = Object.fromEntries(new URL(arrived.url()).searchParams);
  assert.equal(back.state, again.state);
  assert.equal((await exchange(service, back.code, again.verifier)).status, 200);

  // Asking for less than was agreed is covered by the consent too.
  const less = authorizationUrl(service, 'openid phone');
  assert.ok((await page.goto(less.url)).url().startsWith(`${service.redirectUri}?`));

  // prompt=consent shows the page anyway, marking what was agreed before.
  const asked = authorizationUrl(service, 'openid phone', { prompt: 'consent' });
  await page.goto(asked.url);
  assert.equal(await text(page, 'li[data-scope="phone"]'), `${LABELS.vi.phone} (đã đồng ý trước đây)`);

  // A second service: no phone and no code again, only its own consent.
  const other = await registerService({ name: 'Bệnh viện Đà Nẵng', purpose: 'Đặt lịch khám', logo: false });
  const otherAsk = authorizationUrl(other, 'openid profile');
  await page.goto(otherAsk.url);
  assert.equal(await page.locator('#phone').count(), 0);
  assert.equal(await text(page, 'h1'), 'Cho phép chia sẻ thông tin?');
  assert.equal(await text(page, '.who'), 'Bệnh viện Đà Nẵng');
  assert.deepEqual(await listedScopes(page), ['profile']);
  assert.ok((await texts(page, '.note')).includes('Mục đích: Đặt lịch khám'));
  await page.getByRole('button', { name: 'Đồng ý' }).click();
  assert.equal((await landed(page, other)).state, otherAsk.state);
});

kioskTest('says who is logged in; "Not you?" ends that session and asks for a phone again', { viewport: PHONE }, async (page) => {
  await fresh(page);
  const service = await registerService();
  const asked = authorizationUrl(service, 'openid phone');
  const phone = freshPhone();
  await page.goto(asked.url);
  await logIn(page, phone);
  // A new account has no name yet: it is named by its phone, masked.
  const nameless = (await texts(page, '.note')).find((t) => t.startsWith('Bạn đang đăng nhập bằng số điện thoại'));
  assert.ok(nameless, 'the page does not say who is logged in');
  assert.ok(nameless.endsWith(`${phone.slice(-2)}.`), nameless);
  assert.ok(!nameless.includes(phone) && !nameless.includes(national(phone)), `the whole number is on the page: ${nameless}`);
  // Named in the profile, the citizen is named on the page.
  const token = (await page.context().cookies(BASE)).find((c) => c.name === 'cds_sso')?.value;
  assert.ok(token, 'no login cookie');
  assert.equal((await api('PATCH', '/api/v1/me', { token, body: { full_name: 'Nguyễn Thị Hoa' } })).status, 200);
  await page.goto(asked.url);
  assert.ok((await texts(page, '.note')).includes('Bạn đang đăng nhập là Nguyễn Thị Hoa.'));

  const switched = nextAuthorizeAnswer(page);
  await page.getByRole('button', { name: 'Không phải bạn? Đăng nhập tài khoản khác' }).click();
  assert.equal((await switched).status(), 200);
  assert.equal(await text(page, 'h1'), 'Đăng nhập bằng Công dân số');
  assert.equal(await page.locator('#phone').inputValue(), '');
  // The session ended on the server, and the browser forgot it.
  assert.equal((await api('GET', '/api/v1/auth/sessions', { token })).status, 401);
  assert.equal((await page.context().cookies(BASE)).find((c) => c.name === 'cds_sso'), undefined);
  await page.goto(asked.url);
  assert.equal(await page.locator('#phone').count(), 1);
  assert.equal(await page.locator('li[data-scope]').count(), 0);
});

/** What has focus: `#id`, a link's text, or a button's text. */
const focused = (page) => page.evaluate(() => {
  const a = document.activeElement;
  if (a?.id) return `#${a.id}`;
  if (a?.type === 'radio') return `radio ${a.value}`;
  return (a?.textContent ?? '').trim();
});

/** Tabs `count` times; each stop must show a focus ring; resolves to the stops. */
async function tabThrough(page, count) {
  const stops = [];
  for (let i = 0; i < count; i += 1) {
    await page.keyboard.press('Tab');
    stops.push(await focused(page));
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return { style: s.outlineStyle, width: Number.parseFloat(s.outlineWidth) };
    });
    assert.ok(ring.style !== 'none' && ring.width >= 3, `no visible focus on ${stops.at(-1)}`);
  }
  return stops;
}

kioskTest('logs in and consents by keyboard alone, with visible focus, in reading order, Enter to submit', { viewport: PHONE }, async (page) => {
  await fresh(page);
  const service = await registerService();
  const asked = authorizationUrl(service, 'openid phone');
  const phone = freshPhone();
  await page.goto(asked.url);
  assert.deepEqual(await tabThrough(page, 4), ['English', service.name, '#phone', 'radio sms']);
  // The radio buttons are one stop; arrows choose.
  await page.keyboard.press('ArrowRight');
  assert.ok(await page.getByLabel('Zalo').isChecked());
  await page.keyboard.press('ArrowLeft');
  assert.ok(await page.getByLabel('SMS').isChecked());
  assert.deepEqual(await tabThrough(page, 1), ['Gửi mã']);

  await page.locator('#phone').focus();
  await page.keyboard.type(national(phone));
  const sent = nextAuthorizeAnswer(page);
  await page.keyboard.press('Enter');
  assert.equal((await sent).status(), 200);
  // The code page puts the cursor in the code field.
  await page.locator('#code').waitFor();
  assert.equal(await focused(page), '#code');
  await page.keyboard.type(await outboxCode(phone));
  const checked = nextAuthorizeAnswer(page);
  await page.keyboard.press('Enter');
  assert.equal((await checked).status(), 200);

  await page.locator('li[data-scope]').first().waitFor();
  assert.deepEqual(await tabThrough(page, 5), ['English', service.name, 'Đồng ý', 'Từ chối', 'Không phải bạn? Đăng nhập tài khoản khác']);
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await focused(page), 'Đồng ý');
  await page.keyboard.press('Enter');
  assert.equal((await landed(page, service)).state, asked.state);
});

/**
 * Runs `fn(tab)` in another tab of the same browser (so with its login
 * cookie). The browser reports what a page's policy blocks as console
 * errors, which the harness counts as failures in a test's own page; in
 * this tab the test waits for them instead.
 */
async function inAnotherTab(page, fn) {
  const tab = await page.context().newPage();
  try {
    await serveLogo(tab);
    return await fn(tab);
  } finally {
    await tab.close();
  }
}

/** The next console error in `tab` matching `pattern`. */
function consoleError(tab, pattern) {
  return tab.waitForEvent('console', (m) => m.type() === 'error' && pattern.test(m.text()));
}

kioskTest('the pages run no script and cannot be framed', {
  viewport: PHONE,
  allowFailedRequests: [{ status: 400, path: '/sso/authorize' }],
}, async (page) => {
  await fresh(page);
  const service = await registerService();
  const asked = authorizationUrl(service, 'openid phone');
  const phone = freshPhone();
  const checkHeaders = async (resp, what) => {
    const headers = await resp.allHeaders();
    const csp = policy(headers['content-security-policy']);
    assert.equal(csp['default-src'], "'none'", `${what}: default-src`);
    assert.equal(csp['script-src'], undefined, `${what}: a script source is allowed`);
    assert.equal(csp['frame-ancestors'], "'none'", `${what}: frame-ancestors`);
    assert.equal(headers['x-frame-options'], 'DENY', `${what}: X-Frame-Options`);
    assert.match(headers['cache-control'] ?? '', /no-store/, `${what}: cache-control`);
    assert.deepEqual(await scriptsIn(page), [], `${what}: scripts in the page`);
  };

  await checkHeaders(await page.goto(asked.url), 'phone page');
  await checkHeaders(await askForCode(page, phone), 'code page');
  await checkHeaders(await enterCode(page, phone), 'consent page');
  assert.deepEqual(await listedScopes(page), ['phone']);
  await checkHeaders(await page.goto(asked.url), 'consent page (GET)');
  assert.deepEqual(await listedScopes(page), ['phone']);
  const unknown = authorizationUrl({ client_id: 'no-such-client', redirectUri: service.redirectUri }, 'openid');
  const error = await page.goto(unknown.url);
  assert.equal(error.status(), 400);
  await checkHeaders(error, 'error page');
  await checkHeaders(await page.goto(`${BASE}/sso/logout`), 'logout page');

  // The browser holds the pages to that. A script put into the consent page does not run…
  await inAnotherTab(page, async (tab) => {
    await tab.goto(asked.url);
    assert.deepEqual(await listedScopes(tab), ['phone']);
    const refused = consoleError(tab, /Content Security Policy/);
    await tab.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'document.documentElement.dataset.ran = "yes"';
      document.body.append(s);
    });
    assert.equal(await tab.locator('html').getAttribute('data-ran'), null, 'an inline script ran');
    assert.match((await refused).text(), /inline script/);
  });
  // …and a page of another site cannot show the consent page in a frame
  // (where it could lay its own buttons over Allow).
  await inAnotherTab(page, async (tab) => {
    const refused = consoleError(tab, /frame-ancestors|X-Frame-Options/);
    const blocked = tab.waitForEvent('requestfailed', (r) => r.url() === asked.url);
    await tab.goto(`${SERVICE_ORIGIN}/framing?src=${encodeURIComponent(asked.url)}`);
    assert.equal((await blocked).failure()?.errorText, 'net::ERR_BLOCKED_BY_RESPONSE');
    const frame = tab.frames().find((f) => f !== tab.mainFrame());
    assert.ok(frame, 'no frame');
    assert.equal(await frame.locator('li[data-scope]').count(), 0, 'the consent page shows inside the frame');
    assert.match((await refused).text(), /frame-ancestors 'none'/);
  });
});

for (const [size, viewport] of [
  ['390x844', PHONE], ['360x640', SMALL_PHONE], ['1080x1920', PORTRAIT], ['1920x1080', LANDSCAPE],
]) {
  kioskTest(`the login, code, consent, error and logout pages are legible with large enough targets at ${size}`, {
    viewport,
    allowFailedRequests: [{ status: 401, path: '/sso/authorize' }, { status: 400, path: '/sso/authorize' }],
  }, async (page) => {
    await fresh(page);
    const rules = rulesFor(viewport);
    const service = await registerService();
    const asked = authorizationUrl(service, 'openid profile phone address level documents:birth_certificate');
    const phone = freshPhone();
    const problems = [];
    const check = async (what) => {
      await page.evaluate(() => document.fonts.ready);
      problems.push(...(await audit(page, rules)).map((p) => `${what}: ${p}`));
    };
    const toggle = async (lang) => {
      await page.locator('a.lang').click();
      await page.locator(`html[lang="${lang}"]`).waitFor({ state: 'attached' });
    };

    await page.goto(asked.url);
    await page.locator('.who img').evaluate((img) => img.decode());
    await check('phone');
    await snapshot(page, `sso-phone-${size}`);
    await toggle('en');
    await check('phone (English)');
    await toggle('vi');

    await askForCode(page, phone);
    await check('code');
    await snapshot(page, `sso-code-${size}`);
    await page.locator('#code').fill(await wrongCode(phone));
    const wrong = nextAuthorizeAnswer(page);
    await page.locator('form:has(#code) button[type=submit]').click();
    assert.equal((await wrong).status(), 401);
    await page.locator('.error[role=alert]').waitFor();
    await check('code (wrong code)');

    await enterCode(page, phone);
    assert.equal((await listedScopes(page)).length, 5);
    await check('consent');
    await snapshot(page, `sso-consent-${size}`);
    if (rules.kiosk) {
      // On the kiosk the whole choice is on the screen at once, no scrolling.
      for (const name of ['Đồng ý', 'Từ chối']) {
        const box = await page.getByRole('button', { name }).boundingBox();
        assert.ok(box.y + box.height <= viewport.height, `${name} ends at ${box.y + box.height}px, below the screen`);
      }
    }
    await toggle('en');
    await check('consent (English)');

    const unknown = authorizationUrl({ client_id: 'no-such-client', redirectUri: service.redirectUri }, 'openid');
    await page.goto(unknown.url);
    await check('error');
    await snapshot(page, `sso-error-${size}`);

    await page.goto(`${BASE}/sso/logout`);
    await check('logout');
    await snapshot(page, `sso-logout-${size}`);

    assert.deepEqual(problems, []);
  });
}
