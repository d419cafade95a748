// Booking (docs/appointments.md): choose a service, a day with free places, a time, then
// confirm; the ticket screen shows the code and its QR. Services and slots
// are public; booking needs the session. A retry of the same confirmation
// reuses its Idempotency-Key, so a double tap books once.

import { json } from './api.js';
import { describe } from './errors.js';
import { addDays, ticket as readableTicket, today } from './format.js';
import { lang, localize, localizeAlt } from './i18n.js';
import * as session from './session.js';
import { busy, byId, clear, el, hush, objectUrl, say } from './ui.js';

/** How far ahead the kiosk offers days. */
const DAYS_AHEAD = 14;
/** Pages of 100 slots read at most for one service (14 days of 5-minute slots fit). */
const MAX_PAGES = 40;

let app;
let generation = 0;
let state = fresh();

function fresh() {
  return { step: 'service', service: null, slots: [], day: null, slot: null, idempotencyKey: null };
}

function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `kiosk-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function choice(props, ...children) {
  return el('li', {}, el('button', { type: 'button', class: 'row choice', ...props }, ...children));
}

function setStep(step, key, args) {
  state.step = step;
  localize(byId('book-step'), key, args);
  byId('book-back').hidden = step === 'service';
  byId('book-confirm').hidden = step !== 'confirm';
  byId('book-choices').hidden = step === 'confirm';
  hush(byId('book-status'));
}

async function showServices() {
  const mine = generation;
  setStep('service', 'book.step_service');
  clear(byId('book-choices'));
  say(byId('book-status'), 'book.loading');
  try {
    const page = await json('GET', '/api/v1/appointments/services?limit=100', { lang: lang() });
    if (mine !== generation) return;
    hush(byId('book-status'));
    if (!page.items.length) say(byId('book-status'), 'book.no_services');
    byId('book-choices').replaceChildren(...page.items.map((s) => choice(
      { dataset: { service: s.code }, on: { click: () => chooseService(s) } },
      el('span', { class: 'row-title', text: s.name }),
      el('span', { class: 'row-meta' }, el('span', { i18n: `book.kind.${s.kind}` }), ' · ', el('span', { text: s.address ?? '' })),
    )));
  } catch (e) {
    if (mine !== generation) return;
    failed(e);
  }
}

async function loadSlots(service) {
  const from = today();
  const to = addDays(from, DAYS_AHEAD - 1);
  const slots = [];
  let cursor = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const query = new URLSearchParams({ service: service.code, from, to, limit: '100' });
    if (cursor) query.set('cursor', cursor);
    const answer = await json('GET', `/api/v1/appointments/slots?${query}`, { lang: lang() });
    slots.push(...answer.items);
    cursor = answer.next_cursor ?? null;
    if (!cursor) break;
  }
  return slots;
}

async function chooseService(service, keepMessage = false) {
  const mine = generation;
  state.service = service;
  setStep('day', 'book.step_day', { service: service.name });
  if (!keepMessage) hush(byId('book-error'));
  clear(byId('book-choices'));
  say(byId('book-status'), 'book.loading');
  try {
    state.slots = await loadSlots(service);
    if (mine !== generation) return;
    hush(byId('book-status'));
    const days = new Map();
    for (const slot of state.slots) days.set(slot.date, (days.get(slot.date) ?? 0) + Math.max(0, slot.remaining));
    if (!days.size) say(byId('book-status'), 'book.no_days');
    byId('book-choices').replaceChildren(...[...days].map(([day, free]) => choice(
      { dataset: { day }, disabled: free === 0, on: { click: () => chooseDay(day) } },
      el('span', { class: 'row-title', i18n: 'book.day', args: { date: day } }),
      el('span', { class: 'row-meta', i18n: 'book.day_free', args: { free } }),
    )));
  } catch (e) {
    if (mine !== generation) return;
    failed(e);
  }
}

function chooseDay(day, keepMessage = false) {
  state.day = day;
  if (!keepMessage) hush(byId('book-error'));
  setStep('slot', 'book.step_slot', { date: day });
  const slots = state.slots.filter((s) => s.date === day);
  byId('book-choices').replaceChildren(...slots.map((slot) => choice(
    { dataset: { slot: slot.id }, disabled: slot.remaining <= 0, on: { click: () => chooseSlot(slot) } },
    el('span', { class: 'row-title', i18n: 'book.slot', args: { start: slot.starts_at, end: slot.ends_at } }),
    el('span', { class: 'row-meta', i18n: 'book.slot_free', args: { free: Math.max(0, slot.remaining) } }),
  )));
}

function chooseSlot(slot) {
  state.slot = slot;
  state.idempotencyKey = newKey();
  hush(byId('book-error'));
  setStep('confirm', 'book.step_confirm');
  const s = state.service;
  byId('book-summary').replaceChildren(
    el('dt', { i18n: 'book.service' }), el('dd', { text: s.name }),
    el('dt', { i18n: 'book.address' }), el('dd', { text: s.address ?? '' }),
    el('dt', { i18n: 'book.when' }),
    el('dd', { i18n: 'book.when_value', args: { start: slot.starts_at, end: slot.ends_at, date: slot.date } }),
  );
  byId('book-submit').focus();
}

async function submit() {
  const mine = generation;
  hush(byId('book-error'));
  const restore = busy(byId('book-submit'), 'book.booking');
  try {
    const booking = await session.requestJson('POST', '/api/v1/appointments', {
      body: { slot_id: state.slot.id },
      headers: { 'Idempotency-Key': state.idempotencyKey },
    });
    restore();
    if (mine !== generation) return;
    app.go('ticket', { booking });
  } catch (e) {
    restore();
    if (mine !== generation) return;
    // The seat went to someone else, or the time passed: show fresh times.
    if (e.code === 'slot_full' || e.code === 'slot_past') {
      say(byId('book-error'), `book.${e.code}`);
      await chooseService(state.service, true);
      if (mine === generation && state.slots.some((s) => s.date === state.day)) chooseDay(state.day, true);
      return;
    }
    if (e.code === 'already_booked') {
      say(byId('book-error'), 'book.already_booked');
      return;
    }
    failed(e);
  }
}

function back() {
  if (state.step === 'confirm') chooseDay(state.day);
  else if (state.step === 'slot') chooseService(state.service);
  else showServices();
}

function failed(e) {
  hush(byId('book-status'));
  const { key, args } = describe(e);
  say(byId('book-error'), key, args);
}

function enterTicket({ booking } = {}) {
  resetTicket();
  if (!booking) return;
  const code = byId('ticket-code');
  code.textContent = readableTicket(booking.ticket_code);
  code.dataset.ticket = booking.ticket_code;
  const img = byId('ticket-qr');
  localizeAlt(img, 'book.ticket_alt', { code: booking.ticket_code });
  img.src = objectUrl(new Blob([booking.qr_svg], { type: 'image/svg+xml' }));
  const slot = booking.slot;
  byId('ticket-facts').replaceChildren(
    el('dt', { i18n: 'book.service' }), el('dd', { text: booking.service?.name ?? '' }),
    el('dt', { i18n: 'book.address' }), el('dd', { text: booking.service?.address ?? '' }),
    el('dt', { i18n: 'book.when' }),
    el('dd', { i18n: 'book.when_value', args: { start: slot.starts_at, end: slot.ends_at, date: slot.date } }),
  );
  if (booking.checkin) {
    localize(byId('ticket-window'), 'book.checkin_window', { opens: booking.checkin.opens_at, closes: booking.checkin.closes_at });
  }
}

function resetTicket() {
  const code = byId('ticket-code');
  code.textContent = '';
  delete code.dataset.ticket;
  const img = byId('ticket-qr');
  img.removeAttribute('src');
  img.alt = '';
  delete img.dataset.i18nAlt;
  delete img.dataset.i18nArgs;
  clear(byId('ticket-facts'));
  const win = byId('ticket-window');
  delete win.dataset.i18n;
  delete win.dataset.i18nArgs;
  win.textContent = '';
}

function reset() {
  generation += 1;
  state = fresh();
  clear(byId('book-choices'));
  clear(byId('book-summary'));
  byId('book-step').textContent = '';
  delete byId('book-step').dataset.i18n;
  hush(byId('book-status'));
  hush(byId('book-error'));
  byId('book-confirm').hidden = true;
  byId('book-back').hidden = true;
  resetTicket();
}

export default {
  init(a) {
    app = a;
    byId('book-submit').addEventListener('click', submit);
    byId('book-back').addEventListener('click', back);
    app.screen('book', () => {
      reset();
      showServices();
    });
    app.screen('ticket', enterTicket);
  },
  reset,
};
