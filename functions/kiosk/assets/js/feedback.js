// Feedback (docs/feedback.md): a category from the API, the text, an optional place,
// and the tracking code to follow it up. Works signed in (the citizen owns
// it, may send it anonymously) or not (always anonymous).

import { json } from './api.js';
import { describe } from './errors.js';
import { lang } from './i18n.js';
import * as session from './session.js';
import { byId, clear, el, hush, resetForms, say } from './ui.js';

/**
 * The API needs coordinates with every item. A kiosk has no map, so a
 * person may name the district (its centre is sent) and an address; with
 * neither, the city centre is sent and the address left empty.
 */
export const AREAS = [
  { code: 'hai-chau', name: 'Hải Châu', lat: 16.0471, lng: 108.2193 },
  { code: 'thanh-khe', name: 'Thanh Khê', lat: 16.0643, lng: 108.1880 },
  { code: 'son-tra', name: 'Sơn Trà', lat: 16.0861, lng: 108.2449 },
  { code: 'ngu-hanh-son', name: 'Ngũ Hành Sơn', lat: 16.0017, lng: 108.2559 },
  { code: 'lien-chieu', name: 'Liên Chiểu', lat: 16.0735, lng: 108.1500 },
  { code: 'cam-le', name: 'Cẩm Lệ', lat: 16.0156, lng: 108.1961 },
  { code: 'hoa-vang', name: 'Hòa Vang', lat: 16.0290, lng: 108.0610 },
];
export const CITY_CENTRE = { lat: 16.0544, lng: 108.2022 };

/** Longest title the API takes. */
const TITLE_MAX = 200;
/** A title made from the text when none was given: its first line, shortened. */
const DERIVED_TITLE = 80;

let app;
let generation = 0;

/** The JSON body for `POST /api/v1/feedback` from what the person entered. */
export function feedbackBody({ category, title, content, areaCode, address, anonymous }) {
  const text = content.trim();
  const firstLine = text.split('\n')[0].trim();
  const derived = firstLine.length > DERIVED_TITLE ? `${firstLine.slice(0, DERIVED_TITLE - 1)}…` : firstLine;
  const area = AREAS.find((a) => a.code === areaCode);
  const place = [address.trim(), area ? `${area.name}, Đà Nẵng` : ''].filter(Boolean).join(', ');
  const body = {
    category,
    title: (title.trim() || derived).slice(0, TITLE_MAX),
    content: text,
    location: { lat: (area ?? CITY_CENTRE).lat, lng: (area ?? CITY_CENTRE).lng, address: place || null },
  };
  if (anonymous !== undefined) body.anonymous = anonymous;
  return body;
}

function radio(name, value, labelKey, labelText, checked = false) {
  const id = `${name}-${value}`;
  return el('label', { class: 'choice-tile', for: id },
    el('input', { type: 'radio', name, value, id, checked }),
    labelKey ? el('span', { i18n: labelKey }) : el('span', { text: labelText }));
}

async function loadCategories() {
  const mine = generation;
  say(byId('fb-status'), 'fb.loading');
  try {
    const answer = await json('GET', '/api/v1/feedback/categories', { lang: lang() });
    if (mine !== generation) return;
    hush(byId('fb-status'));
    byId('fb-categories').replaceChildren(...answer.items.map((c) => radio('category', c.code, null, c.name)));
  } catch (e) {
    if (mine !== generation) return;
    hush(byId('fb-status'));
    const { key, args } = describe(e);
    say(byId('fb-error'), key, args);
  }
}

function fieldErrors(fields) {
  let shown = false;
  for (const [field, problem] of Object.entries(fields ?? {})) {
    if (field === 'category') {
      say(byId('fb-category-error'), 'fb.need_category');
      shown = true;
    } else if (field === 'content' || field === 'title') {
      say(byId('fb-content-error'), problem === 'too_long' ? 'fb.too_long' : 'fb.need_content');
      shown = true;
    }
  }
  if (!shown) say(byId('fb-error'), 'fb.invalid');
}

async function submit() {
  const mine = generation;
  for (const id of ['fb-error', 'fb-category-error', 'fb-content-error']) hush(byId(id));
  const form = byId('fb-form');
  const category = form.querySelector('input[name="category"]:checked')?.value;
  const content = byId('fb-content').value;
  if (!category) {
    say(byId('fb-category-error'), 'fb.need_category');
    form.querySelector('input[name="category"]')?.focus();
    return;
  }
  if (!content.trim()) {
    say(byId('fb-content-error'), 'fb.need_content');
    byId('fb-content').focus();
    return;
  }
  const body = feedbackBody({
    category,
    title: byId('fb-title').value,
    content,
    areaCode: form.querySelector('input[name="area"]:checked')?.value,
    address: byId('fb-address').value,
    anonymous: session.signedIn() ? byId('fb-anonymous').checked : undefined,
  });
  const outcome = await session.submit(
    byId('fb-submit'),
    'fb.sending',
    () => mine === generation,
    () => json('POST', '/api/v1/feedback', { body, token: session.tokenIfAny(), lang: lang() }),
  );
  if (!outcome) return;
  const e = outcome.error;
  if (!e) {
    byId('fb-form').hidden = true;
    byId('fb-done').hidden = false;
    byId('fb-tracking').textContent = outcome.value.tracking_code;
    byId('fb-again').focus();
    return;
  }
  if (e.code === 'validation_failed') {
    fieldErrors(e.fields);
    return;
  }
  const { key, args } = describe(e);
  say(byId('fb-error'), key, args);
}

function enter() {
  reset();
  const signedIn = session.signedIn();
  byId('fb-anonymous-row').hidden = !signedIn;
  byId('fb-anonymous-note').hidden = signedIn;
  loadCategories();
}

function reset() {
  generation += 1;
  resetForms(byId('screen-feedback'));
  clear(byId('fb-categories'));
  byId('fb-areas').replaceChildren(
    radio('area', 'none', 'fb.area_none', null, true),
    ...AREAS.map((a) => radio('area', a.code, `area.${a.code}`)),
  );
  byId('fb-form').hidden = false;
  byId('fb-done').hidden = true;
  byId('fb-tracking').textContent = '';
  for (const id of ['fb-status', 'fb-error', 'fb-category-error', 'fb-content-error']) hush(byId(id));
}

export default {
  init(a) {
    app = a;
    byId('fb-form').addEventListener('submit', (e) => {
      e.preventDefault();
      submit();
    });
    byId('fb-again').addEventListener('click', () => app.go('feedback'));
    app.screen('feedback', enter);
  },
  reset,
};
