// Legible and touchable at both kiosk sizes (docs/kiosk.md): 1080×1920 portrait
// and 1920×1080 landscape. On each screen every control is at least 56 px
// each way, nothing overflows sideways, text is at least 20 px and has a
// contrast of at least 7:1 with its background. The start screen is saved
// as target/browser-artifacts/kiosk-home-<size>.png either way.

import assert from 'node:assert/strict';
import { kioskTest, LANDSCAPE, PORTRAIT, snapshot, useBrowser } from './lib/harness.js';
import { freshPhone } from './lib/api.js';
import { openKiosk, signIn } from './lib/kiosk.js';

useBrowser();

/** Problems on the visible screen, measured in the page. */
function audit(page) {
  return page.evaluate(() => {
    const problems = [];
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    const name = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.dataset.go ? `[${el.dataset.go}]` : ''} "${(el.textContent || el.value || '').trim().slice(0, 30)}"`;

    const controls = 'button, a[href], input:not([type=radio]):not([type=checkbox]), textarea, select, label.choice-tile, label.check';
    for (const el of document.querySelectorAll(controls)) {
      if (!visible(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width < 56 || r.height < 56) problems.push(`small target ${name(el)} ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
    if (document.documentElement.scrollWidth > window.innerWidth) {
      problems.push(`overflows sideways: ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
    }

    const rgb = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c;
      }
      return [255, 255, 255];
    };
    for (const el of document.querySelectorAll('body *')) {
      const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!ownText || !visible(el) || el.closest('[disabled]')) continue;
      const style = getComputedStyle(el);
      const size = Number.parseFloat(style.fontSize);
      if (size < 20) problems.push(`small text ${name(el)} ${size}px`);
      const [a, b] = [lum(rgb(style.color)), lum(background(el))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 7) problems.push(`contrast ${ratio.toFixed(2)}:1 ${name(el)}`);
    }
    return problems;
  });
}

for (const [size, viewport] of [['1080x1920', PORTRAIT], ['1920x1080', LANDSCAPE]]) {
  kioskTest(`every screen is legible with large touch targets at ${size}`, { viewport }, async (page) => {
    await openKiosk(page);
    await page.evaluate(() => document.fonts.ready);
    await snapshot(page, `kiosk-home-${size}`);
    const problems = [];
    const check = async (screen) => problems.push(...(await audit(page)).map((p) => `${screen}: ${p}`));

    await check('home');
    await page.locator('#lang-toggle').click();
    await check('home (English)');
    await page.locator('#lang-toggle').click();

    await page.locator('#home-login').click();
    await check('sign-in');
    await page.locator('#screen-login [data-go="home"]').click();

    await page.locator('.tile[data-go="checkin"]').click();
    await check('check-in');
    await page.locator('#checkin-form [data-go="home"]').click();

    await page.locator('.tile[data-go="feedback"]').click();
    await page.locator('#fb-categories label').first().waitFor();
    await check('feedback');
    await page.locator('#fb-form [data-go="home"]').click();

    await page.locator('.tile[data-go="book"]').click();
    await signIn(page, freshPhone());
    await page.locator('#book-choices button').first().waitFor();
    await check('booking');
    await page.locator('#book-choices button').first().click();
    await page.locator('#book-choices button[data-day]').first().waitFor();
    await check('booking: days');
    await page.locator('#screen-book [data-go="home"]').click();
    await check('home (signed in)');

    await page.locator('.tile[data-go="qr"]').click();
    await page.waitForFunction(() => document.getElementById('qr-image').naturalWidth > 0);
    await check('my QR');
    const qr = await page.locator('#qr-image').boundingBox();
    assert.ok(qr.y + qr.height <= viewport.height, `the QR ends at ${qr.y + qr.height}px, below the screen`);
    await snapshot(page, `kiosk-qr-${size}`);

    assert.deepEqual(problems, []);
  });
}
