// "My QR": the citizen's personal QR (docs/documents.md), as large as the screen
// allows. The SVG is fetched with the session and shown as an image from an
// object URL, so no markup from the response enters the page.
// Until an official has verified the citizen, the lead says the code holds
// only what they declared (docs/identity.md, "Identity levels"): the
// platform signs such a code, but it confirms nobody's identity.

import { describe } from './errors.js';
import { phone as readablePhone } from './format.js';
import { localize, localizeAlt } from './i18n.js';
import * as session from './session.js';
import { byId, hush, objectUrl, say } from './ui.js';

let app;
let generation = 0;

function displayName() {
  const c = session.citizen() ?? {};
  return c.full_name || readablePhone(c.phone ?? '');
}

/** The lead for this citizen: verified, or only declared (the default). */
function leadKey() {
  return session.citizen()?.level === 'verified' ? 'qr.lead' : 'qr.lead_unconfirmed';
}

async function enter() {
  reset();
  const mine = generation;
  const name = displayName();
  byId('qr-name').textContent = name;
  localize(byId('qr-lead'), leadKey());
  say(byId('qr-status'), 'qr.loading');
  try {
    const resp = await session.request('GET', '/api/v1/me/qr?format=svg');
    const blob = await resp.blob();
    // The person may have left (or been signed out) while this loaded.
    if (mine !== generation) return;
    const img = byId('qr-image');
    localizeAlt(img, 'qr.alt', { name });
    img.src = objectUrl(new Blob([blob], { type: 'image/svg+xml' }));
    img.hidden = false;
    hush(byId('qr-status'));
  } catch (e) {
    if (mine !== generation) return;
    hush(byId('qr-status'));
    const { key, args } = describe(e);
    say(byId('qr-error'), key, args);
  }
}

function reset() {
  generation += 1;
  const img = byId('qr-image');
  img.hidden = true;
  img.removeAttribute('src');
  img.alt = '';
  delete img.dataset.i18nAlt;
  delete img.dataset.i18nArgs;
  byId('qr-name').textContent = '';
  localize(byId('qr-lead'), 'qr.lead');
  hush(byId('qr-status'));
  hush(byId('qr-error'));
}

export default {
  init(a) {
    app = a;
    app.screen('qr', enter);
  },
  reset,
};
