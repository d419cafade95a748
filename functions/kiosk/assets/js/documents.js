// "My documents" (docs/documents.md): the vault's list, page by page, and one
// document opened: its facts and its content (images inline, PDFs in a
// frame), fetched with the session and shown from an object URL.

import { describe } from './errors.js';
import { localizeAlt } from './i18n.js';
import * as session from './session.js';
import { byId, clear, el, hush, objectUrl, say } from './ui.js';

let app;
let generation = 0;
let cursor = null;

function item(doc) {
  const issuer = doc.issuer?.name
    ? el('span', { i18n: 'docs.issued_by', args: { issuer: doc.issuer.name } })
    : el('span', { i18n: 'docs.uploaded' });
  const status = el('span', { class: `badge badge-${doc.status}`, i18n: `docs.status.${doc.status}` });
  return el('li', {},
    el('button', { type: 'button', class: 'row', dataset: { documentId: doc.id }, on: { click: () => app.go('document', { id: doc.id }) } },
      el('span', { class: 'row-title', text: doc.title }),
      el('span', { class: 'row-meta' }, el('span', { i18n: `doc.type.${doc.type}` }), ' · ', issuer),
      el('span', { class: 'row-meta' }, el('span', { i18n: 'docs.issued_on', args: { iso: doc.issued_at } }), ' ', status)));
}

async function loadPage() {
  const mine = generation;
  say(byId('docs-status'), 'docs.loading');
  byId('docs-more').hidden = true;
  try {
    const query = new URLSearchParams({ limit: '20' });
    if (cursor) query.set('cursor', cursor);
    const page = await session.requestJson('GET', `/api/v1/documents?${query}`);
    if (mine !== generation) return;
    hush(byId('docs-status'));
    const list = byId('docs-list');
    list.append(...page.items.map(item));
    if (!list.children.length) say(byId('docs-status'), 'docs.empty');
    cursor = page.next_cursor ?? null;
    byId('docs-more').hidden = cursor === null;
  } catch (e) {
    if (mine !== generation) return;
    hush(byId('docs-status'));
    const { key, args } = describe(e);
    say(byId('docs-error'), key, args);
  }
}

function enterList() {
  resetList();
  loadPage();
}

function fact(labelKey, value) {
  return [el('dt', { i18n: labelKey }), el('dd', {}, value)];
}

function showFacts(doc) {
  const issuer = doc.issuer?.name ? el('span', { text: doc.issuer.name }) : el('span', { i18n: 'docs.uploaded' });
  const validUntil = doc.valid_until
    ? el('span', { i18n: 'fmt.date', args: { iso: doc.valid_until } })
    : el('span', { i18n: 'docs.no_expiry' });
  byId('doc-facts').replaceChildren(
    ...fact('docs.type', el('span', { i18n: `doc.type.${doc.type}` })),
    ...fact('docs.issuer', issuer),
    ...fact('docs.issued_at', el('span', { i18n: 'fmt.date', args: { iso: doc.issued_at } })),
    ...fact('docs.valid_to', validUntil),
    ...fact('docs.status', el('span', { class: `badge badge-${doc.status}`, i18n: `docs.status.${doc.status}` })),
    ...fact('docs.size', el('span', { i18n: 'docs.size_kb', args: { bytes: doc.size } })),
  );
}

async function showContent(doc, mine) {
  say(byId('doc-status'), 'docs.preview_loading');
  const resp = await session.request('GET', `/api/v1/documents/${encodeURIComponent(doc.id)}/content`);
  const blob = await resp.blob();
  if (mine !== generation) return;
  hush(byId('doc-status'));
  const type = doc.content_type;
  const url = objectUrl(new Blob([blob], { type }));
  const preview = byId('doc-preview');
  if (type === 'application/pdf') {
    preview.replaceChildren(el('iframe', { class: 'pdf', src: `${url}#toolbar=0&navpanes=0`, title: doc.title }));
  } else {
    const img = el('img', { class: 'scan', src: url });
    localizeAlt(img, 'docs.preview_alt', { title: doc.title });
    preview.replaceChildren(img);
  }
}

async function enterDocument({ id } = {}) {
  resetDocument();
  const mine = generation;
  try {
    const doc = await session.requestJson('GET', `/api/v1/documents/${encodeURIComponent(id)}`);
    if (mine !== generation) return;
    byId('doc-heading').textContent = doc.title;
    showFacts(doc);
    await showContent(doc, mine);
  } catch (e) {
    if (mine !== generation) return;
    hush(byId('doc-status'));
    const { key, args } = describe(e);
    say(byId('doc-error'), key, args);
  }
}

function resetList() {
  generation += 1;
  cursor = null;
  clear(byId('docs-list'));
  byId('docs-more').hidden = true;
  hush(byId('docs-status'));
  hush(byId('docs-error'));
}

function resetDocument() {
  generation += 1;
  byId('doc-heading').textContent = '';
  clear(byId('doc-facts'));
  clear(byId('doc-preview'));
  hush(byId('doc-status'));
  hush(byId('doc-error'));
}

export default {
  init(a) {
    app = a;
    byId('docs-more').addEventListener('click', loadPage);
    app.screen('documents', enterList);
    app.screen('document', enterDocument);
  },
  reset() {
    resetList();
    resetDocument();
  },
};
