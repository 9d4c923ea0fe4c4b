// Sign-in: by card, by passport (lost card), and the one-time code (API.md, "Sign-in").

import { ApiError, api, session } from "./api.js";
import {
  clearErrors,
  countdown,
  readDate,
  showFieldErrors,
  showMessage,
  showProblem,
  whileBusy,
} from "./forms.js";
import { t } from "./strings.js";

const CHALLENGE = "amina.challenge";

export const challenge = {
  get() {
    try {
      return JSON.parse(sessionStorage.getItem(CHALLENGE) || "null");
    } catch {
      return null;
    }
  },
  set(value) {
    sessionStorage.setItem(CHALLENGE, JSON.stringify(value));
  },
  clear() {
    sessionStorage.removeItem(CHALLENGE);
  },
};

function deviceName() {
  const agent = navigator.userAgent;
  const platform = /Android/i.test(agent)
    ? "Android"
    : /iPhone|iPad/i.test(agent)
      ? "iOS"
      : navigator.platform || "web";
  return `Amina web app (${platform})`.slice(0, 100);
}

/**
 * A 429 answer on a details form: the server's title and one timer (the server's own
 * "in 15 min" detail is left out so that the screen never shows two waits).
 */
function showLockOut(form, error) {
  clearErrors(form);
  showMessage(form, error.problem.title || t("unexpected"));
  const seconds = lockSeconds(error);
  if (seconds) {
    // Beside the alert, not inside it: a line that changes every second must not be read out
    // every second.
    const line = document.createElement("p");
    line.className = "app-countdown";
    form.querySelector(".app-error").after(line);
    countdown(line, "retry_in", seconds, {
      button: form.querySelector('button[type="submit"]'),
    });
  }
}

/** Seconds until a lock ends: from the problem's `locked_until`, else `Retry-After`. */
function lockSeconds(error) {
  const until = Date.parse(error.problem && error.problem.locked_until);
  if (Number.isFinite(until)) return Math.max(1, (until - Date.now()) / 1000);
  return error.retryAfter || 0;
}

async function requestCode(form, body, go) {
  try {
    const { data } = await api("POST", "/api/v1/auth/otp", body, { auth: false });
    challenge.set({
      id: data.challenge_id,
      expires_at: data.expires_at,
      method: body.method,
      resend_after: whenResendAllowed(data.resend_after),
      phone_ending: data.phone_ending || null,
      tries: Number.isFinite(data.tries) ? data.tries : null,
      tries_left: null,
      locked_until: null,
    });
    form.reset();
    go("code");
  } catch (error) {
    if (error instanceof ApiError && error.status === 429) showLockOut(form, error);
    else showProblem(form, error);
  }
}

export function setUpCardSignIn(go) {
  const form = document.getElementById("form-card");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const cardNumber = form.elements.card_number.value.replace(/\s+/g, "").toUpperCase();
    const [dateOfBirth, dateError] = readDate(form.querySelector('[data-field="date_of_birth"]'));
    const errors = [];
    if (!cardNumber) errors.push(["card_number", t("card_missing")]);
    if (dateError) errors.push(["date_of_birth", dateError]);
    if (showFieldErrors(form, errors)) return;
    whileBusy(form, () =>
      requestCode(
        form,
        { method: "card", card_number: cardNumber, date_of_birth: dateOfBirth },
        go,
      ),
    );
  });
}

export function setUpPassportSignIn(go) {
  const form = document.getElementById("form-passport");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const citizenship = form.elements.citizenship.value;
    const passportNumber = form.elements.passport_number.value.replace(/\s+/g, "").toUpperCase();
    const [dateOfBirth, dateError] = readDate(form.querySelector('[data-field="date_of_birth"]'));
    const errors = [];
    if (!citizenship) errors.push(["citizenship", t("citizenship_missing")]);
    if (!passportNumber) errors.push(["passport_number", t("passport_missing")]);
    if (dateError) errors.push(["date_of_birth", dateError]);
    if (showFieldErrors(form, errors)) return;
    whileBusy(form, () =>
      requestCode(
        form,
        {
          method: "passport",
          citizenship,
          passport_number: passportNumber,
          date_of_birth: dateOfBirth,
        },
        go,
      ),
    );
  });
}

// The code screen is one state machine, kept in the stored challenge so that a reload shows
// the same state:
//   sent    — the code went to the phone ending in NN; one timer: when a new code may be asked;
//   wrong   — as sent, and how many tries this code has left;
//   locked  — signing in is paused: one timer until it ends, no code entry and no offer of a
//             new code (the server would refuse it); then "Start again".
// A right code leaves the screen (signed in).

let stopTimer = null;

function stopCountdown() {
  if (stopTimer) stopTimer();
  stopTimer = null;
}

function codeState(current) {
  if (current.locked_until && Date.parse(current.locked_until) > Date.now()) return "locked";
  if (current.locked_until) return "ended";
  if (Number.isFinite(current.tries_left)) return "wrong";
  return "sent";
}

