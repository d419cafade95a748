// The signed-in citizen, kept in memory only: no cookie, no localStorage,
// no sessionStorage, so a reload or the next person finds nothing.

import { ApiError, call, json } from './api.js';
import { lang } from './i18n.js';
import { busy } from './ui.js';

let current = null;
const listeners = new Set();

export function signedIn() {
  return current !== null;
}

export function citizen() {
  return current?.citizen ?? null;
}

/** Calls `fn(reason)` whenever the session starts (`'start'`) or ends. */
export function onChange(fn) {
  listeners.add(fn);
}

function emit(reason) {
  for (const fn of listeners) fn(reason);
}

/** Keeps the answer of `POST /api/v1/auth/verify`. */
export function start(login) {
  current = { token: login.token, citizen: login.citizen ?? {} };
  emit('start');
}

/**
 * Forgets the session and revokes it on the server (`POST
 * /api/v1/auth/logout`). The local part happens first and cannot fail, so
 * the screen is cleared even when the network is down; the server ends a
 * kiosk session after 5 idle minutes anyway.
 */
export async function end(reason) {
  const token = current?.token;
  current = null;
  emit(reason);
  if (!token) return;
  try {
    await call('POST', '/api/v1/auth/logout', { token, lang: lang() });
  } catch {
    // Already expired or revoked (401), or offline: nothing more to do here.
  }
}

/** Revokes the session while the page is being closed or reloaded. */
export function endOnUnload() {
  const token = current?.token;
  current = null;
  if (token) {
    fetch('/api/v1/auth/logout', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      keepalive: true,
      credentials: 'omit',
    }).catch(() => {});
  }
}

/** The session token for an optional-auth call, or undefined. */
export function tokenIfAny() {
  return current?.token;
}

async function authed(fn, method, path, options = {}) {
  if (!current) throw new ApiError(401, 'unauthorized');
  try {
    return await fn(method, path, { ...options, token: current.token, lang: lang() });
  } catch (e) {
    // The server ended the session (idle 5 min, 30 min absolute, revoked).
    if (e instanceof ApiError && e.status === 401) await end('expired');
    throw e;
  }
}

/** An authenticated call; resolves to the Response. */
export function request(method, path, options) {
  return authed(call, method, path, options);
}

/** An authenticated call; resolves to the decoded JSON. */
export function requestJson(method, path, options) {
  return authed(json, method, path, options);
}

/**
 * Runs `request()` with `button` busy (showing `busyKey`). Resolves to
 * `{ value }` or `{ error }`, or to null when the answer no longer matters:
 * the screen moved on meanwhile (`stillWanted()` is false), or the session ran
 * out meanwhile (then it is ended here, which clears everything).
 */
export async function submit(button, busyKey, stillWanted, request) {
  const restore = busy(button, busyKey);
  let outcome;
  try {
    outcome = { value: await request() };
  } catch (error) {
    outcome = { error };
  }
  restore();
  if (!stillWanted()) return null;
  if (outcome.error?.status === 401 && signedIn()) {
    await end('expired');
    return null;
  }
  return outcome;
}
