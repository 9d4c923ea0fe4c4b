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

/** A 429 answer: show the server's message and keep the form's button locked while it lasts. */
function showLockOut(form, error) {
  showProblem(form, error);
  if (error.retryAfter) {
    // Beside the alert, not inside it: a line that changes every second must not be read out
    // every second.
    const line = document.createElement("p");
    line.className = "app-countdown";
    form.querySelector(".app-error").after(line);
    countdown(line, "retry_in", error.retryAfter, {
      button: form.querySelector('button[type="submit"]'),
    });
  }
}

async function requestCode(form, body, go) {
  try {
    const { data } = await api("POST", "/api/v1/auth/otp", body, { auth: false });
    challenge.set({
      id: data.challenge_id,
      expires_at: data.expires_at,
      method: body.method,
      resend_after: whenResendAllowed(data.resend_after),
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

let stopResendCountdown = null;

function waitForResend(seconds) {
  const status = document.getElementById("resend-status");
  const button = document.getElementById("resend");
  if (stopResendCountdown) stopResendCountdown();
  stopResendCountdown = countdown(status, "resend_in", seconds, {
    button,
    done: () => {
      status.textContent = t("resend_ready");
    },
  });
}

export function showCodeScreen() {
  const form = document.getElementById("form-code");
  clearErrors(form);
  form.reset();
  const current = challenge.get();
  const status = document.getElementById("resend-status");
  if (current && current.resend_after && Date.parse(current.resend_after) > Date.now()) {
    waitForResend((Date.parse(current.resend_after) - Date.now()) / 1000);
  } else {
    status.textContent = t("resend_ready");
  }
}

export function setUpCodeEntry(go, signedIn) {
  const form = document.getElementById("form-code");
  const input = form.elements.code;
  input.addEventListener("input", () => {
    const digits = input.value.replace(/\D/g, "").slice(0, 6);
    if (digits !== input.value) input.value = digits;
  });
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
        challenge.clear();
        session.save(data);
        await signedIn(data);
      } catch (error) {
        input.value = "";
        if (error instanceof ApiError && error.status === 429) showLockOut(form, error);
        else showProblem(form, error);
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
      challenge.set({
        ...current,
        id: data.challenge_id || current.id,
        expires_at: data.expires_at || current.expires_at,
        resend_after: whenResendAllowed(wait),
      });
      clearErrors(form);
      announce(t("code_sent_again"));
      if (wait) waitForResend(wait);
      else resend.disabled = false;
    } catch (error) {
      resend.disabled = false;
      if (error instanceof ApiError && error.code === "resend_too_soon" && error.retryAfter) {
        clearErrors(form);
        waitForResend(error.retryAfter);
      } else if (error instanceof ApiError && error.status === 429) {
        showLockOut(form, error);
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
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

export { showMessage };
