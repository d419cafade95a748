// The current language and rendering of texts. Elements carry their text
// key in `data-i18n` (and arguments in `data-i18n-args`), so switching the
// language re-renders everything already on screen, errors included.

import { STRINGS } from './strings.js';

export const LANGS = Object.keys(STRINGS);
let current = 'vi';

export function lang() {
  return current;
}

export function setLang(next) {
  current = LANGS.includes(next) ? next : 'vi';
}

/** The text of `key` in `language`; a missing key shows itself, so tests catch it. */
export function t(key, args = {}, language = current) {
  const entry = STRINGS[language]?.[key] ?? STRINGS.vi[key];
  if (entry === undefined) return `⟦${key}⟧`;
  if (typeof entry === 'function') return entry(args);
  return entry.replace(/\{(\w+)\}/g, (whole, name) => (name in args ? String(args[name]) : whole));
}

function argsOf(el) {
  try {
    return el.dataset.i18nArgs ? JSON.parse(el.dataset.i18nArgs) : {};
  } catch {
    return {};
  }
}

/** Gives `el` the text of `key` now and after every language switch. */
export function localize(el, key, args) {
  el.dataset.i18n = key;
  if (args) el.dataset.i18nArgs = JSON.stringify(args);
  else delete el.dataset.i18nArgs;
  el.textContent = t(key, args || {});
  return el;
}

/** Removes a localized text (an error that no longer applies). */
export function unlocalize(el) {
  delete el.dataset.i18n;
  delete el.dataset.i18nArgs;
  el.textContent = '';
}

/** Re-renders every localized text and attribute under `root`. */
export function render(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n, argsOf(el));
  for (const [attr, data] of [['aria-label', 'i18nLabel'], ['placeholder', 'i18nPlaceholder'], ['alt', 'i18nAlt']]) {
    const selector = `[data-${data.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}]`;
    for (const el of root.querySelectorAll(selector)) el.setAttribute(attr, t(el.dataset[data], argsOf(el)));
  }
  document.documentElement.lang = current;
  document.title = t('app.title');
}

/** Gives an image the alternative text of `key` now and after every switch. */
export function localizeAlt(img, key, args) {
  img.dataset.i18nAlt = key;
  if (args) img.dataset.i18nArgs = JSON.stringify(args);
  else delete img.dataset.i18nArgs;
  img.setAttribute('alt', t(key, args || {}));
  return img;
}
