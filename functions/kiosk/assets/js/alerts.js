// The official alerts in force for the kiosk's district, on the start
// screen (docs/alerts.md, "The kiosk"). The district comes from the page
// (`<html data-district>`, written by the component from `/kiosk/?district=`);
// without one there is no banner. The list is fetched at start and every
// five minutes; a failed fetch keeps what is shown, so a network blip never
// hides a warning. Texts from the API are set as text, never as markup;
// they are in Vietnamese, and say so (`lang="vi"`) when the page is in English.

import { json } from './api.js';
import { byId, clear, el } from './ui.js';

const REFRESH_MS = 5 * 60 * 1000;
/** At most this many on the start screen, the most severe first. */
const SHOWN = 3;
const SEVERITIES = new Set(['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown']);

/** The kiosk's district code, or '' (only lower-case letters, digits and dashes). */
export function district() {
  const d = document.documentElement.dataset.district ?? '';
  return /^[a-z0-9-]{1,40}$/.test(d) ? d : '';
}

function item(alert) {
  const severity = SEVERITIES.has(alert.severity) ? alert.severity : 'Unknown';
  return el('li', { class: `alert alert-${severity.toLowerCase()}` },
    el('p', { class: 'alert-head' },
      el('span', { class: 'alert-severity', i18n: `alerts.severity.${severity}` }),
      el('span', { class: 'alert-until', i18n: 'alerts.until', args: { iso: String(alert.expires ?? '') } })),
    el('p', { class: 'alert-headline', lang: 'vi', text: String(alert.headline ?? '') }),
    el('p', { class: 'alert-text', lang: 'vi', text: String(alert.description ?? '') }),
    alert.instruction ? el('p', { class: 'alert-instruction', lang: 'vi', text: String(alert.instruction) }) : null);
}

/** Shows `alerts` (the feed's items) on the start screen; none hides the banner. */
export function show(alerts) {
  const box = byId('home-alerts');
  const list = byId('alert-list');
  clear(list);
  for (const a of alerts.slice(0, SHOWN)) list.append(item(a));
  box.hidden = list.childElementCount === 0;
}

async function refresh(code) {
  try {
    const body = await json('GET', `/api/v1/alerts?area=${encodeURIComponent(code)}`);
    show(Array.isArray(body?.items) ? body.items : []);
  } catch (e) {
    // An unknown district is a setting to fix, not a warning to keep.
    if (e?.status === 422) show([]);
  }
}

/** Starts showing the district's alerts (nothing without a district). */
export function start() {
  const code = district();
  if (!code) return;
  refresh(code);
  setInterval(() => refresh(code), REFRESH_MS);
}
