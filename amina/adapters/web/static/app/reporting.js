// Location reporting while the app is open (SPEC §6; docs/app-reporting.md).
//
// Once at start and then every `report_interval_minutes` (the policy, from
// GET /api/v1/me/reporting) the app asks the Geolocation API for a fix and makes ONE report of
// it: a client id (crypto.randomUUID) and the device time are fixed when it is made. The report
// goes into the IndexedDB queue first (location_queue.js), and the queue is then sent in
// batches with the device credential. An item leaves the queue only when the server answered
// "accepted" or "duplicate" (both mean stored), so a report is re-sent unchanged after a lost
// answer or a lost network, and the server stores it once. Refused reports are moved aside
// and shown. Network errors are retried with growing pauses, and at once when the browser says
// it is online again. Without a fix the app sends a heartbeat: the device's status (location
// permission, location services, app version), so that Amina can tell "the phone is off" from
// "the person is away".
//
// The app reports only for a person whose registration holds a place; nobody else is asked for
// their location.

import { ApiError, NetworkError, api, session } from "./api.js";
import * as queue from "./location_queue.js";
import { clockTime, moscowDay, say } from "./reporting_texts.js";
import { formatDateTime } from "./strings.js";

const SETTINGS = "amina.reporting_settings";
const LAST_ACCEPTED = "amina.last_report_accepted";
const PERSON = "amina.person";
const FIRST_RETRY_MS = 5_000;
const LONGEST_RETRY_MS = 5 * 60_000;
const FIX_TIMEOUT_MS = 30_000;
const DEFAULT_INTERVAL_MINUTES = 15;
const DEFAULT_BATCH = 1000;
// A fix taken this recently is the evening check-in's fix: the app opened from the push has
// just taken one, and a second would be a duplicate report.
const FRESH_CYCLE_MS = 60_000;

const state = {
  started: false,
  ready: false, // the opening cycle has been asked for (startReporting finished its set-up)
  person: null,
  settings: null,
  permission: "unknown", // what navigator.permissions says: granted | denied | prompt
  fixProblem: null, // the last attempt's: null | "denied" | "unavailable" | "timeout"
  offline: !navigator.onLine,
  retired: false,
  sending: false,
  sendAgain: false,
  waiting: 0,
  refused: [],
  lastAcceptedAt: null,
  lastStatus: null,
  tickTimer: null,
  retryTimer: null,
  retryDelay: FIRST_RETRY_MS,
};

const pad = (n) => String(n).padStart(2, "0");

