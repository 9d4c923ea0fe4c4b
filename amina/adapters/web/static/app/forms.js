// Forms: reading values, showing the server's translated problems next to the fields, busy state.

import { ApiError, NetworkError } from "./api.js";
import { formatDuration, t } from "./strings.js";

function alertRegion(form) {
  return form.querySelector(".app-error");
}

function fieldBox(form, name) {
  const last = name.split(".").pop();
  return (
    form.querySelector(`[data-field="${CSS.escape(name)}"]`) ||
    form.querySelector(`[data-field="${CSS.escape(last)}"]`)
  );
}

function controlsOf(box) {
  return box.matches("input, select") ? [box] : [...box.querySelectorAll("input, select")];
}

export function clearErrors(form) {
  const region = alertRegion(form);
  if (region) region.replaceChildren();
  for (const line of form.querySelectorAll(".app-countdown")) line.remove();
  for (const box of form.querySelectorAll("[data-field]")) {
    box.classList.remove("app-field-invalid");
    const message = box.querySelector(".field-error");
    if (message) message.textContent = "";
    for (const control of controlsOf(box)) control.removeAttribute("aria-invalid");
  }
}

/** Mark one field invalid with `message`; returns the control to focus. */
export function fieldError(form, name, message) {
  const box = fieldBox(form, name);
  if (!box) return null;
  box.classList.add("app-field-invalid");
  const slot = box.querySelector(".field-error");
  if (slot) slot.textContent = message;
  const controls = controlsOf(box);
  for (const control of controls) control.setAttribute("aria-invalid", "true");
  return controls.find((control) => !control.value) || controls[0] || null;
}

function paragraph(text, className) {
  const p = document.createElement("p");
  if (className) p.className = className;
  p.textContent = text;
  return p;
}

/** Show a message in the form's alert region (announced by screen readers). */
export function showMessage(form, title, detail) {
  const region = alertRegion(form);
  const nodes = [paragraph(title, "alert__title")];
  if (detail) nodes.push(paragraph(detail));
  region.replaceChildren(...nodes);
  return region;
}

/** Show an error from the API (or the network) on `form`; focus the first field to correct. */
export function showProblem(form, error) {
  clearErrors(form);
  if (error instanceof NetworkError) {
    showMessage(form, t("network"));
    return;
  }
  if (!(error instanceof ApiError)) {
    showMessage(form, t("unexpected"));
    console.error(error);
    return;
  }
  const problem = error.problem;
  const unplaced = [];
  let first = null;
  for (const item of problem.errors || []) {
    const control = fieldError(form, item.field || "", item.message || "");
    if (control) first = first || control;
    else if (item.message) unplaced.push(item.message);
  }
  const region = showMessage(form, problem.title || t("unexpected"), problem.detail);
  for (const message of unplaced) region.append(paragraph(message));
  if (first) first.focus();
}

/** Show a list of field errors found before sending anything. Returns true when there were any. */
export function showFieldErrors(form, errors) {
  clearErrors(form);
  let first = null;
  for (const [name, message] of errors) {
    const control = fieldError(form, name, message);
    first = first || control;
  }
  if (first) first.focus();
  return errors.length > 0;
}

/** The date in a day/month/year fieldset as YYYY-MM-DD, or [null, message]. */
export function readDate(fieldset) {
  const day = fieldset.querySelector('[name="day"]').value.trim();
  const month = fieldset.querySelector('[name="month"]').value;
  const year = fieldset.querySelector('[name="year"]').value.trim();
  if (!day || !month || !year) return [null, t("dob_missing")];
  const [d, m, y] = [Number(day), Number(month), Number(year)];
  const when = new Date(Date.UTC(y, m - 1, d));
  if (
    !/^\d{1,2}$/.test(day) ||
    !/^\d{4}$/.test(year) ||
    when.getUTCFullYear() !== y ||
    when.getUTCMonth() !== m - 1 ||
    when.getUTCDate() !== d
  ) {
    return [null, t("dob_invalid")];
  }
  if (when.getTime() > Date.now()) return [null, t("dob_future")];
  const pad = (n, width) => String(n).padStart(width, "0");
  return [`${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`, null];
}

/** Disable the form's buttons while `work` runs. */
export async function whileBusy(form, work) {
  const buttons = [...form.querySelectorAll("button")];
  form.setAttribute("aria-busy", "true");
  for (const button of buttons) button.disabled = true;
  try {
    return await work();
  } finally {
    form.removeAttribute("aria-busy");
    for (const button of buttons) if (!button.dataset.lockedUntil) button.disabled = false;
  }
}

/**
 * Count down `seconds` in `element` using the text `key` ("… in {time}"), keep `button` disabled
 * meanwhile, then call `done`. Returns a function that stops the countdown.
 */
export function countdown(element, key, seconds, { button = null, done = null } = {}) {
  const until = Date.now() + seconds * 1000;
  if (button) {
    button.disabled = true;
    button.dataset.lockedUntil = String(until);
  }
  let timer = null;
  const finish = () => {
    clearInterval(timer);
    if (button) {
      delete button.dataset.lockedUntil;
      button.disabled = false;
    }
  };
  const tick = () => {
    const left = (until - Date.now()) / 1000;
    if (left <= 0) {
      finish();
      element.textContent = "";
      if (done) done();
      return;
    }
    element.textContent = t(key, { time: formatDuration(left) });
  };
  tick();
  timer = setInterval(tick, 1000);
  return finish;
}
