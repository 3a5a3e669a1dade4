// Hold and rest timers on today's checklist (templates/plans/_timer.html). plans/timers.py decides
// what a timer runs (data- attributes); this file only plays it: per set, each side's hold (with a
// change of sides between), then a rest before the next set; a set of repetitions ends when the
// patient says so. Time is read from an end timestamp, never counted in intervals, so a timer in a
// background tab (throttled) or on a locked phone is right again as soon as it is looked at. Every
// word comes from the template. Without this file the timers stay hidden and the page is as before.
(() => {
  const PREFS = { sound: "hipcare.timer.sound", vibrate: "hipcare.timer.vibrate" };
  // Signals at the end of a step: one beep at the end of a hold, two to go on, three when done.
  const SIGNALS = {
    hold: { beeps: 1, vibrate: [250] },
    go: { beeps: 2, vibrate: [150, 100, 150] },
    done: { beeps: 3, vibrate: [200, 100, 200, 100, 200] },
  };
  const timers = new Map(); // root element -> Timer
  let loop = null;
  let audio = null;
  let wakeLock = null;

  // --- Preferences (kept on this phone) -------------------------------------------------------
  function pref(name) {
    try {
      return localStorage.getItem(PREFS[name]) !== "off";
    } catch {
      return true;
    }
  }
  function setPref(name, on) {
    try {
      localStorage.setItem(PREFS[name], on ? "on" : "off");
    } catch {
      // Private browsing without storage: the choice lasts for this page only.
    }
    document.querySelectorAll(`[data-timer-pref="${name}"]`).forEach((input) => {
      input.checked = on;
    });
    if (name === "sound" && on) unlockAudio();
  }

  // --- Sound, vibration, screen --------------------------------------------------------------
  // The AudioContext is made or resumed on a tap (browsers allow sound only after one).
  function unlockAudio() {
    if (!pref("sound")) return;
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      audio = audio || new Context();
      if (audio.state === "suspended") audio.resume();
    } catch {
      audio = null;
    }
  }

  function beep(count) {
    if (!audio || audio.state !== "running") return;
    const start = audio.currentTime + 0.02;
    for (let i = 0; i < count; i += 1) {
      const at = start + i * 0.3;
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.type = "sine";
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.2);
      tone.connect(gain).connect(audio.destination);
      tone.start(at);
      tone.stop(at + 0.22);
    }
  }

  function signal(kind) {
    const { beeps, vibrate } = SIGNALS[kind];
    if (pref("sound")) beep(beeps);
    if (pref("vibrate") && typeof navigator.vibrate === "function") {
      try {
        navigator.vibrate(vibrate);
      } catch {
        // Not allowed here (no tap yet, or a phone without it): the beep and the words remain.
      }
    }
  }

  // Keep the screen on while a timer runs, where the browser allows it.
  async function holdScreen() {
    const anyRunning = [...timers.values()].some((t) => t.state === "running");
    if (!anyRunning || document.visibilityState !== "visible") return;
    if (wakeLock || !("wakeLock" in navigator)) return;
    try {
      wakeLock = await navigator.wakeLock.request("screen");
      wakeLock.addEventListener("release", () => {
        wakeLock = null;
      });
    } catch {
      wakeLock = null;
    }
  }
  function releaseScreen() {
    if ([...timers.values()].some((t) => t.state === "running")) return;
    if (wakeLock) wakeLock.release().catch(() => {});
    wakeLock = null;
  }

  // --- Words ---------------------------------------------------------------------------------
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
  }
  function clock(seconds) {
    const s = Math.max(0, seconds);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }

  // --- One timer -----------------------------------------------------------------------------
  class Timer {
    constructor(root) {
      this.root = root;
      const d = root.dataset;
      this.words = d;
      this.kind = d.kind;
      this.sets = Number(d.sets);
      this.warn = Number(d.warn);
      this.steps = Timer.steps({
        kind: d.kind,
        sets: this.sets,
        hold: Number(d.hold),
        sides: d.sides ? d.sides.split(" ") : [""],
        rest: Number(d.rest),
        change: Number(d.switch),
      });
      this.el = {
        set: root.querySelector("[data-timer-set]"),
        phase: root.querySelector("[data-timer-phase]"),
        clock: root.querySelector("[data-timer-clock]"),
        start: root.querySelector("[data-timer-start]"),
        setDone: root.querySelector("[data-timer-set-done]"),
        pause: root.querySelector("[data-timer-pause]"),
        skip: root.querySelector("[data-timer-skip]"),
        stop: root.querySelector("[data-timer-stop]"),
        say: root.querySelector("[data-timer-say]"),
      };
      this.el.start.addEventListener("click", () => this.start());
      this.el.setDone.addEventListener("click", () => this.setDone());
      this.el.pause.addEventListener("click", () => this.togglePause());
      this.el.skip.addEventListener("click", () => this.skip());
      this.el.stop.addEventListener("click", () => this.stop());
      root.querySelectorAll("[data-timer-pref]").forEach((input) => {
        input.checked = pref(input.dataset.timerPref);
        input.addEventListener("change", () => setPref(input.dataset.timerPref, input.checked));
      });
      if (typeof navigator.vibrate !== "function") {
        root.querySelectorAll("[data-timer-vibrate-only]").forEach((el) => {
          el.hidden = true;
        });
      }
      this.reset();
      root.hidden = false;
    }

    // Every step of the exercise in order: {type, set, side, seconds}. "work" (a set of
    // repetitions) has no length: it ends when the patient presses "Set done".
    static steps({ kind, sets, hold, sides, rest, change }) {
      const steps = [];
      for (let set = 1; set <= sets; set += 1) {
        if (kind === "reps") {
          steps.push({ type: "work", set, seconds: 0 });
        } else {
          sides.forEach((side, i) => {
            if (i > 0) steps.push({ type: "switch", set, side, seconds: change });
            steps.push({ type: kind === "minutes" ? "bout" : "hold", set, side, seconds: hold });
          });
        }
        if (set < sets && rest > 0) steps.push({ type: "rest", set: set + 1, seconds: rest });
      }
      return steps;
    }

    get step() {
      return this.steps[this.index];
    }

    reset() {
      this.index = 0;
      this.endAt = null;
      this.left = null;
      this.warned = -1;
      // Sets of repetitions wait for the patient at once; a hold waits for "Start".
      this.state = this.kind === "reps" ? "waiting" : "idle";
      this.render();
    }

    remaining(now = Date.now()) {
      if (this.state === "paused") return Math.ceil(this.left / 1000);
      if (this.state === "running") return Math.ceil((this.endAt - now) / 1000);
      return this.step ? this.step.seconds : 0;
    }

    // A step begins at `at` (a timestamp; when catching up, the end of the step before).
    begin(at) {
      this.endAt = this.step.seconds ? at + this.step.seconds * 1000 : null;
      this.state = this.step.seconds ? "running" : "waiting";
    }

    start() {
      unlockAudio();
      others(this).forEach((t) => t.pause(true));
      this.reset();
      if (this.kind !== "reps") {
        this.begin(Date.now());
        this.say(`${this.setText()}. ${this.goText()}`);
        run();
      }
      this.render();
    }

    setDone() {
      if (this.state !== "waiting") return;
      unlockAudio();
      others(this).forEach((t) => t.pause(true));
      this.advance(Date.now(), true);
      this.render();
      run();
    }

    skip() {
      if (this.state !== "running" || this.step.type !== "rest") return;
      this.advance(Date.now(), true);
      this.render();
    }

    togglePause() {
      if (this.state === "running") this.pause(false);
      else if (this.state === "paused") this.resume();
    }

    pause(quiet) {
      if (this.state !== "running") return;
      this.left = Math.max(0, this.endAt - Date.now());
      this.state = "paused";
      if (!quiet) this.say(this.words.textPaused);
      this.render();
      releaseScreen();
    }

    resume() {
      unlockAudio();
      others(this).forEach((t) => t.pause(true));
      this.endAt = Date.now() + this.left;
      this.left = null;
      this.state = "running";
      this.say(this.phaseText());
      this.render();
      run();
    }

    stop() {
      this.reset();
      this.say(this.words.sayStopped);
      releaseScreen();
    }

    // The step ends at `at`: on to the next, or done. `byHand`: the patient ended it (no signal).
    // Returns what to say and signal; update() uses only the last when it catches up.
    advance(at, byHand = false) {
      const ended = this.step;
      this.index += 1;
      let said;
      let sig;
      if (!this.step) {
        this.finish();
        said = this.words.textDone;
        sig = "done";
      } else {
        this.begin(at);
        const next = this.step;
        if (next.type === "switch") {
          said = this.words.saySwitch;
          sig = "hold";
        } else if (next.type === "rest") {
          const template = ended.type === "work" ? this.words.saySetRest : this.words.sayHoldRest;
          said = fill(template, { time: this.timeText(next.seconds) });
          sig = "hold";
        } else if (ended.type === "rest") {
          said = this.words.sayRestDone;
          sig = "go";
        } else {
          said = this.goText();
          sig = "go";
        }
      }
      if (byHand) {
        this.say(said);
        if (sig === "done") signal("done");
      }
      return { said, sig };
    }

    // Catch up with the clock: every step whose end has passed ends, at its own end time.
    update(now = Date.now()) {
      if (!this.root.isConnected) {
        timers.delete(this.root);
        return;
      }
      let last = null;
      while (this.state === "running" && now >= this.endAt) {
        last = this.advance(this.endAt);
      }
      if (last) {
        this.say(last.said);
        signal(last.sig);
        if (this.state !== "running") releaseScreen();
      } else if (this.state === "running" && this.warned !== this.index) {
        // Said as the count passes it, not late after a hidden tab caught up.
        const left = this.remaining(now);
        if (left <= this.warn) {
          this.warned = this.index;
          if (left > this.warn - 3 && this.step.seconds >= 2 * this.warn) {
            this.say(fill(this.words.sayLeft, { time: this.timeText(this.warn) }));
          }
        }
      }
      this.render(now);
    }

    // All sets done: the row's optional fields get what was done, and the tick button the focus.
    // Nothing is sent: the patient ticks.
    finish() {
      this.state = "done";
      this.endAt = null;
      this.index = this.steps.length;
      const row = this.root.closest("[data-item]");
      if (!row) return;
      const sets = row.querySelector('input[name="sets_done"]');
      const amount = row.querySelector('input[name="reps_done"]');
      if (sets) setValue(sets, this.sets);
      if (amount && this.words.amount) setValue(amount, this.words.amount);
      const details = sets && sets.closest("details");
      if (details) details.open = true;
      const tick = row.querySelector(".tick-btn");
      if (tick) {
        tick.focus({ preventScroll: true });
        tick.scrollIntoView({ block: "nearest" });
      }
    }

    // --- Words for the current step ---
    goText() {
      return fill(this.words.sayGo, { phase: this.phaseText(), time: this.timeText() });
    }
    setText() {
      const step = this.step || this.steps[this.steps.length - 1];
      return fill(this.words.textSet, { n: step.set, total: this.sets });
    }
    phaseText() {
      const step = this.step;
      if (!step) return this.words.textDone;
      if (step.type === "hold") {
        if (step.side === "left") return this.words.textHoldLeft;
        if (step.side === "right") return this.words.textHoldRight;
        return this.words.textHold;
      }
      if (step.type === "bout") return this.words.textBout;
      if (step.type === "switch") return this.words.textSwitch;
      if (step.type === "rest") return this.words.textRest;
      return this.words.textWork;
    }
    timeText(seconds = this.step.seconds) {
      const minutes = this.step && this.step.type === "bout" && seconds % 60 === 0;
      const n = minutes ? seconds / 60 : seconds;
      const form = new Intl.PluralRules(document.documentElement.lang || "en").select(n);
      const unit = minutes ? "Minutes" : "Seconds";
      const template =
        form === "one" ? this.words[`say${unit}One`] : this.words[`say${unit}Other`];
      return fill(template, { n });
    }

    // A polite announcement; the same words twice in a row still change the region.
    say(text) {
      const region = this.el.say;
      region.textContent = region.textContent === text ? `${text}\u00a0` : text;
    }

    render(now = Date.now()) {
      const { el, state } = this;
      const focused = this.root.contains(document.activeElement) ? document.activeElement : null;
      const timed = this.step && this.step.seconds > 0 && state !== "done";
      el.set.textContent = this.setText();
      el.phase.textContent =
        state === "paused"
          ? fill(this.words.textPausedPhase, { phase: this.phaseText() })
          : this.phaseText();
      el.clock.hidden = !timed;
      el.clock.textContent = timed ? clock(this.remaining(now)) : "";
      this.root.dataset.state = state;
      if (this.step) this.root.dataset.step = this.step.type;
      else delete this.root.dataset.step;

      const idle = state === "idle" || state === "done";
      const started = this.index > 0 || state === "running" || state === "paused";
      el.start.hidden = !idle;
      el.start.querySelector("[data-label]").textContent =
        state === "done" ? this.words.textAgain : this.words.textStart;
      el.setDone.hidden = state !== "waiting";
      const lastSet = this.index === this.steps.length - 1;
      el.setDone.querySelector("[data-label]").textContent = lastSet
        ? this.words.textLastSetDone
        : this.words.textSetDone;
      el.pause.hidden = !(state === "running" || state === "paused");
      el.pause.querySelector("[data-label]").textContent =
        state === "paused" ? this.words.textResume : this.words.textPause;
      el.skip.hidden = !(this.step && this.step.type === "rest" && state === "running");
      el.stop.hidden = !(started && state !== "done");

      // A control that disappeared under the focus hands it on within the timer.
      if (focused && focused.closest("[hidden]")) {
        const next = [el.setDone, el.skip, el.pause, el.start].find((b) => !b.hidden);
        if (next) next.focus();
      }
    }
  }

  function setValue(input, value) {
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function others(timer) {
    return [...timers.values()].filter((t) => t !== timer);
  }

  // One loop for every running timer; it stops when none runs.
  function tick() {
    const now = Date.now();
    timers.forEach((t) => t.update(now));
    if (![...timers.values()].some((t) => t.state === "running")) {
      clearInterval(loop);
      loop = null;
      releaseScreen();
    }
  }
  function run() {
    holdScreen();
    if (!loop) loop = setInterval(tick, 250);
  }

  // Back in view (another tab, a locked phone): catch up at once.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      tick();
      holdScreen();
    }
  });

  // Shown timers push down what is below them, where the browser may be scrolling already: to the
  // focused element (an answer's error, focused on load) or to the row the address names. Once
  // they take their room, that element is brought into view again if it is not.
  function setUp(scope, onLoad) {
    const fresh = [...scope.querySelectorAll("[data-timer]")].filter((root) => !timers.has(root));
    if (!fresh.length) return;
    fresh.forEach((root) => timers.set(root, new Timer(root)));
    const hash = onLoad && window.location.hash.slice(1);
    const named = hash ? document.getElementById(hash) : null;
    const focused = document.activeElement;
    const target =
      focused && focused !== document.body && focused.id !== "main" ? focused : named;
    if (!target) return;
    const box = target.getBoundingClientRect();
    if (box.top >= 0 && box.bottom <= window.innerHeight) return;
    let block = "nearest";
    if (target === named) block = "start";
    else if (onLoad) block = "center";
    target.scrollIntoView({ block });
  }
  setUp(document, true);
  // A tick swaps the row in anew (htmx): its timer starts again from the first set.
  const list = document.getElementById("checklist");
  if (list) {
    new MutationObserver(() => {
      timers.forEach((t, root) => {
        if (!root.isConnected) timers.delete(root);
      });
      setUp(list, false);
    }).observe(list, { childList: true });
  }
})();
