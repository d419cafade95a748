// Check-in by ticket code (docs/appointments.md): `booked` → `arrived`. The screen opens
// without signing in. When the API asks for a kiosk session (it does today:
// any kiosk session may check in any ticket), the person is offered a
// sign-in and the ticket is checked in right after it.

import { json } from './api.js';
import { describe } from './errors.js';
import { lang, localize, unlocalize } from './i18n.js';
import { mount, TICKET_KEYS } from './keypad.js';
import * as session from './session.js';
import { byId, clear, el, hush, say } from './ui.js';

const TICKET = /^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}$/;

let app;
let generation = 0;
let pending = null;

/** What a person typed → the code the API stores (the API accepts the same forms). */
export function normalizeTicket(input) {
  return String(input).toUpperCase().replace(/[\s-]/g, '');
}

function explain(e) {
  switch (e.code) {
    // What a kiosk gets for every refusal (docs/kiosk.md): the API does not
    // tell a stranger why, so neither does the screen.
    case 'checkin_failed':
      return ['checkin.failed'];
    case 'ticket_not_found':
      return ['checkin.ticket_not_found'];
    case 'already_checked_in':
      return ['checkin.already'];
    case 'invalid_status':
      return ['checkin.invalid_status'];
    case 'validation_failed':
      return ['checkin.format'];
    case 'outside_checkin_window': {
      const opens = e.fields?.opens_at;
      const closes = e.fields?.closes_at;
      const early = opens && Date.now() < new Date(opens).getTime();
      return [early ? 'checkin.too_early' : 'checkin.too_late', { opens, closes }];
    }
    default: {
      const { key, args } = describe(e);
      return [key, args];
    }
  }
}

async function submit() {
  const mine = generation;
  const error = byId('checkin-error');
  hush(error);
  byId('checkin-login').hidden = true;
  const code = normalizeTicket(byId('ticket').value);
  if (!TICKET.test(code)) {
    say(error, 'checkin.format');
    byId('ticket').focus();
    return;
  }
  const outcome = await session.submit(
    byId('checkin-submit'),
    'checkin.checking',
    () => mine === generation,
    () => json('POST', '/api/v1/appointments/checkin', {
      body: { ticket_code: code },
      token: session.tokenIfAny(),
      lang: lang(),
    }),
  );
  if (!outcome) return;
  const e = outcome.error;
  if (!e) {
    showDone(outcome.value);
    return;
  }
  if (e.status === 401) {
    pending = code;
    say(error, 'checkin.needs_login');
    byId('checkin-login').hidden = false;
    byId('checkin-login').focus();
    return;
  }
  const [key, args] = explain(e);
  say(error, key, args);
  byId('ticket').focus();
}

function showDone(booking) {
  byId('checkin-form').hidden = true;
  byId('checkin-done').hidden = false;
  const slot = booking.slot ?? {};
  // Only the appointment, never whose it is: the person at the kiosk may
  // be checking in someone else's ticket.
  byId('checkin-facts').replaceChildren(
    el('dt', { i18n: 'book.service' }), el('dd', { text: booking.service?.name ?? '' }),
    el('dt', { i18n: 'book.address' }), el('dd', { text: booking.service?.address ?? '' }),
    el('dt', { i18n: 'book.when' }),
    el('dd', { i18n: 'book.when_value', args: { start: slot.starts_at, end: slot.ends_at, date: slot.date } }),
  );
  localize(byId('checkin-message'), 'checkin.done', { at: booking.arrived_at ?? new Date().toISOString() });
  byId('checkin-again').focus();
}

function logIn() {
  app.go('login', { purpose: 'checkin', next: { name: 'checkin', params: { ticket: pending, auto: true } } });
}

function enter(params = {}) {
  reset();
  if (params.ticket) byId('ticket').value = params.ticket;
  if (params.auto && params.ticket) submit();
  return byId('ticket');
}

function reset() {
  generation += 1;
  pending = null;
  byId('ticket').value = '';
  byId('checkin-form').hidden = false;
  byId('checkin-done').hidden = true;
  byId('checkin-login').hidden = true;
  hush(byId('checkin-error'));
  clear(byId('checkin-facts'));
  unlocalize(byId('checkin-message'));
}

export default {
  init(a) {
    app = a;
    mount(byId('ticket-keys'), byId('ticket'), TICKET_KEYS);
    byId('checkin-form').addEventListener('submit', (e) => {
      e.preventDefault();
      submit();
    });
    byId('checkin-login').addEventListener('click', logIn);
    byId('checkin-again').addEventListener('click', () => {
      reset();
      byId('ticket').focus();
    });
    app.screen('checkin', enter);
  },
  reset,
};