/** RFC 3339 with the phone's own offset, e.g. 2025-09-03T08:15:00+03:00. */
export function deviceTime(when) {
  const offset = -when.getTimezoneOffset();
  const local = new Date(when.getTime() + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset >= 0 ? "+" : "-";
  const minutes = Math.abs(offset);
  return `${local}${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function personId() {
  try {
    return JSON.parse(localStorage.getItem(PERSON) || "null")?.id || "me";
  } catch {
    return "me";
  }
}

function remembered(key) {
  try {
    const value = JSON.parse(localStorage.getItem(key) || "null");
    return value && value.person === state.person ? value.data : null;
  } catch {
    return null;
  }
}

function remember(key, data) {
  localStorage.setItem(key, JSON.stringify({ person: state.person, data }));
}

function intervalMs() {
  const minutes = state.settings?.report_interval_minutes || DEFAULT_INTERVAL_MINUTES;
  return Math.max(1, minutes) * 60_000;
}

function noteAccepted(deviceTimes) {
  const newest = deviceTimes.map((at) => Date.parse(at)).filter(Number.isFinite);
  if (state.settings?.last_report_at) newest.push(Date.parse(state.settings.last_report_at));
  if (state.lastAcceptedAt) newest.push(state.lastAcceptedAt);
  if (!newest.length) return;
  state.lastAcceptedAt = Math.max(...newest);
  remember(LAST_ACCEPTED, state.lastAcceptedAt);
}

async function refreshSettings() {
  try {
    const { data } = await api("GET", "/api/v1/me/reporting");
    state.settings = data;
    remember(SETTINGS, data);
    noteAccepted([]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      stop();
      return;
    }
    // Offline (or the server is away): the last answer this phone had will do.
    state.settings = state.settings || remembered(SETTINGS);
  }
}

// --- the location ---------------------------------------------------------------------------

function currentPosition() {
  return new Promise((resolve) => {
    if (!("geolocation" in navigator)) {
      resolve({ problem: "unavailable" });
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => resolve({ position }),
      (error) => {
        const problem = { 1: "denied", 3: "timeout" }[error.code] || "unavailable";
        resolve({ problem });
      },
      { enableHighAccuracy: true, maximumAge: 0, timeout: FIX_TIMEOUT_MS },
    );
  });
}

function permissionOff() {
  return state.permission === "denied" || state.fixProblem === "denied";
}

/** The device's status as the web can know it (battery saver is not visible to a web app). */
function deviceStatus() {
  let permission = null;
  if (permissionOff()) permission = false;
  else if (state.permission === "granted" || state.fixProblem === null) permission = true;
  let services = null;
  if (state.fixProblem === null) services = true;
  else if (state.fixProblem === "unavailable" && permission) services = false;
  return {
    location_permission: permission,
    location_services: services,
    battery_saver: null,
    app_version: document.body.dataset.release || null,
  };
}

async function keepStatus(always) {
  const status = deviceStatus();
  const signature = JSON.stringify(status);
  if (!always && signature === state.lastStatus) return;
  state.lastStatus = signature;
  const at = deviceTime(new Date());
  await queue.keep({
    id: `status:${at}:${newClientId()}`,
    kind: "status",
    person_id: state.person,
    body: { at, ...status },
    queued_at: new Date().toISOString(),
  });
}

async function takeFix() {
  const { position, problem } = await currentPosition();
  state.fixProblem = problem || null;
  if (!position) {
    // A heartbeat: no fix, but Amina learns why (or at least that the phone is on).
    await keepStatus(true);
    return null;
  }
  const coords = position.coords;
  const body = {
    client_id: newClientId(),
    device_time: deviceTime(new Date(position.timestamp || Date.now())),
    lat: coords.latitude,
    lon: coords.longitude,
    accuracy_m: Math.max(0, coords.accuracy || 0),
    speed_mps: Number.isFinite(coords.speed) ? coords.speed : null,
    altitude_m: Number.isFinite(coords.altitude) ? coords.altitude : null,
    provider: "browser",
    mocked: false,
  };
  await queue.keep({
    id: body.client_id,
    kind: "report",
    person_id: state.person,
    body,
    queued_at: new Date().toISOString(),
  });
  // The status goes along when it changed (the first fix of a session, permission back on).
  await keepStatus(false);
  return body.client_id;
}

// --- sending --------------------------------------------------------------------------------

function retryLater() {
  clearTimeout(state.retryTimer);
  const delay = state.retryDelay * (0.8 + Math.random() * 0.4);
  state.retryDelay = Math.min(state.retryDelay * 2, LONGEST_RETRY_MS);
  state.retryTimer = setTimeout(flush, delay);
}

async function sendOnce(credential, items) {
  const batch = state.settings?.max_batch || DEFAULT_BATCH;
  const reports = items.filter((item) => item.kind === "report").slice(0, batch);
  const status = items.find((item) => item.kind === "status");
  const body = { reports: reports.map((item) => item.body) };
  if (status) body.status = status.body;
  const { data } = await api("POST", "/api/v1/reports", body, {
    auth: false,
    headers: { Authorization: `Device ${credential}` },
  });
  const stored = [];
  const refusals = [];
  const accepted = [];
  (data.results || []).forEach((result, index) => {
    const item = reports[index];
    if (!item || result.client_id !== item.id) return;
    if (result.status === "accepted" || result.status === "duplicate") {
      stored.push(item.id);
      accepted.push(item.body.device_time);
    } else if (result.status === "rejected") {
      refusals.push({ item, error: result.error });
    }
  });
  // A status the server could not read is of no use to keep sending.
  if (status && data.device_status) stored.push(status.id);
  await queue.settle(stored, refusals);
  noteAccepted(accepted);
  return stored.length + refusals.length;
}

/** Send everything waiting, batch by batch, until the queue is empty or the network fails. */
export async function flush() {
  if (state.sending) {
    state.sendAgain = true;
    return;
  }
  const credential = session.device();
  if (!credential || state.retired || !state.started) return;
  state.sending = true;
  clearTimeout(state.retryTimer);
  try {
    for (;;) {
      const items = await queue.waiting(state.person);
      if (!items.length) break;
      const settled = await sendOnce(credential, items);
      state.offline = false;
      state.retryDelay = FIRST_RETRY_MS;
      if (!settled) {
        retryLater();
        break;
      }
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      state.retired = true; // another phone was bound: this one may not report any more
    } else {
      if (error instanceof NetworkError) state.offline = true;
      retryLater();
    }
  } finally {
    state.sending = false;
    await showQueue();
    if (state.sendAgain) {
      state.sendAgain = false;
      flush();
    }
  }
}

// --- the cycle ------------------------------------------------------------------------------

let ticking = false;
let lastCycle = null; // {at, made}: when the last cycle ended and the fix it made
// Who waits for the outcome of the next cycle's fix (the evening check-in, check_in.js).
const cycleWaiters = [];

async function tick() {
  if (ticking) return; // the cycle under way schedules the next one
  ticking = true;
  clearTimeout(state.tickTimer);
  let cycled = false;
  let made = null;
  try {
    if (!state.started) return;
    if (!session.device()) {
      stop();
      return;
    }
    await refreshSettings();
    if (!state.started) return;
    cycled = true;
    if (state.settings?.reporting_expected && !state.retired) {
      made = await takeFix();
      render();
      await flush();
    } else {
      render();
    }
  } catch (error) {
    console.error(error); // e.g. storage refused; the next cycle tries again
  } finally {
    ticking = false;
    if (state.started) state.tickTimer = setTimeout(tick, intervalMs());
    if (cycled) {
      lastCycle = { at: Date.now(), made };
      settleWaiters(made);
    }
  }
}

/** What became of the cycle's fix: sent (with the time), queued (offline), or none. */
async function outcomeOf(made) {
  if (!state.settings?.reporting_expected) return { kind: "not_registered" };
  if (!made) return { kind: "no_fix" };
  let waitingIds = [];
  let refusedIds = [];
  try {
    waitingIds = (await queue.waiting(state.person)).map((item) => item.id);
    refusedIds = (await queue.refused(state.person)).map((item) => item.id);
  } catch {
    // No queue to look into: the answer of the send decided (the item is gone).
  }
  if (refusedIds.includes(made)) return { kind: "no_fix" };
  if (waitingIds.includes(made)) return { kind: "queued" };
  return { kind: "sent", time: clockTime(new Date()) };
}

async function settleWaiters(made) {
  if (!cycleWaiters.length) return;
  const outcome = await outcomeOf(made);
  for (const resolve of cycleWaiters.splice(0)) resolve(outcome);
}

/**
 * Take ONE fix now and send it (the evening check-in: the person tapped the push). Resolves
 * with {kind: "sent", time} | {kind: "queued"} | {kind: "no_fix"} | {kind: "not_registered"}.
 * The cycle the app starts when it opens, a cycle under way, or one that ended less than a
 * minute ago is that fix: one tap, one report.
 */
export function checkIn() {
  return new Promise((resolve) => {
    cycleWaiters.push(resolve);
    if (!state.started || !state.ready || ticking) return; // that cycle settles it
    if (lastCycle && Date.now() - lastCycle.at < FRESH_CYCLE_MS) {
      settleWaiters(lastCycle.made);
      return;
    }
    tick();
  });
}

async function watchPermission() {
  if (!navigator.permissions?.query) return;
  try {
    const status = await navigator.permissions.query({ name: "geolocation" });
    state.permission = status.state;
    status.addEventListener("change", () => {
      state.permission = status.state;
      if (status.state === "granted") {
        state.fixProblem = null;
        tick();
      } else {
        render();
      }
    });
  } catch {
    // Not every browser can say; the answer of the next fix tells.
  }
}

function stop() {
  state.started = false;
  state.ready = false;
  clearTimeout(state.tickTimer);
  clearTimeout(state.retryTimer);
}

function online() {
  state.offline = false;
  state.retryDelay = FIRST_RETRY_MS;
  render();
  flush();
}

function offline() {
  state.offline = true;
  render();
}

let listening = false;

function listen() {
  if (listening) return;
  listening = true;
  window.addEventListener("online", online);
  window.addEventListener("offline", offline);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && state.started) flush();
  });
  const again = document.getElementById("reporting-try-again");
  if (again) {
    again.addEventListener("click", () => {
      state.fixProblem = null;
      tick();
    });
  }
}

/**
 * Start reporting for the signed-in person (called whenever a signed-in screen is shown; it
 * starts once and afterwards only refreshes the home screen's card).
 */
export async function startReporting() {
  if (!session.device()) {
    stop(); // signed out
    return;
  }
  if (state.started && state.person === personId()) {
    // A registration made a moment ago starts the reporting at once, not in 15 minutes.
    if (state.settings && !state.settings.reporting_expected) tick();
    else render();
    return;
  }
  stop();
  state.started = true;
  state.person = personId();
  state.retired = false;
  state.lastStatus = null;
  state.settings = remembered(SETTINGS);
  state.lastAcceptedAt = remembered(LAST_ACCEPTED);
  listen();
  await watchPermission();
  try {
    await queue.forgetOthers(state.person);
  } catch {
    // IndexedDB unavailable (some private modes): the card still shows what it can.
  }
  await showQueue();
  state.ready = true;
  tick();
}

/** Report whenever someone is signed in: now, and after each change of screen (a sign-in). */
export function setUpReporting() {
  window.addEventListener("hashchange", () => {
    startReporting();
  });
  startReporting();
}

// --- the card on the home screen ------------------------------------------------------------

async function showQueue() {
  try {
    const items = await queue.waiting(state.person);
    state.waiting = items.filter((item) => item.kind === "report").length;
    state.refused = await queue.refused(state.person);
  } catch {
    state.waiting = 0;
  }
  render();
}

function phase() {
  if (!state.settings) return "starting";
  if (!state.settings.reporting_expected) return "not-registered";
  if (state.retired) return "retired";
  if (permissionOff()) return "permission";
  if (state.offline) return "offline";
  if (state.fixProblem) return "no-fix";
  return "sending";
}

const HEADLINES = {
  starting: "starting",
  "not-registered": "not_registered",
  retired: "retired",
  permission: "permission_off",
  offline: "offline",
  "no-fix": "no_fix",
  sending: "sending",
};

function lastAcceptedText() {
  if (!state.lastAcceptedAt) return say("none_accepted");
  const when = new Date(state.lastAcceptedAt);
  const today = moscowDay(when) === moscowDay();
  const time = today ? clockTime(when) : formatDateTime(when.toISOString());
  return say("last_accepted", { time });
}

function render() {
  const card = document.getElementById("reporting");
  if (!card) return;
  const now = phase();
  card.hidden = false;
  card.dataset.phase = now;
  document.getElementById("reporting-headline").textContent = say(HEADLINES[now]);
  const detail = {
    sending: say("sending_detail", { minutes: state.settings?.report_interval_minutes ?? "" }),
    offline: say("offline_detail"),
    "no-fix": say("no_fix_detail"),
    retired: say("retired_detail"),
  }[now];
  const detailLine = document.getElementById("reporting-detail");
  detailLine.textContent = detail || "";
  detailLine.hidden = !detail;
  document.getElementById("reporting-permission").hidden = now !== "permission";
  const reporting = !["starting", "not-registered"].includes(now);
  const last = document.getElementById("reporting-last");
  last.hidden = !reporting;
  last.textContent = reporting ? lastAcceptedText() : "";
  const waiting = document.getElementById("reporting-waiting");
  waiting.hidden = !(reporting && state.waiting > 0);
  waiting.dataset.count = String(state.waiting);
  waiting.textContent = say("waiting", { count: state.waiting });
  renderRefused();
}

function renderRefused() {
  const box = document.getElementById("reporting-refused");
  box.hidden = state.refused.length === 0;
  document.getElementById("reporting-refused-count").textContent = say("refused", {
    count: state.refused.length,
  });
  const list = document.getElementById("reporting-refused-list");
  list.replaceChildren(
    ...state.refused.map((item) => {
      const entry = document.createElement("li");
      const taken = Date.parse(item.body.device_time);
      const when = Number.isFinite(taken) ? formatDateTime(new Date(taken).toISOString()) : "";
      entry.textContent = [when, item.error?.message].filter(Boolean).join(" — ");
      return entry;
    }),
  );
}
