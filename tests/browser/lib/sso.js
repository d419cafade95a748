// The provider's pages (functions/sso, docs/sso.md) from a city service's
// side and from the citizen's: registering a service through the admin API,
// an authorization URL with PKCE S256, the service's own small web server on
// a free loopback port (its redirect URIs land there), logging in through the
// pages with a code from the dev outbox, and the layout audit with the
// phone's and the kiosk's rules.

import { after, before } from 'node:test';
import crypto from 'node:crypto';
import http from 'node:http';
import { BASE } from './harness.js';
import { admin, api, national, outboxCode } from './api.js';

/** A phone held upright (a common modern size) and a small one. */
export const PHONE = { width: 390, height: 844 };
export const SMALL_PHONE = { width: 360, height: 640 };

/** A 1×1 PNG, the service's logo. */
const LOGO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const esc = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

let server = null;
/** `http://127.0.0.1:<port>` of the services' server, once started. */
export let SERVICE_ORIGIN = '';

/**
 * Starts, for this test file, the web server standing in for the city's
 * services: every path answers a small page of the service, except
 * `/framing?src=URL`, another site's page showing URL in a frame.
 */
export function useServices() {
  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url, 'http://127.0.0.1');
      res.setHeader('content-type', 'text/html; charset=utf-8');
      if (url.pathname === '/framing') {
        res.end(`<!doctype html><html lang="vi"><title>Trang khác</title><iframe id="framed" src="${esc(url.searchParams.get('src') ?? '')}" width="400" height="600"></iframe></html>`);
      } else {
        res.end('<!doctype html><html lang="vi"><title>Dịch vụ</title><h1>Trang của dịch vụ</h1></html>');
      }
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    SERVICE_ORIGIN = `http://127.0.0.1:${server.address().port}`;
  });
  after(async () => {
    if (server) await new Promise((resolve) => server.close(resolve));
  });
}

let services = 0;

/**
 * Registers a city service (a public client: PKCE alone proves it) allowed
 * `scopes`, with its own redirect URI on the services' server; resolves to
 * `{ client_id, name, purpose, redirectUri, … }`. With `logo`, the consent
 * page shows an https logo and a link to the service's site (call
 * `serveLogo` on the page).
 */
export async function registerService({
  name = 'Cổng dịch vụ công Đà Nẵng',
  purpose = 'Điền sẵn hồ sơ thủ tục hành chính của bạn',
  scopes = 'openid profile phone address level documents:birth_certificate',
  logo = true,
} = {}) {
  if (!SERVICE_ORIGIN) throw new Error('call useServices() at the top of the test file');
  services += 1;
  const redirectUri = `${SERVICE_ORIGIN}/cb/${services}`;
  const created = await admin('/api/v1/admin/clients', {
    name,
    kind: 'public',
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [`${SERVICE_ORIGIN}/bye`],
    scopes,
    purpose,
    client_uri: logo ? 'https://dichvucong.example/' : undefined,
    logo_uri: logo ? 'https://dichvucong.example/logo.png' : undefined,
  });
  if (!created?.client_id) throw new Error(`the client was not registered: ${JSON.stringify(created)}`);
  return { ...created, name, purpose, redirectUri };
}

/** Answers the logo's https URL in `page` (the test machine reaches no outside site). */
export async function serveLogo(page) {
  await page.route('https://dichvucong.example/**', (route) => route.fulfill({
    status: 200, contentType: 'image/png', body: LOGO,
  }));
}

/** A PKCE pair (RFC 7636, S256). */
export function pkce() {
  const verifier = crypto.randomBytes(48).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

/**
 * The URL a service sends the citizen to, asking for `scope`: returns
 * `{ url, state, nonce, verifier }`.
 */
export function authorizationUrl(service, scope, extra = {}) {
  const { verifier, challenge } = pkce();
  const state = crypto.randomBytes(12).toString('base64url');
  const nonce = crypto.randomBytes(12).toString('base64url');
  const url = new URL('/sso/authorize', BASE);
  const params = {
    response_type: 'code', client_id: service.client_id, redirect_uri: service.redirectUri, scope,
    state, nonce, code_challenge: challenge, code_challenge_method: 'S256', ...extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { url: url.href, state, nonce, verifier };
}

/** The query of the page the browser landed on at the service, once the service's page is shown. */
export async function landed(page, service) {
  await page.waitForURL((u) => u.href.startsWith(`${service.redirectUri}?`));
  await page.locator('h1', { hasText: 'Trang của dịch vụ' }).waitFor();
  return Object.fromEntries(new URL(page.url()).searchParams);
}

/** The answer to the next form the page posts to /sso/authorize. */
export function nextAuthorizeAnswer(page) {
  return page.waitForResponse((r) => new URL(r.url()).pathname === '/sso/authorize' && r.request().method() === 'POST');
}

/** Fills the phone page and asks for a code by SMS; resolves to the code page's response. */
export async function askForCode(page, phone) {
  await page.locator('#phone').fill(national(phone));
  await page.getByLabel('SMS').check();
  const answer = nextAuthorizeAnswer(page);
  await page.locator('form:has(#phone) button[type=submit]').click();
  const resp = await answer;
  await page.locator('#code').waitFor();
  return resp;
}

/** Types the code from the dev outbox on the code page; resolves to the answer (the consent page or a redirect). */
export async function enterCode(page, phone) {
  await page.locator('#code').fill(await outboxCode(phone));
  const answer = nextAuthorizeAnswer(page);
  await page.locator('form:has(#code) button[type=submit]').click();
  return answer;
}

/** Logs in on the pages (phone, SMS, code); resolves to the answer to the code. */
export async function logIn(page, phone) {
  await askForCode(page, phone);
  return enterCode(page, phone);
}

/** The scopes the consent page lists, in its order. */
export function listedScopes(page) {
  return page.locator('li[data-scope]').evaluateAll((items) => items.map((li) => li.dataset.scope));
}

/** The provider's issuer, from its discovery document. */
export async function issuer() {
  const discovery = await api('GET', '/.well-known/openid-configuration');
  if (discovery.status !== 200) throw new Error(`discovery: HTTP ${discovery.status}`);
  return discovery.json.issuer;
}

/** Exchanges a code at the token endpoint as the (public) service would. */
export async function exchange(service, code, verifier) {
  const resp = await fetch(new URL('/sso/token', BASE), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: service.redirectUri,
      code_verifier: verifier, client_id: service.client_id,
    }),
  });
  return { status: resp.status, json: await resp.json().catch(() => null) };
}

