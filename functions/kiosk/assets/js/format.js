// Dates, times, durations and phone numbers as people in Đà Nẵng read
// them. Times are shown in the city's zone whatever the kiosk's clock says.

const ZONE = 'Asia/Ho_Chi_Minh';
const LOCALE = { vi: 'vi-VN', en: 'en-GB' };

function fmt(lang, options) {
  return new Intl.DateTimeFormat(LOCALE[lang] || LOCALE.vi, { timeZone: ZONE, ...options });
}

// A local day `YYYY-MM-DD` as an instant inside that day in the city.
function dayInstant(day) {
  return new Date(`${day}T12:00:00+07:00`);
}

function instant(value) {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? dayInstant(value) : new Date(value);
}

/** `08:30` from an RFC 3339 instant. */
export function time(iso, lang) {
  return fmt(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** `01/12/2026` (vi) or `01/12/2026` (en-GB) from an instant or a local day. */
export function date(value, lang) {
  return fmt(lang, { day: '2-digit', month: '2-digit', year: 'numeric' }).format(instant(value));
}

/** `Thứ Hai, 01/12` / `Monday 01 December` from a local day. */
export function weekdayDate(day, lang) {
  const options = lang === 'en'
    ? { weekday: 'long', day: '2-digit', month: 'long' }
    : { weekday: 'long', day: '2-digit', month: '2-digit' };
  return fmt(lang, options).format(dayInstant(day));
}

/** A wait in words, rounded up: `45 giây`, `15 phút` / `45 seconds`, `15 minutes`. */
export function duration(seconds, lang) {
  const s = Math.max(1, Math.ceil(Number(seconds) || 0));
  if (s < 60) return lang === 'en' ? `${s} ${s === 1 ? 'second' : 'seconds'}` : `${s} giây`;
  const m = Math.ceil(s / 60);
  return lang === 'en' ? `${m} ${m === 1 ? 'minute' : 'minutes'}` : `${m} phút`;
}

/** Today's local day in the city, `YYYY-MM-DD`. */
export function today(now = Date.now()) {
  return new Date(now + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

/** `day` plus `n` days, `YYYY-MM-DD`. */
export function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** `+84905123456` or `0905123456` → `0905 123 456` for reading back to a person. */
export function phone(value) {
  const digits = String(value).replace(/\D/g, '');
  const national = digits.startsWith('84') && digits.length === 11 ? `0${digits.slice(2)}` : digits;
  return national.length === 10 ? `${national.slice(0, 4)} ${national.slice(4, 7)} ${national.slice(7)}` : String(value);
}

/** A ticket code in two groups of four, easier to read aloud: `7KQ3 MZ9A`. */
export function ticket(code) {
  const c = String(code);
  return c.length === 8 ? `${c.slice(0, 4)} ${c.slice(4)}` : c;
}
