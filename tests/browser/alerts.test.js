// The official alerts on the kiosk's start screen (docs/alerts.md, "The
// kiosk"): `/kiosk/?district=<code>` shows the alerts in force for that
// district (the demo seed published a flood alert for Hải Châu), most severe
// first, in words as well as colour, with the API's text shown as text;
// a kiosk without a district, or of a district without alerts, shows none.

import assert from 'node:assert/strict';
import { kioskTest, LANDSCAPE, PORTRAIT, snapshot, useBrowser } from './lib/harness.js';
import { admin, api, apiLogin, freshPhone } from './lib/api.js';
import { BASE } from './lib/harness.js';

useBrowser();

async function openAt(page, district) {
  const query = district === undefined ? '' : `?district=${encodeURIComponent(district)}`;
  await page.goto(`${BASE}/kiosk/${query}`);
  await page.locator('html.ready').waitFor({ state: 'attached' });
}

const banner = (page) => page.locator('#home-alerts');

for (const [size, viewport] of [['portrait', PORTRAIT], ['landscape', LANDSCAPE]]) {
  kioskTest(`shows the district's flood alert on the start screen (${size}) in both languages`, { viewport }, async (page) => {
    await openAt(page, 'hai-chau');
    await banner(page).waitFor();
    const alert = page.locator('#alert-list .alert').first();
    assert.equal(await alert.locator('.alert-headline').textContent(), 'Cảnh báo ngập lụt tại quận Hải Châu');
    assert.equal(await alert.locator('.alert-severity').textContent(), 'Nguy hiểm');
    assert.match(await alert.locator('.alert-until').textContent(), /^Hiệu lực đến \d\d:\d\d \d\d\/\d\d\/\d{4}$/);
    assert.match(await alert.locator('.alert-instruction').textContent(), /112/);
    assert.equal(await page.locator('#alerts-heading').textContent(), 'Cảnh báo đang có hiệu lực');
    // Legible at kiosk distance, and the tiles are still there.
    const px = await alert.locator('.alert-text').evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize));
    assert.ok(px >= 20, `alert text is ${px}px`);
    assert.ok(await page.locator('.tile[data-go="checkin"]').isVisible());
    await snapshot(page, `kiosk-home-alerts-${size}`);

    // English labels; the official's Vietnamese text stays, marked as such.
    await page.locator('#lang-toggle').click();
    assert.equal(await page.locator('#alerts-heading').textContent(), 'Warnings in force');
    assert.equal(await alert.locator('.alert-severity').textContent(), 'Danger');
    assert.match(await alert.locator('.alert-until').textContent(), /^In force until /);
    assert.equal(await alert.locator('.alert-headline').getAttribute('lang'), 'vi');
  });
}

kioskTest('a kiosk without a district, of another district or with a malformed one shows no alert', async (page) => {
  for (const district of [undefined, 'son-tra', '<b>hai-chau</b>', 'HAI-CHAU']) {
    await openAt(page, district);
    // The alert fetch, when there is one, has had time to land.
    await page.waitForLoadState('networkidle');
    assert.equal(await banner(page).isHidden(), true, `district ${district}`);
  }
  assert.equal(await page.locator('html').getAttribute('data-district'), '', 'a malformed district is not written into the page');
});

kioskTest('shows the text of an alert as text, never as markup', async (page) => {
  const phone = freshPhone();
  await admin('/api/v1/admin/units', { code: 'pctt-browser', name: 'Ban Chỉ huy PCTT' });
  await admin('/api/v1/admin/officials', { phone, full_name: 'Cán bộ Kiểm thử', unit: 'pctt-browser' });
  await admin('/api/v1/admin/alert-publishers', { phone });
  const token = await apiLogin(phone);
  const expires = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const published = await api('POST', '/api/v1/officials/alerts', {
    token,
    body: {
      category: 'Geo', event: 'Sạt lở', urgency: 'Immediate', severity: 'Extreme', certainty: 'Observed',
      expires, headline: 'Sạt lở <img src=x onerror="window.pwned=1"> đèo Hải Vân',
      description: '<script>window.pwned=1</script>Đá lăn xuống đường.', areas: ['hoa-hiep-bac'],
    },
  });
  assert.equal(published.status, 201, published.text);
  try {
    await openAt(page, 'lien-chieu');
    await banner(page).waitFor();
    const first = page.locator('#alert-list .alert').first();
    assert.equal(await first.locator('.alert-severity').textContent(), 'Đặc biệt nguy hiểm', 'the most severe first');
    assert.equal(await first.locator('.alert-headline').textContent(), 'Sạt lở <img src=x onerror="window.pwned=1"> đèo Hải Vân');
    assert.equal(await page.locator('#home-alerts img, #home-alerts script').count(), 0);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
  } finally {
    const cancelled = await api('POST', `/api/v1/officials/alerts/${published.json.id}/cancel`, { token, body: {} });
    assert.equal(cancelled.status, 201, cancelled.text);
  }
  // Cancelled, it is gone from the next start screen.
  await openAt(page, 'lien-chieu');
  await page.waitForLoadState('networkidle');
  assert.equal(await banner(page).isHidden(), true);
});
