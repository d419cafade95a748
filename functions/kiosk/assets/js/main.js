// The kiosk page: screens and navigation, the header (language, who is
// signed in, sign-out), and kiosk safety: the idle warning and sign-out
// that clear every screen (docs/kiosk.md).

import { IdleTimer, warnSecondsFor } from './idle.js';
import { lang, localize, render, setLang, unlocalize } from './i18n.js';
import * as session from './session.js';
import { phone as readablePhone } from './format.js';
import { byId, hush, revokeUrls, say } from './ui.js';
import login from './login.js';
import qr from './qr.js';
import documents from './documents.js';
import book from './book.js';
import checkin from './checkin.js';
import feedback from './feedback.js';
import * as alerts from './alerts.js';

const modules = [login, qr, documents, book, checkin, feedback];
/** Screens that show the citizen's own data. */
const PERSONAL = new Set(['qr', 'documents', 'document', 'book', 'ticket']);

const handlers = new Map();
let current = 'home';

const app = {
  /** Registers what happens when screen `name` opens (and, optionally, closes). */
  screen(name, enter, leave) {
    handlers.set(name, { enter, leave });
  },

  /** Opens a screen; personal ones go through sign-in first. */
  go(name, params) {
    if (PERSONAL.has(name) && !session.signedIn()) {
      app.go('login', { next: { name, params } });
      return;
    }
    handlers.get(current)?.leave?.();
    if (name !== 'home') hush(byId('home-notice'));
    for (const screen of document.querySelectorAll('.screen')) screen.hidden = screen.id !== `screen-${name}`;
    current = name;
    const target = handlers.get(name)?.enter?.(params ?? {});
    window.scrollTo(0, 0);
    // Keyboard and screen-reader users land on the new screen's first field
    // (or its heading), not on the button they pressed on the old one.
    const focus = target instanceof HTMLElement ? target : document.querySelector(`#screen-${name} h1`);
    focus?.focus({ preventScroll: true });
  },
};

function showWho() {
  const who = byId('who');
  const c = session.citizen();
  if (c) {
    localize(who, 'who.greeting', { name: c.full_name || readablePhone(c.phone ?? '') });
    who.hidden = false;
  } else {
    unlocalize(who);
    who.hidden = true;
  }
  byId('logout').hidden = !c;
  byId('home-login').hidden = Boolean(c);
  document.body.classList.toggle('signed-in', Boolean(c));
  localize(byId('home-lead'), c ? 'home.lead_signed_in' : 'home.lead');
}

/** Re-renders every text in the current language. */
function renderAll() {
  render();
  // The toggle names the other language, in that language.
  byId('lang-toggle').setAttribute('lang', lang() === 'vi' ? 'en' : 'vi');
}

/** Clears every screen and form, back to Vietnamese and the start screen. */
function clearAll(noticeKey) {
  for (const m of modules) m.reset();
  revokeUrls();
  closeWarning();
  setLang('vi');
  showWho();
  app.go('home');
  renderAll();
  if (noticeKey) say(byId('home-notice'), noticeKey);
}

// The idle warning.
const dialog = byId('idle-dialog');

function closeWarning() {
  if (dialog.open) dialog.close();
  unlocalize(byId('idle-body'));
}

const idleSeconds = Math.max(1, Number.parseInt(document.documentElement.dataset.idleSeconds, 10) || 60);
const idle = new IdleTimer({
  idleSeconds,
  warnSeconds: warnSecondsFor(idleSeconds),
  isActive: () => session.signedIn() || current !== 'home',
  onWarn: (seconds) => {
    localize(byId('idle-body'), 'idle.body', { seconds });
    if (!dialog.open) dialog.showModal();
    byId('idle-stay').focus();
  },
  onTick: (seconds) => localize(byId('idle-body'), 'idle.body', { seconds }),
  onResume: closeWarning,
  onExpire: () => {
    if (session.signedIn()) session.end('idle');
    else clearAll('notice.idle_cleared');
  },
});

session.onChange((reason) => {
  if (reason === 'start') {
    showWho();
    return;
  }
  const notices = { idle: 'notice.idle_logged_out', expired: 'notice.session_expired', logout: 'notice.logged_out' };
  clearAll(notices[reason] ?? 'notice.logged_out');
});

function wire() {
  for (const m of modules) m.init(app);
  app.screen('home', () => undefined);

  document.addEventListener('click', (e) => {
    const go = e.target.closest('[data-go]');
    if (go) app.go(go.dataset.go);
  });
  byId('lang-toggle').addEventListener('click', () => {
    setLang(lang() === 'vi' ? 'en' : 'vi');
    renderAll();
  });
  byId('logout').addEventListener('click', () => session.end('logout'));
  byId('idle-stay').addEventListener('click', () => idle.poke());
  byId('idle-leave').addEventListener('click', () => {
    idle.stop();
    if (session.signedIn()) session.end('logout');
    else clearAll(null);
  });
  // Esc on the warning means "still here", like any other key.
  dialog.addEventListener('cancel', (e) => {
    e.preventDefault();
    idle.poke();
  });

  for (const type of ['pointerdown', 'keydown', 'input', 'wheel', 'touchstart']) {
    document.addEventListener(type, (e) => {
      // Inside the open warning its own buttons decide (a touch on the
      // dimmed page around it, whose target is the dialog, means "still here").
      if (dialog.open && e.target !== dialog && dialog.contains(e.target)) return;
      idle.poke();
    }, { capture: true, passive: true });
  }
  // A reload or a closed tab must not leave a session open on the server.
  window.addEventListener('pagehide', () => session.endOnUnload());
}

wire();
// Shown before the first screen opens: a hidden page cannot take focus.
document.documentElement.classList.add('ready');
clearAll(null);
idle.poke();
alerts.start();