/**
 * What the pages must meet at a size. The kiosk's rules (docs/kiosk.md) on
 * its two screens: controls at least 56 px each way, text at least 20 px.
 * On a phone the kiosk's 56 px would be a rule for gloved fingers at arm's
 * length on a wall; the pages follow instead WCAG 2.2 SC 2.5.5 (target size,
 * AAA) and Apple's Human Interface Guidelines: at least 44 CSS px each way,
 * and text at least 16 px (the size below which a phone browser zooms into
 * a form field, and the usual floor for body text). Contrast is 7:1
 * (WCAG AAA) everywhere. Nothing may overflow sideways at any size.
 */
export function rulesFor(viewport) {
  const kiosk = Math.min(viewport.width, viewport.height) >= 1080;
  return kiosk ? { kiosk, target: 56, text: 20, contrast: 7 } : { kiosk, target: 44, text: 16, contrast: 7 };
}

/**
 * Problems on the page as shown, measured in the page: the layout audit of
 * layout.test.js with `rules`. Targets are the buttons, links, text fields
 * and each radio button's label (the whole label is what a finger hits).
 */
export function audit(page, rules) {
  return page.evaluate(({ target, text, contrast }) => {
    const problems = [];
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    const name = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${el.className}` : ''} "${(el.textContent || el.value || '').trim().slice(0, 30)}"`;

    const controls = 'button, a[href], input:not([type=radio]):not([type=checkbox]):not([type=hidden]), textarea, select, label:has(input[type=radio]), label:has(input[type=checkbox])';
    for (const el of document.querySelectorAll(controls)) {
      if (!visible(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width < target || r.height < target) problems.push(`small target ${name(el)} ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
    if (document.documentElement.scrollWidth > window.innerWidth) {
      problems.push(`overflows sideways: ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
    }

    const rgb = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c;
      }
      return [255, 255, 255];
    };
    const texts = [...document.querySelectorAll('body *')];
    // A field's placeholder is text too.
    for (const el of texts) {
      const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())
        || (el.matches('input') && el.placeholder && !el.value);
      if (!ownText || !visible(el)) continue;
      const style = getComputedStyle(el);
      const size = Number.parseFloat(style.fontSize);
      if (size < text) problems.push(`small text ${name(el)} ${size}px`);
      const color = el.matches('input') && el.placeholder && !el.value
        ? getComputedStyle(el, '::placeholder').color : style.color;
      const [a, b] = [lum(rgb(color)), lum(background(el))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < contrast) problems.push(`contrast ${ratio.toFixed(2)}:1 ${name(el)}`);
    }
    return problems;
  }, rules);
}

/**
 * What could make the page run a script: script elements, event-handler
 * attributes, `javascript:` URLs. The list is empty on a page that runs none.
 */
export function scriptsIn(page) {
  return page.evaluate(() => {
    const found = [...document.querySelectorAll('script')].map((s) => `<script ${s.src}>`);
    for (const el of document.querySelectorAll('*')) {
      for (const attr of el.attributes) {
        if (/^on/i.test(attr.name)) found.push(`${el.tagName.toLowerCase()}[${attr.name}]`);
        if (/^\s*javascript:/i.test(attr.value)) found.push(`${el.tagName.toLowerCase()}[${attr.name}=${attr.value}]`);
      }
    }
    return found;
  });
}

/** `name=value` directives of a Content-Security-Policy header. */
export function policy(header) {
  return Object.fromEntries((header ?? '').split(';').map((d) => d.trim()).filter(Boolean)
    .map((d) => {
      const [k, ...v] = d.split(/\s+/);
      return [k.toLowerCase(), v.join(' ')];
    }));
}
