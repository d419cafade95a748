// Kiosk safety (docs/kiosk.md): after `idleSeconds` without input the page
// warns, and `warnSeconds` later it signs out and clears every screen.
// Clock and timers are injectable so the logic is tested without waiting.

export class IdleTimer {
  constructor({ idleSeconds, warnSeconds, onWarn, onTick, onResume, onExpire, isActive,
    setTimer = (fn, ms) => setTimeout(fn, ms), clearTimer = (id) => clearTimeout(id) }) {
    Object.assign(this, { idleSeconds, warnSeconds, onWarn, onTick, onResume, onExpire, isActive, setTimer, clearTimer });
    this.timer = null;
    this.warning = false;
    this.left = 0;
  }

  /** Input happened: close any warning and count again from zero. */
  poke() {
    this.stop();
    if (this.warning) {
      this.warning = false;
      this.onResume();
    }
    this.timer = this.setTimer(() => this.idle(), this.idleSeconds * 1000);
  }

  stop() {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  idle() {
    this.timer = null;
    // Nothing to protect (signed out, start screen): stay quiet.
    if (!this.isActive()) return;
    this.warning = true;
    this.left = this.warnSeconds;
    this.onWarn(this.left);
    this.tick();
  }

  tick() {
    this.timer = this.setTimer(() => {
      this.left -= 1;
      if (this.left > 0) {
        this.onTick(this.left);
        this.tick();
      } else {
        this.timer = null;
        this.warning = false;
        this.onExpire();
      }
    }, 1000);
  }
}

/** Seconds of warning before the sign-out: 10, or less for a short test idle time. */
export function warnSecondsFor(idleSeconds) {
  return Math.max(1, Math.min(10, idleSeconds));
}
