// Small DOM helpers shared by the screens: building elements without
// innerHTML (nothing from a response is ever parsed as markup), messages,
// busy buttons and the object URLs of images fetched with the session.

import { localize, unlocalize } from './i18n.js';

export function byId(id) {
  return document.getElementById(id);
}

/**
 * `el('button', {class: 'btn', i18n: 'nav.back', on: {click: f}}, child…)`.
 * `i18n`/`args` set a localized text; `text` a literal one (data from the API).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name === 'i18n') localize(node, value, props.args);
    else if (name === 'args') continue;
    else if (name === 'on') for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
}

/** Shows a localized message in `node` (an element with role=alert or status). */
export function say(node, key, args) {
  localize(node, key, args);
  node.hidden = false;
}

export function hush(node) {
  unlocalize(node);
  node.hidden = true;
}

/**
 * Marks `button` busy with the text of `key` and disables it; returns the
 * function that gives it back its own text.
 */
export function busy(button, key) {
  const before = { i18n: button.dataset.i18n, args: button.dataset.i18nArgs };
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  localize(button, key);
  return () => {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    if (before.i18n) localize(button, before.i18n, before.args ? JSON.parse(before.args) : undefined);
  };
}

const urls = new Set();

/** An object URL for `blob`, revoked by `revokeUrls` when the screen is cleared. */
export function objectUrl(blob) {
  const url = URL.createObjectURL(blob);
  urls.add(url);
  return url;
}

export function revokeUrls() {
  for (const url of urls) URL.revokeObjectURL(url);
  urls.clear();
}

/** Empties every form field under `root` (inputs, text areas, choices). */
export function resetForms(root) {
  for (const form of root.querySelectorAll('form')) form.reset();
  for (const field of root.querySelectorAll('input, textarea')) {
    if (field.type === 'checkbox' || field.type === 'radio') field.checked = false;
    else field.value = '';
  }
}