function renderCodeScreen(current) {
  const state = codeState(current);
  const screen = document.getElementById("screen-code");
  screen.dataset.state = state;
  const intro = document.getElementById("code-intro");
  if (current.phone_ending) intro.textContent = t("code_sent_to", { digits: current.phone_ending });
  const restartTo = `#${current.method === "passport" ? "passport" : "card"}`;
  document.getElementById("code-restart").href = restartTo;
  document.getElementById("code-locked-restart").href = restartTo;

  const entry = document.getElementById("code-entry");
  const locked = document.getElementById("code-locked");
  const tries = document.getElementById("code-tries");
  const status = document.getElementById("resend-status");
  const resend = document.getElementById("resend");
  stopCountdown();
  entry.hidden = state === "locked" || state === "ended";
  locked.hidden = !entry.hidden;
  tries.hidden = state !== "wrong";
  if (state === "wrong") tries.textContent = t("tries_left", { count: current.tries_left });

  if (state === "locked" || state === "ended") {
    const timer = document.getElementById("code-locked-timer");
    const restart = document.getElementById("code-locked-restart");
    const ended = () => {
      timer.textContent = t("locked_ended");
      restart.hidden = false;
    };
    restart.hidden = true;
    if (state === "ended") ended();
    else {
      const seconds = (Date.parse(current.locked_until) - Date.now()) / 1000;
      stopTimer = countdown(timer, "retry_in", seconds, { done: ended });
    }
    return;
  }
  if (current.resend_after && Date.parse(current.resend_after) > Date.now()) {
    stopTimer = countdown(status, "resend_in", (Date.parse(current.resend_after) - Date.now()) / 1000, {
      button: resend,
      done: () => {
        status.textContent = t("resend_ready");
      },
    });
  } else {
    status.textContent = t("resend_ready");
    resend.disabled = false;
  }
}

function update(changes) {
  const current = { ...challenge.get(), ...changes };
  challenge.set(current);
  renderCodeScreen(current);
  return current;
}

function lockCodeScreen(error) {
  update({ locked_until: new Date(Date.now() + lockSeconds(error) * 1000).toISOString() });
  const title = document.getElementById("code-locked-title");
  if (error.problem && error.problem.title) title.textContent = error.problem.title;
  title.focus();
}

export function showCodeScreen() {
  const form = document.getElementById("form-code");
  clearErrors(form);
  form.reset();
  const current = challenge.get();
  if (current) renderCodeScreen(current);
}

export function setUpCodeEntry(go, signedIn) {
  const form = document.getElementById("form-code");
  const input = form.elements.code;
  input.addEventListener("input", () => {
    const digits = input.value.replace(/\D/g, "").slice(0, 6);
    if (digits !== input.value) input.value = digits;
  });
  // Leaving a finished lock for the details form: that sign-in attempt is over.
  document.getElementById("code-locked-restart").addEventListener("click", () => challenge.clear());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = input.value.replace(/\D/g, "");
    if (code.length !== 6) {
      showFieldErrors(form, [["code", t("code_missing")]]);
      return;
    }
    const current = challenge.get();
    if (!current) {
      go("card");
      return;
    }
    whileBusy(form, async () => {
      try {
        const { data } = await api(
          "POST",
          "/api/v1/auth/verify",
          { challenge_id: current.id, code, device: { name: deviceName(), platform: "web" } },
          { auth: false },
        );
        stopCountdown();
        challenge.clear();
        session.save(data);
        await signedIn(data);
      } catch (error) {
        input.value = "";
        if (error instanceof ApiError && error.code === "locked_out") {
          clearErrors(form);
          lockCodeScreen(error);
          return;
        }
        showProblem(form, error);
        if (error instanceof ApiError && Number.isFinite(error.problem.tries_left)) {
          update({ tries_left: error.problem.tries_left });
        }
        input.focus();
      }
    });
  });

  const resend = document.getElementById("resend");
  resend.addEventListener("click", async () => {
    const current = challenge.get();
    if (!current) {
      go("card");
      return;
    }
    resend.disabled = true;
    try {
      const { data } = await api(
        "POST",
        `/api/v1/auth/otp/${encodeURIComponent(current.id)}/resend`,
        undefined,
        { auth: false },
      );
      const wait = data && Number.isFinite(data.resend_after) ? data.resend_after : 0;
      clearErrors(form);
      update({
        id: data.challenge_id || current.id,
        expires_at: data.expires_at || current.expires_at,
        resend_after: whenResendAllowed(wait),
        phone_ending: data.phone_ending || current.phone_ending,
        tries: Number.isFinite(data.tries) ? data.tries : current.tries,
        tries_left: null, // a new code has all its tries
      });
      announce(t("code_sent_again"));
    } catch (error) {
      resend.disabled = false;
      if (error instanceof ApiError && error.code === "resend_too_soon" && error.retryAfter) {
        clearErrors(form);
        update({ resend_after: whenResendAllowed(error.retryAfter) });
      } else if (error instanceof ApiError && error.code === "locked_out") {
        clearErrors(form);
        lockCodeScreen(error);
      } else {
        showProblem(form, error);
      }
    }
  });
}

/** The moment a new code may be asked for, from the answer's `resend_after` (seconds). */
function whenResendAllowed(seconds) {
  return Number.isFinite(seconds) ? new Date(Date.now() + seconds * 1000).toISOString() : null;
}

export function announce(text) {
  const region = document.getElementById("app-message");
  region.textContent = "";
  // A fresh text node, a moment later, so that screen readers announce a repeated message too.
  // The message belongs to the screen it is said on: it goes when the person moves to another
  // screen (app.js, show), so that "your objection is recorded" does not follow them home. Said
  // on the way to a screen ("your visit is booked", then the ticket), it belongs to that screen,
  // which the address already names while the screen is still loading.
  setTimeout(() => {
    region.textContent = text;
    const addressed = `screen-${location.hash.replace(/^#/, "")}`;
    region.dataset.screen = document.getElementById(addressed)
      ? addressed
      : document.querySelector(".app-screen:not([hidden])")?.id || "";
  }, 50);
}

/** Moving to ``screen`` (an element id): a message said on another screen goes. */
export function forgetMessageOf(screen) {
  const region = document.getElementById("app-message");
  if (region.dataset.screen && region.dataset.screen !== screen) {
    region.textContent = "";
    delete region.dataset.screen;
  }
}

export { showMessage };
