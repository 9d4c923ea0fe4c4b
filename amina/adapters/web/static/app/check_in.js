// The evening check-in (issue 13, point 7; docs/app-reporting.md "The evening check-in").
//
// A web app reports only while it is open. After signing in, the home screen offers a push
// "remind me in the evening", with plain words about why; the person may say no, and can
// change it later on the "Evening reminder" screen. Yes subscribes this browser to web push
// (POST /api/v1/me/push-subscriptions) and saves the choice (PUT /api/v1/me/check-in). The
// push opens /app/check-in → /app#check-in: the home screen, which sends ONE location fix
// through the reporting code (reporting.js `checkIn`) and says whether it was sent.
// The home card says when the last report was received and when the next check-in is due.

import { ApiError, api, session } from "./api.js";
import { whileBusy, clearErrors, showMessage } from "./forms.js";
import { textsFrom } from "./registration.js";
import { checkIn } from "./reporting.js";
import { formatDateTime } from "./strings.js";

const t = textsFrom("app-strings-check-in");
const $ = (id) => document.getElementById(id);
const OFFERED = "amina.check_in_offered";
const PERSON = "amina.person";

let announce = () => {};
let checkInAsked = false;
let latest = null;

function personId() {
  try {
    return JSON.parse(localStorage.getItem(PERSON) || "null")?.id || "me";
  } catch {
    return "me";
  }
}

function pushSupported() {
  return (
    "serviceWorker" in navigator &&
    "PushManager" in window &&
    "Notification" in window &&
    window.isSecureContext
  );
}

function base64UrlBytes(text) {
  const padded = (text + "=".repeat((4 - (text.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

class PushRefused extends Error {}

/** Subscribe this browser to web push and hand the subscription to the server. */
async function subscribeThisBrowser() {
  if (!pushSupported()) throw new PushRefused("unsupported");
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new PushRefused("blocked");
  const { data: key } = await api("GET", "/api/v1/push/vapid-public-key");
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: base64UrlBytes(key.public_key),
    });
  }
  const json = subscription.toJSON();
  await api("POST", "/api/v1/me/push-subscriptions", { endpoint: json.endpoint, keys: json.keys });
}

async function choose(enabled, time) {
  const { data } = await api("PUT", "/api/v1/me/check-in", { enabled, time });
  latest = data;
  return data;
}

function problemOf(error) {
  if (error instanceof PushRefused) return t(error.message);
  if (error instanceof ApiError) return [error.problem.title, error.problem.detail].filter(Boolean).join(" ");
  return null;
}

// --- the home screen ---------------------------------------------------------------------------

function renderCard(view) {
  const card = $("check-in-card");
  card.hidden = !view.reporting_expected;
  if (!view.reporting_expected) return;
  $("check-in-last").textContent = view.last_received_at
    ? t("last_received", { when: formatDateTime(view.last_received_at) })
    : t("none_received");
  const when = formatDateTime(view.next_check_in_at);
  let next = t("next_due", { when });
  if (view.checked_in_today) next = t("done_today", { when });
  else if (view.overdue) next = t("overdue");
  $("check-in-next").textContent = next;
  $("check-in-reminder").textContent =
    view.enabled && view.push_subscribed ? t("reminder_on", { time: view.time }) : t("reminder_off");
}

function renderOffer(view) {
  const offered = localStorage.getItem(OFFERED) === personId();
  $("check-in-offer").hidden =
    !view.reporting_expected || offered || !pushSupported() || (view.chosen && view.push_subscribed);
}

async function refresh() {
  const { data } = await api("GET", "/api/v1/me/check-in");
  latest = data;
  renderCard(data);
  renderOffer(data);
  return data;
}

/** Send one fix now (the push was tapped) and say what became of it. */
async function confirmPresence() {
  const outcome = await checkIn();
  if (outcome.kind === "sent") announce(t("sent", { time: outcome.time }));
  else announce(t(outcome.kind));
  try {
    await refresh();
  } catch {
    // The card keeps what it showed; the message above said what happened.
  }
}

async function showHomeCard() {
  await refresh();
  if (checkInAsked) {
    checkInAsked = false;
    confirmPresence();
  }
}

// --- the reminder's screen -----------------------------------------------------------------------

async function showReminder() {
  const view = latest || (await api("GET", "/api/v1/me/check-in")).data;
  const form = $("form-reminder");
  clearErrors(form);
  form.elements.enabled.checked = view.enabled && view.push_subscribed;
  form.elements.time.value = view.time;
}

function readTime(form) {
  const value = form.elements.time.value;
  if (!/^\d\d:\d\d$/.test(value)) {
    showMessage(form, t("time_missing"));
    return null;
  }
  return value;
}

function setUpOffer(go) {
  const form = $("form-check-in-offer");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    const time = readTime(form);
    if (!time) return;
    whileBusy(form, async () => {
      try {
        await subscribeThisBrowser();
        await choose(true, time);
      } catch (error) {
        const problem = problemOf(error);
        if (!problem) throw error;
        showMessage(form, problem);
        return;
      }
      localStorage.setItem(OFFERED, personId());
      $("check-in-offer").hidden = true;
      renderCard(latest);
      announce(t("offer_yes", { time }));
    });
  });
  $("check-in-decline").addEventListener("click", async () => {
    localStorage.setItem(OFFERED, personId());
    $("check-in-offer").hidden = true;
    try {
      await choose(false, latest?.time || "20:00");
      renderCard(latest);
    } catch {
      // Not asked again on this phone; the choice can be made on "Evening reminder".
    }
    announce(t("offer_no"));
  });
  const settings = $("form-reminder");
  settings.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(settings);
    const time = readTime(settings);
    if (!time) return;
    const enabled = settings.elements.enabled.checked;
    whileBusy(settings, async () => {
      try {
        if (enabled) await subscribeThisBrowser();
        await choose(enabled, time);
      } catch (error) {
        const problem = problemOf(error);
        if (!problem) throw error;
        showMessage(settings, problem);
        return;
      }
      localStorage.setItem(OFFERED, personId());
      announce(t("saved"));
      go("home");
    });
  });
}

export const checkInScreens = { home: showHomeCard, reminder: showReminder };

function takeCheckInAddress() {
  if (location.hash !== "#check-in") return;
  checkInAsked = session.active();
  history.replaceState(null, "", "#home");
}

/** Call before the app routes: the address #check-in (the push's link) becomes #home plus
 * one fix sent at once. */
export function setUpCheckIn(go, announceText) {
  announce = announceText;
  takeCheckInAddress();
  window.addEventListener("hashchange", takeCheckInAddress);
  setUpOffer(go);
}
