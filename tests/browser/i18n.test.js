// Every text in both languages (no browser needed): the two dictionaries
// have the same keys, every key the page and its modules use exists, and
// the one-time-code errors read as docs/identity.md ("One-time codes") intends.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ASSETS = path.resolve(import.meta.dirname, '../../functions/kiosk/assets');
const { STRINGS } = await import(`${ASSETS}/js/strings.js`);
const { t } = await import(`${ASSETS}/js/i18n.js`);
const { describe } = await import(`${ASSETS}/js/errors.js`);
const { AREAS } = await import(`${ASSETS}/js/feedback.js`);

const SAMPLE = {
  name: 'Nguyễn Văn An', phone: '0905 123 456', minutes: 5, seconds: 42, attempts_left: 3, bytes: 2048,
  iso: '2026-12-01T08:30:00+07:00', date: '2026-12-01', start: '2026-12-01T08:30:00+07:00',
  end: '2026-12-01T08:45:00+07:00', at: '2026-12-01T08:20:00+07:00', opens: '2026-12-01T08:00:00+07:00',
  closes: '2026-12-01T08:45:00+07:00', free: 2, service: 'Khám nội', title: 'Giấy khai sinh', issuer: 'Sở Tư pháp',
  code: '7KQ3MZ9A',
};

function jsSources() {
  const dir = path.join(ASSETS, 'js');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'strings.js')
    .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]);
}

test('Vietnamese and English have exactly the same texts, none empty', () => {
  const vi = Object.keys(STRINGS.vi).sort();
  const en = Object.keys(STRINGS.en).sort();
  assert.deepEqual(vi.filter((k) => !en.includes(k)), [], 'only in Vietnamese');
  assert.deepEqual(en.filter((k) => !vi.includes(k)), [], 'only in English');
  for (const lang of ['vi', 'en']) {
    for (const key of vi) {
      const text = t(key, SAMPLE, lang);
      assert.ok(text.trim().length > 0, `${lang} ${key} is empty`);
      assert.ok(!/\{\w+\}|undefined|NaN|Invalid Date/.test(text), `${lang} ${key}: ${text}`);
    }
  }
});

test('the two languages really differ where people read words', () => {
  const same = Object.keys(STRINGS.vi).filter((k) => t(k, SAMPLE, 'vi') === t(k, SAMPLE, 'en'));
  // Place names, a loanword, numbers and times may read the same; sentences may not.
  const allowed = (k) => k.startsWith('area.') || ['checkin.submit', 'fmt.date', 'book.slot', 'docs.size_kb'].includes(k);
  assert.deepEqual(same.filter((k) => !allowed(k)), []);
});

test('every text key in the page and its modules exists', () => {
  const html = fs.readFileSync(path.join(ASSETS, 'index.html'), 'utf8');
  const used = new Set();
  for (const m of html.matchAll(/data-i18n(?:-label|-placeholder|-alt)?="([^"]+)"/g)) used.add(m[1]);
  for (const [, src] of jsSources()) {
    for (const m of src.matchAll(/(?:i18n:|'data-i18n-label':|localize\([^,()]+,|localizeAlt\([^,()]+,|say\([^,()]+,|busy\([^,()]+,|key: )\s*'([a-z]+\.[a-z0-9_.-]+)'/g)) used.add(m[1]);
    for (const m of src.matchAll(/\[\s*'([a-z]+\.[a-z0-9_.-]+)'/g)) used.add(m[1]);
  }
  // Keys built from API values: every value the API documents.
  const types = ['birth_certificate', 'household_registration', 'health_insurance', 'procedure_result', 'identity_card',
    'driving_license', 'vehicle_registration', 'marriage_certificate', 'education_certificate', 'medical_record', 'other'];
  for (const type of types) used.add(`doc.type.${type}`);
  for (const status of ['valid', 'revoked']) used.add(`docs.status.${status}`);
  for (const kind of ['health', 'public_service']) used.add(`book.kind.${kind}`);
  for (const code of ['slot_full', 'slot_past']) used.add(`book.${code}`);
  for (const area of AREAS) used.add(`area.${area.code}`);
  assert.ok(used.size > 100, `only ${used.size} keys found: the scan is broken`);
  const missing = [...used].filter((k) => !(k in STRINGS.vi));
  assert.deepEqual(missing, []);
});

test('each one-time-code error has its own clear message in both languages', () => {
  const cases = [
    [{ code: 'otp_invalid', status: 401, fields: { attempts_left: 2 } }, /còn 2 lần thử/, /2 tries left/],
    [{ code: 'otp_invalid', status: 401, fields: { attempts_left: 0 } }, /hết lượt thử/, /No tries left/],
    [{ code: 'otp_expired', status: 410 }, /hết hạn/, /expired/],
    [{ code: 'otp_exhausted', status: 429 }, /quá số lần/, /Too many wrong codes/],
    [{ code: 'phone_locked', status: 429, retryAfter: 840 }, /khóa.*14 phút/, /locked.*14 minutes/],
    [{ code: 'rate_limited', status: 429, retryAfter: 45 }, /45 giây/, /45 seconds/],
    [{ code: 'invalid_phone', status: 422 }, /không hợp lệ.*10 chữ số/, /10-digit/],
    [{ code: 'delivery_failed', status: 502 }, /Không gửi được tin nhắn/, /could not be sent/],
    [{ code: 'unknown_challenge', status: 404 }, /không còn hiệu lực/, /no longer valid/],
    [{ code: 'network', status: 0 }, /Không kết nối được/, /Cannot reach/],
  ];
  const seen = new Set();
  for (const [err, vi, en] of cases) {
    const { key, args } = describe(err);
    assert.match(t(key, args, 'vi'), vi, err.code);
    assert.match(t(key, args, 'en'), en, err.code);
    seen.add(key);
  }
  assert.equal(seen.size, cases.length - 1, 'two otp_invalid cases share a key; every other code has its own');
  // Retry-After may come only in the error's fields.
  const { args } = describe({ code: 'rate_limited', status: 429, fields: { retry_after: 120 } });
  assert.match(t('err.rate_limited', args, 'vi'), /2 phút/);
});
