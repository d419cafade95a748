// Sign-in by phone and one-time code with a kiosk session (docs/identity.md):
// a clear message for every code the API can answer, a visible countdown
// before a new code may be asked for, and the screen the person wanted to
// reach opened right after.

import { json } from './api.js';
import { describe } from './errors.js';
import { phone as readablePhone } from './format.js';
import { lang, localize, unlocalize } from './i18n.js';
import { DIGITS, mount } from './keypad.js';
import * as session from './session.js';
import { busy, byId, hush, say } from './ui.js';

let app;
let state = fresh();

function fresh() {
  return { challengeId: null, phone: '', expiresIn: 300, next: null, resendAt: 0, sendBlockedUntil: 0, timer: null };
}

function secondsUntil(at) {
  return Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

// The two buttons that wait for the server's permission to ask again.
function tick() {
  const resend = byId('resend');
  const wait = secondsUntil(state.resendAt);
  if (resend.getAttribute('aria-busy') !== 'true') {
    resend.disabled = wait > 0;
    if (wait > 0) localize(resend, 'login.resend_in', { seconds: wait });
    else localize(resend, 'login.resend');
  }
  const send = byId('send-code');
  const blocked = secondsUntil(state.sendBlockedUntil);
  if (send.getAttribute('aria-busy') !== 'true') {
    send.disabled = blocked > 0;
    if (blocked > 0) localize(send, 'login.send_in', { seconds: blocked });
    else localize(send, 'login.send');
  }
}

function startTicking() {
  tick();
  if (state.timer === null) state.timer = setInterval(tick, 250);
}

function hushAll() {
  for (const id of ['phone-error', 'code-error', 'code-info']) hush(byId(id));
}

function showPhoneStep() {
  hushAll();
  byId('code-form').hidden = true;
  byId('phone-form').hidden = false;
  byId('code').value = '';
  byId('phone').focus();
}

function showCodeStep(expiresIn) {
  byId('phone-form').hidden = true;
  byId('code-form').hidden = false;
  localize(byId('code-sent'), 'login.code_sent', {
    phone: readablePhone(state.phone),
    minutes: Math.max(1, Math.round((expiresIn ?? 300) / 60)),
  });
  byId('code').value = '';
  byId('verify').disabled = false;
  byId('code').focus();
}

async function sendCode(isResend) {
  hushAll();
  const errorNode = byId(isResend ? 'code-error' : 'phone-error');
  const raw = isResend ? state.phone : byId('phone').value.trim();
  if (!raw) {
    say(errorNode, 'err.phone_required');
    byId('phone').focus();
    return;
  }
  // The same number again while its code is still fresh: back to that code
  // rather than a refused request (the API makes a new code wait anyway).
  const digits = (v) => v.replace(/\D/g, '');
  if (!isResend && state.challengeId && digits(raw) === digits(state.phone) && Date.now() < state.resendAt) {
    showCodeStep(state.expiresIn);
    return;
  }
  const button = byId(isResend ? 'resend' : 'send-code');
  const restore = busy(button, 'login.sending');
  try {
    const started = await json('POST', '/api/v1/auth/otp', {
      body: { phone: raw, channel: 'sms', client: 'kiosk' },
      lang: lang(),
    });
    restore();
    state.challengeId = started.challenge_id;
    state.phone = raw;
    state.resendAt = Date.now() + Number(started.resend_after ?? 60) * 1000;
    state.expiresIn = started.expires_in;
    showCodeStep(started.expires_in);
    if (isResend) say(byId('code-info'), 'login.resent');
  } catch (e) {
    restore();
    const { key, args } = describe(e);
    say(errorNode, key, args);
    if ((e.code === 'rate_limited' || e.code === 'phone_locked') && e.retryAfter) {
      const until = Date.now() + e.retryAfter * 1000;
      if (isResend) state.resendAt = until;
      else state.sendBlockedUntil = until;
    }
    if (!isResend) byId('phone').focus();
  }
  tick();
}

async function verify() {
  hushAll();
  const input = byId('code');
  const code = input.value.replace(/\D/g, '');
  if (code.length !== 6) {
    say(byId('code-error'), 'err.code_format');
    input.focus();
    return;
  }
  const restore = busy(byId('verify'), 'login.checking');
  try {
    const login = await json('POST', '/api/v1/auth/verify', {
      body: { challenge_id: state.challengeId, code },
      lang: lang(),
    });
    restore();
    const next = state.next;
    reset();
    session.start(login);
    app.go(next?.name ?? 'home', next?.params);
  } catch (e) {
    restore();
    const { key, args } = describe(e);
    say(byId('code-error'), key, args);
    input.value = '';
    input.focus();
    // These end the challenge: only a new code can help now.
    if (['otp_expired', 'otp_exhausted', 'unknown_challenge', 'phone_locked'].includes(e.code)
      || (e.code === 'otp_invalid' && Number(e.fields?.attempts_left) === 0)) {
      byId('verify').disabled = true;
    }
    if (e.code === 'phone_locked' && e.retryAfter) state.resendAt = Date.now() + e.retryAfter * 1000;
  }
  tick();
}

function enter(params = {}) {
  reset();
  state.next = params.next ?? null;
  if (params.purpose === 'checkin') say(byId('login-purpose'), 'login.for_checkin');
  showPhoneStep();
  startTicking();
  return byId('phone');
}

function stopTicking() {
  if (state.timer !== null) clearInterval(state.timer);
  state.timer = null;
}

function reset() {
  stopTicking();
  state = fresh();
  byId('phone').value = '';
  byId('code').value = '';
  hush(byId('login-purpose'));
  hushAll();
  byId('code-form').hidden = true;
  byId('phone-form').hidden = false;
  unlocalize(byId('code-sent'));
  tick();
}

export default {
  init(a) {
    app = a;
    mount(byId('phone-keys'), byId('phone'), DIGITS);
    mount(byId('code-keys'), byId('code'), DIGITS);
    byId('phone-form').addEventListener('submit', (e) => {
      e.preventDefault();
      sendCode(false);
    });
    byId('code-form').addEventListener('submit', (e) => {
      e.preventDefault();
      verify();
    });
    byId('resend').addEventListener('click', () => sendCode(true));
    byId('change-phone').addEventListener('click', showPhoneStep);
    app.screen('login', enter, stopTicking);
  },
  reset,
};
