// On-screen keys for touch screens without a keyboard: digits for phone
// numbers and codes, the ticket alphabet for ticket codes. Keyboard users
// type directly, so the keys stay out of the tab order.

import { el } from './ui.js';

export const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
/** Ticket codes use only these (no 0, O, 1, I, L, U: see shared/src/appointments/ticket.rs). */
export const TICKET_KEYS = [...'23456789ABCDEFGHJKMNPQRSTVWXYZ'];

function type(input, change) {
  const max = Number(input.getAttribute('maxlength')) || Infinity;
  const next = change(input.value);
  input.value = next.slice(0, max);
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.focus({ preventScroll: true });
}

function key(label, action, props = {}) {
  return el('button', { type: 'button', class: 'key', tabindex: '-1', ...props, on: { click: action } }, label);
}

/** Fills `container` with keys that type into `input`. */
export function mount(container, input, keys) {
  const keyButtons = keys.map((k) => key(k, () => type(input, (v) => v + k)));
  const extra = keys === DIGITS
    ? [
        key('', () => type(input, () => ''), { class: 'key key-wide', i18n: 'keypad.clear' }),
        key('0', () => type(input, (v) => `${v}0`)),
      ]
    : [key('', () => type(input, () => ''), { class: 'key key-wide', i18n: 'keypad.clear' })];
  const backspace = key('', () => type(input, (v) => v.slice(0, -1)), {
    class: 'key key-wide', i18n: 'keypad.backspace', 'data-i18n-label': 'keypad.backspace_label',
  });
  container.replaceChildren(...keyButtons, ...extra, backspace);
  container.classList.add(keys === DIGITS ? 'keypad-digits' : 'keypad-letters');
}
