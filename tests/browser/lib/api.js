// The public API from the test's side (Node's fetch): reading one-time codes
// from the dev outbox, logging officials in, seeding slots and documents.

import fs from 'node:fs';
import path from 'node:path';
import { BASE } from './harness.js';

export const ADMIN_TOKEN = process.env.KIOSK_ADMIN_TOKEN ?? '';
export const STATE_DIR = process.env.KIOSK_STATE_DIR ?? '';

export async function api(method, urlPath, { body, token, headers = {} } = {}) {
  const h = { accept: 'application/json', ...headers };
  if (body !== undefined) h['content-type'] = 'application/json';
  if (token) h.authorization = `Bearer ${token}`;
  const resp = await fetch(new URL(urlPath, BASE), {
    method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await resp.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: keep the text.
  }
  return { status: resp.status, json, text, headers: resp.headers };
}

function must(resp, what, ...ok) {
  if (!ok.includes(resp.status)) throw new Error(`${what}: HTTP ${resp.status} ${resp.text}`);
  return resp.json;
}

let counter = 0;
/** A fresh valid Vietnamese mobile number (E.164) for one test person. */
export function freshPhone() {
  counter += 1;
  const unique = (process.pid * 97 + counter * 7919 + Date.now()) % 1_000_000;
  return `+84386${String(unique).padStart(6, '0')}`;
}

/** `+84386123456` → `0386123456`, as a person types it. */
export function national(phone) {
  return `0${phone.slice(3)}`;
}

/** Every way a page might write `phone`: E.164, national, grouped for reading. */
export function phoneForms(phone) {
  const n = national(phone);
  return [phone, n, `${n.slice(0, 4)} ${n.slice(4, 7)} ${n.slice(7)}`];
}

/** The newest one-time code sent to `phone` (development outbox, docs/settings.md). */
export async function outboxCode(phone) {
  const answer = must(await api('GET', `/api/v1/dev/outbox?phone=${encodeURIComponent(phone)}`), 'outbox', 200);
  const code = answer.items?.[0]?.code;
  if (!code) throw new Error(`no code in the outbox for ${phone}`);
  return code;
}

/** Logs in through the API (officials of the test setup); returns the token. */
export async function apiLogin(phone) {
  const started = must(await api('POST', '/api/v1/auth/otp', { body: { phone, channel: 'sms' } }), 'otp', 202);
  const code = await outboxCode(phone);
  const done = must(await api('POST', '/api/v1/auth/verify', { body: { challenge_id: started.challenge_id, code } }), 'verify', 200);
  return done.token;
}

export async function admin(urlPath, body) {
  return must(await api('POST', urlPath, { body, token: ADMIN_TOKEN }), `admin ${urlPath}`, 200, 201, 409);
}

/** `YYYY-MM-DD` and `HH:MM` of an instant in Asia/Ho_Chi_Minh. */
function local(ms) {
  const iso = new Date(ms + 7 * 3600_000).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

/**
 * Makes a slot of `service` starting within the next 10 minutes, so a
 * ticket booked now can be checked in now (check-in opens 30 minutes
 * before the start). An official of the service's unit creates it, as a
 * desk would.
 */
export async function slotStartingSoon(service, unit) {
  const phone = freshPhone();
  await admin('/api/v1/admin/officials', { phone, full_name: 'Cán bộ Kiểm thử', unit });
  const token = await apiLogin(phone);
  const fiveMinutes = 5 * 60_000;
  const start = Math.ceil((Date.now() + 60_000) / fiveMinutes) * fiveMinutes;
  const from = local(start);
  const to = local(start + fiveMinutes);
  // A slot may not cross midnight: `24:00` ends the day.
  const dayEnd = to.date === from.date ? to.time : '24:00';
  must(await api('POST', '/api/v1/appointments/slots', {
    token,
    body: {
      service_code: service, date_from: from.date, date_to: from.date,
      day_start: from.time, day_end: dayEnd, interval_minutes: 5, capacity: 5,
    },
  }), 'create slots', 200, 201);
  return { token, date: from.date };
}

/** The demo issuer's API key that demo-seed saved in the state dir. */
export function issuerKey() {
  return fs.readFileSync(path.join(STATE_DIR, 'demo-issuer-key'), 'utf8').trim();
}

/** A small valid PNG (48×32, a framed checker), standing in for a document scan. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAADAAAAAgCAAAAABxv6TAAAAAMUlEQVR42mMQIREwkKHhGQlgpGvQgAKYFHb+qAbaaSBGIYw/qoF2GkZLDWI00Lj0BgAYKWWOy0yKgwAAAABJRU5ErkJggg==';

/** A one-page PDF saying "Giay khai sinh". */
export const PDF_BASE64 = 'JVBERi0xLjQKMSAwIG9iaiA8PCAvVHlwZSAvQ2F0YWxvZyAvUGFnZXMgMiAwIFIgPj4gZW5kb2JqCjIgMCBvYmogPDwgL1R5cGUgL1BhZ2VzIC9LaWRzIFszIDAgUl0gL0NvdW50IDEgPj4gZW5kb2JqCjMgMCBvYmogPDwgL1R5cGUgL1BhZ2UgL1BhcmVudCAyIDAgUiAvTWVkaWFCb3ggWzAgMCAzMDAgMjAwXSAvQ29udGVudHMgNCAwIFIgL1Jlc291cmNlcyA8PCAvRm9udCA8PCAvRjEgNSAwIFIgPj4gPj4gPj4gZW5kb2JqCjQgMCBvYmogPDwgL0xlbmd0aCA0NCA+PiBzdHJlYW0KQlQgL0YxIDI0IFRmIDQwIDEwMCBUZCAoR2lheSBraGFpIHNpbmgpIFRqIEVUCmVuZHN0cmVhbSBlbmRvYmoKNSAwIG9iaiA8PCAvVHlwZSAvRm9udCAvU3VidHlwZSAvVHlwZTEgL0Jhc2VGb250IC9IZWx2ZXRpY2EgPj4gZW5kb2JqCnRyYWlsZXIgPDwgL1Jvb3QgMSAwIFIgPj4KJSVFT0YK';

/** Pushes a document (a PNG scan, or a PDF with `pdf: true`) into `phone`'s vault as the demo issuer. */
export async function pushDocument(phone, { title, type = 'procedure_result', externalId, pdf = false }) {
  return must(await api('POST', '/api/v1/issuer/documents', {
    token: issuerKey(),
    body: {
      citizen: { phone }, type, title,
      content_base64: pdf ? PDF_BASE64 : PNG_BASE64,
      content_type: pdf ? 'application/pdf' : 'image/png',
      issued_at: local(Date.now()).date, external_id: externalId,
    },
  }), 'push document', 200, 201);
}
