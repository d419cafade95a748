// The page's logic that needs no browser: the idle timer, formatting in the
// city's time zone, the feedback body and ticket codes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

const JS = path.resolve(import.meta.dirname, '../../functions/kiosk/assets/js');
const { IdleTimer, warnSecondsFor } = await import(`${JS}/idle.js`);
const format = await import(`${JS}/format.js`);
const { feedbackBody, CITY_CENTRE } = await import(`${JS}/feedback.js`);
const { normalizeTicket } = await import(`${JS}/checkin.js`);

/** Timers that run only when the test advances the clock. */
function fakeClock() {
  let now = 0;
  let timers = [];
  let next = 1;
  return {
    setTimer: (fn, ms) => {
      timers.push({ id: next, at: now + ms, fn });
      return next++;
    },
    clearTimer: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const due = timers[0];
        if (!due || due.at > end) break;
        timers.shift();
        now = due.at;
        due.fn();
      }
      now = end;
    },
  };
}

function timer(active = () => true) {
  const clock = fakeClock();
  const events = [];
  const idle = new IdleTimer({
    idleSeconds: 60,
    warnSeconds: warnSecondsFor(60),
    isActive: active,
    onWarn: (s) => events.push(`warn ${s}`),
    onTick: (s) => events.push(`tick ${s}`),
    onResume: () => events.push('resume'),
    onExpire: () => events.push('expire'),
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
  });
  return { idle, clock, events };
}

test('after 60 s without input the kiosk warns, counts down 10 s, then signs out', () => {
  const { idle, clock, events } = timer();
  idle.poke();
  clock.advance(59_999);
  assert.deepEqual(events, []);
  clock.advance(1);
  assert.deepEqual(events, ['warn 10']);
  clock.advance(9_999);
  assert.equal(events.at(-1), 'tick 1');
  assert.ok(!events.includes('expire'));
  clock.advance(1);
  assert.equal(events.at(-1), 'expire');
  clock.advance(120_000);
  assert.equal(events.filter((e) => e === 'expire').length, 1, 'signs out once');
});

test('any input during the warning keeps the session and starts counting again', () => {
  const { idle, clock, events } = timer();
  idle.poke();
  clock.advance(65_000);
  idle.poke();
  assert.equal(events.at(-1), 'resume');
  clock.advance(59_000);
  assert.ok(!events.includes('expire'));
  clock.advance(11_000);
  assert.equal(events.at(-1), 'expire');
});

test('with nothing to protect the timer stays quiet', () => {
  const { idle, clock, events } = timer(() => false);
  idle.poke();
  clock.advance(600_000);
  assert.deepEqual(events, []);
});

test('a short test idle time gets a short warning', () => {
  assert.equal(warnSecondsFor(60), 10);
  assert.equal(warnSecondsFor(3), 3);
  assert.equal(warnSecondsFor(1), 1);
});

test('times and days are read in Đà Nẵng whatever the machine zone', () => {
  assert.equal(format.time('2026-12-01T01:30:00Z', 'vi'), '08:30');
  assert.equal(format.time('2026-12-01T08:30:00+07:00', 'en'), '08:30');
  assert.equal(format.date('2026-12-01T20:00:00Z', 'vi'), '02/12/2026');
  assert.match(format.weekdayDate('2026-12-01', 'vi'), /^Thứ Ba, 01\/12$/);
  assert.match(format.weekdayDate('2026-12-01', 'en'), /Tuesday.*1.*December/);
  // 17:30 UTC is already the next day in the city.
  assert.equal(format.today(Date.parse('2026-12-01T17:30:00Z')), '2026-12-02');
  assert.equal(format.addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(format.duration(45, 'vi'), '45 giây');
  assert.equal(format.duration(840, 'en'), '14 minutes');
  assert.equal(format.phone('+84905123456'), '0905 123 456');
  assert.equal(format.ticket('7KQ3MZ9A'), '7KQ3 MZ9A');
});

test('feedback without a title or place still meets the API', () => {
  const body = feedbackBody({ category: 'other', title: '  ', content: ' Đường tối\nkhông có đèn ', areaCode: 'none', address: '' });
  assert.deepEqual(body, {
    category: 'other',
    title: 'Đường tối',
    content: 'Đường tối\nkhông có đèn',
    location: { lat: CITY_CENTRE.lat, lng: CITY_CENTRE.lng, address: null },
  });
  const long = feedbackBody({ category: 'other', title: '', content: 'x'.repeat(300), areaCode: 'son-tra', address: '5 Ngô Quyền', anonymous: true });
  assert.equal([...long.title].length, 80);
  assert.equal(long.location.address, '5 Ngô Quyền, Sơn Trà, Đà Nẵng');
  assert.notEqual(long.location.lat, CITY_CENTRE.lat);
  assert.equal(long.anonymous, true);
});

test('ticket codes are read as people copy them', () => {
  assert.equal(normalizeTicket(' 7kq3-mz9a '), '7KQ3MZ9A');
  assert.equal(normalizeTicket('7KQ3 MZ9A'), '7KQ3MZ9A');
});
