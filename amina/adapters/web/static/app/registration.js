// Registration of the place of stay (API.md "The person's own data"): the card on the home
// screen, the current registration with its history and slips, and the form — a first
// registration, a change of address, or the answer "I moved" to a notice — with a review step.
// Every text comes from the page (templates/app/registration.html); the server's problems
// arrive translated and are shown next to their fields.

import { addressSearch } from "./address_search.js";
import { ApiError, api, idempotencyKey } from "./api.js";
import { clearErrors, showFieldErrors, showProblem, whileBusy } from "./forms.js";

/**
 * The texts of a feature's screens, rendered by the server into the JSON block `id` in the
 * person's language: `say("a.b", {name})` is the text at a.b with `{name}` filled in.
 */
export function textsFrom(id) {
  const block = document.getElementById(id);
  const texts = block ? JSON.parse(block.textContent) : {};
  return (key, params = {}) => {
    const text = key.split(".").reduce((node, part) => (node ? node[part] : undefined), texts);
    if (typeof text !== "string") return key;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  };
}

const t = textsFrom("app-strings-registration");

// Dates are written by strings.js from the language's CLDR pattern and month names (rendered by
// the server into this feature's block); the names below are kept for this module's importers.
import { formatDate as calendarDate, formatDateTime as momentText } from "./strings.js";

export { calendarDate, momentText };

/** A notice answered by moving: the form sends the new address there (survives a reload). */
const ANSWERING_NOTICE = "amina.answering_notice";
/** The usual place at night the person said "no" to (not asked again for that registration). */
const NIGHT_DECLINED = "amina.night_place_declined";
const HOLDS_THE_PLACE = new Set(["active", "confirmation_requested"]);
const BADGES = {
  active: "badge--success",
  confirmation_requested: "badge--warning",
  deregistered: "badge--error",
  closed: "badge--neutral",
  none: "badge--neutral",
};
/** How an address reads on the slip and the host's check: Russian words, whatever the language. */
const REGION_ON_DOCUMENTS = { "RU-MOW": "Москва", "RU-MOS": "Московская область" };
const MOSCOW_NAMES = new Set(["москва", "г. москва", "г.москва"]);

const $ = (id) => document.getElementById(id);

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Today in Moscow, as YYYY-MM-DD (stays are Moscow calendar days). */
export function moscowToday() {
  return new Intl.DateTimeFormat("en-CA", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    timeZone: "Europe/Moscow",
  }).format(new Date());
}

function addressLine(address) {
  if (address.text) return address.text;
  const parts = [REGION_ON_DOCUMENTS[address.region] || address.region];
  const settlement = (address.settlement || "").trim();
  if (settlement && !MOSCOW_NAMES.has(settlement.toLowerCase())) parts.push(settlement);
  parts.push(address.street.trim(), `д. ${address.house.trim()}`);
  if (address.building) parts.push(`корп. ${address.building.trim()}`);
  if (address.flat) parts.push(`кв. ${address.flat.trim()}`);
  return parts.filter(Boolean).join(", ");
}

/** The host as two lines: the name, then who they are and their identifier. */
function showHost(target, host) {
  const details = [t(`host_kind.${host.kind}`)];
  if (host.kind === "organisation" && host.inn) details.push(t("host_inn", { inn: host.inn }));
  if (host.kind === "person" && host.document) {
    details.push(t("host_document", { document: host.document }));
  }
  target.replaceChildren(
    element("span", "reg-host-name", host.name),
    element("span", "reg-host-details muted", details.join(" · ")),
  );
}

function stayLine(from, to) {
  return t("stay", { start: calendarDate(from), end: calendarDate(to) });
}

function setStatus(badge, status) {
  badge.textContent = t(`status.${status}`);
  badge.dataset.status = status;
  badge.className = `badge app-status ${BADGES[status] || ""}`;
}

/** The person's registrations, newest first; the one that holds the place, if any. */
async function registrations() {
  const { data } = await api("GET", "/api/v1/me/registrations");
  const list = data || [];
  return { list, current: list.find((r) => HOLDS_THE_PLACE.has(r.status)) || null };
}

// --- home ------------------------------------------------------------------------------------

export async function showRegistrationCard() {
  const card = $("home-registration");
  const { list, current } = await registrations();
  const shown = current || list[0] || null;
  setStatus($("home-registration-status"), shown ? shown.status : "none");
  $("home-registration-address").textContent = shown ? shown.address.text : "";
  $("home-registration-address").hidden = !shown;
  $("home-register").hidden = Boolean(current);
  $("home-registration-open").hidden = !shown;
  card.hidden = false;
}

// --- the current registration ----------------------------------------------------------------

function eventReason(event) {
  if (!event.reason) return "";
  const known = t(`reason.${event.reason}`);
  if (known !== `reason.${event.reason}`) return known;
  // A staff member's written reason, as written; the system's own notes are not for reading.
  return event.actor.kind === "staff" ? t("reason_written", { reason: event.reason }) : "";
}

function renderEvents(events) {
  const template = $("registration-event");
  // Newest first, as every list in the app.
  const items = [...events].reverse().map((event) => {
    const item = template.content.firstElementChild.cloneNode(true);
    const when = item.querySelector("time");
    when.dateTime = event.at;
    when.textContent = momentText(event.at);
    const what = t(`event.${event.kind}`);
    const staff = event.actor.kind === "staff" && event.actor.id
      ? ` · ${t("by_staff", { id: event.actor.id })}`
      : "";
    item.querySelector(".reg-event-what").textContent = what + staff;
    const why = item.querySelector(".reg-event-why");
    why.textContent = eventReason(event);
    why.hidden = !why.textContent;
    item.dataset.kind = event.kind;
    return item;
  });
  $("registration-events").replaceChildren(...items);
}

function renderEarlier(earlier) {
  $("registration-earlier").hidden = earlier.length === 0;
  $("registration-earlier-list").replaceChildren(
    ...earlier.map((registration) => {
      const item = element("li", "card reg-earlier-item");
      const badge = element("span", "badge app-status");
      setStatus(badge, registration.status);
      item.append(element("p", null), element("p", "reg-earlier-address"), element("p", "muted"));
      item.children[0].append(badge);
      item.children[1].textContent = registration.address.text;
      item.children[1].lang = "ru";
      item.children[2].textContent = stayLine(registration.stay_from, registration.stay_to);
      return item;
    }),
  );
}

let shownRegistration = null;

export async function showRegistration() {
  const { list, current } = await registrations();
  const shown = current || list[0] || null;
  shownRegistration = shown;
  $("registration-none").hidden = Boolean(shown);
  $("registration-shown").hidden = !shown;
  if (!shown) return;
  const holds = HOLDS_THE_PLACE.has(shown.status);
  setStatus($("registration-status"), shown.status);
  $("registration-confirm").hidden = shown.status !== "confirmation_requested";
  $("registration-ended").hidden = holds;
  $("registration-slip").hidden = !holds;
  $("registration-change").hidden = !holds;
  $("registration-again").hidden = holds;
  $("registration-code").textContent = shown.slip_code;
  const verifyPage = `${new URL(shown.verify_url, location.href).origin}/verify`;
  $("registration-verify-hint").textContent = t("verify_hint", { address: verifyPage });
  $("slip-error").textContent = "";
  $("registration-number").textContent = shown.number;
  $("registration-address").textContent = shown.address.text;
  const located = shown.address.lat != null && shown.address.lon != null;
  $("registration-location").textContent = t(located ? "location_known" : "location_unknown");
  showHost($("registration-host"), shown.host);
  $("registration-stay").textContent = stayLine(shown.stay_from, shown.stay_to);
  $("registration-purpose").textContent = t(`purpose.${shown.purpose}`);
  $("registration-children").textContent = shown.dependants.length
    ? shown.dependants.map((child) => child.name).join(", ")
    : t("no_children");
  $("registration-near-border").hidden = !shown.near_border;
  $("registration-near-border").textContent = shown.near_border ? t("near_border") : "";
  renderEvents(shown.events);
  renderEarlier(list.filter((registration) => registration.id !== shown.id));
  await offerLocation(holds && !located ? shown : null);
}

// --- the building's location, added later with the person's consent (issue 13) ---------------

/** Show the "where is the building?" card for `registration` (null: hide it). */
async function offerLocation(registration) {
  const card = $("registration-locate");
  card.hidden = !registration;
  $("registration-locate-status").textContent = "";
  $("registration-night").hidden = true;
  if (!registration) return;
  if (localStorage.getItem(NIGHT_DECLINED) === registration.id) return;
  try {
    const { data } = await api("GET", "/api/v1/me/registrations/current/night-place");
    const suggestion = data.suggestion;
    if (suggestion && suggestion.registration_id === registration.id) {
      $("registration-night-text").textContent = t("night_question", { nights: suggestion.nights });
      $("registration-night").hidden = false;
    }
  } catch {
    // the question is a convenience: without an answer the card still offers "I am here"
  }
}

async function sendLocation(body, done) {
  const registration = shownRegistration;
  if (!registration) return;
  const status = $("registration-locate-status");
  try {
    await api(
      "POST",
      `/api/v1/me/registrations/${encodeURIComponent(registration.id)}/location`,
      body,
    );
  } catch (error) {
    status.textContent =
      error instanceof ApiError && error.problem.title
        ? [error.problem.title, error.problem.detail].filter(Boolean).join(". ")
        : t("download_failed");
    return;
  }
  await showRegistration();
  // the card is gone (the building is located now): say so where the location is shown
  $("registration-location").textContent = t(done);
}

function setUpLocationCard() {
  const here = $("registration-here");
  here.addEventListener("click", async () => {
    const status = $("registration-locate-status");
    status.textContent = t("locating");
    here.disabled = true;
    try {
      const fix = await currentFix();
      await sendLocation(
        { source: "at_address", lat: fix.coords.latitude, lon: fix.coords.longitude },
        "here_saved",
      );
    } catch (error) {
      status.textContent = locationProblem(error);
    } finally {
      here.disabled = false;
    }
  });
  $("registration-night-yes").addEventListener("click", () =>
    sendLocation({ source: "night_place" }, "night_saved"),
  );
  $("registration-night-no").addEventListener("click", () => {
    if (shownRegistration) localStorage.setItem(NIGHT_DECLINED, shownRegistration.id);
    $("registration-night").hidden = true;
  });
}

function filenameOf(response, fallback) {
  const disposition = response.headers.get("Content-Disposition") || "";
  const found = /filename="?([^";]+)"?/.exec(disposition);
  return found ? found[1] : fallback;
}

async function downloadSlip(button) {
  const registration = shownRegistration;
  if (!registration) return;
  const format = button.dataset.format;
  $("slip-error").textContent = "";
  button.disabled = true;
  try {
    const { response } = await api(
      "GET",
      `/api/v1/me/registrations/${encodeURIComponent(registration.id)}/slip.pdf?format=${format}`,
      undefined,
      { headers: { Accept: "application/pdf" } },
    );
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const link = element("a");
    link.href = url;
    link.download = filenameOf(response, `${registration.number}-${format}.pdf`);
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (error) {
    $("slip-error").textContent =
      error instanceof ApiError && error.problem.title ? error.problem.title : t("download_failed");
  } finally {
    button.disabled = false;
  }
}

// --- the form ----------------------------------------------------------------------------------

let draft = null; // {body, key, target, replaces}
let cardValidTo = null;
/** The phone's position, when the person said "I am at this address now": {lat, lon, accuracy}. */
let here = null;
/** The address search of the form (address_search.js). */
let search = null;

/** Where the new address goes: a plain registration, or the answer to a notice. */
function answeringNotice() {
  return sessionStorage.getItem(ANSWERING_NOTICE);
}

/** Open the form to answer notice `noticeId` with a new address ("I moved"). */
export function moveInAnswerTo(noticeId, go) {
  sessionStorage.setItem(ANSWERING_NOTICE, noticeId);
  go("register");
}

function control(form, name) {
  return form.elements.namedItem(name);
}

function value(form, name) {
  const found = control(form, name);
  if (!found) return "";
  if (found instanceof RadioNodeList) return found.value;
  return found.value.trim();
}

function setValue(form, name, text) {
  const found = control(form, name);
  if (found) found.value = text ?? "";
}

function showHostFields(form) {
  const kind = value(form, "host.kind");
  $("reg-host-person").hidden = kind === "organisation";
  $("reg-host-organisation").hidden = kind !== "organisation";
}

function renderChildren(children, ticked) {
  const list = $("reg-children-list");
  list.replaceChildren(
    ...children.map((child) => {
      const label = element("label", "checkbox");
      const box = element("input");
      box.type = "checkbox";
      box.name = "dependants";
      box.value = child.id;
      box.checked = ticked.has(child.id);
      label.append(box, ` ${child.given_names_lat} ${child.surname_lat}`);
      if (child.given_names_cyr || child.surname_cyr) {
        const cyrillic = element("span", "muted", ` (${child.given_names_cyr || ""} ${child.surname_cyr || ""})`.replace(/\s+\)/, ")"));
        label.append(cyrillic);
      }
      return label;
    }),
  );
  $("reg-children").hidden = children.length === 0;
}

function fill(form, registration) {
  const { address, host } = registration;
  for (const radio of form.querySelectorAll('[name="address.region"]')) {
    radio.checked = radio.value === address.region;
  }
  for (const name of ["settlement", "street", "house", "building", "flat"]) {
    setValue(form, `address.${name}`, address[name]);
  }
  for (const radio of form.querySelectorAll('[name="host.kind"]')) {
    radio.checked = radio.value === host.kind;
  }
  setValue(form, "host.name", host.name);
  setValue(form, "host.document", host.document);
  setValue(form, "host.inn", host.inn);
  setValue(form, "stay_to", registration.stay_to);
  setValue(form, "purpose", registration.purpose);
}

function showStep(step) {
  $("register-edit").hidden = step !== "edit";
  $("register-review").hidden = step !== "review";
  const heading = step === "edit" ? $("register-title") : $("review-title");
  heading.focus();
  window.scrollTo(0, 0);
}

export async function showRegisterForm() {
  const form = $("form-register");
  const [{ current }, { data: me }, { data: family }] = await Promise.all([
    registrations(),
    api("GET", "/api/v1/me"),
    api("GET", "/api/v1/me/dependants"),
  ]);
  const notice = answeringNotice();
  const mode = notice ? "notice" : current ? "change" : "new";
  form.reset();
  clearErrors(form);
  clearErrors($("form-review"));
  $("reg-locate-status").textContent = "";
  forgetHere();
  if (search) search.reset();
  setValue(form, "address.fias_id", "");
  draft = null;
  $("register-title").textContent = t(`title_${mode}`);
  $("register-intro").textContent = t(`intro_${mode}`);
  $("review-replaces").hidden = !current;
  cardValidTo = me.card.valid_to;
  $("reg-card-validity").textContent = t("card_valid", { date: calendarDate(cardValidTo) });
  for (const name of ["stay_from", "stay_to"]) {
    control(form, name).max = cardValidTo;
  }
  const ticked = new Set();
  if (current) {
    // The same form, filled in from the registration it replaces; the register's id and the
    // coordinates are not carried over: they must be those of the new address.
    fill(form, current);
    for (const child of current.dependants) ticked.add(child.id);
  }
  setValue(form, "stay_from", moscowToday());
  renderChildren(family.dependants || [], ticked);
  showHostFields(form);
  $("register-edit").hidden = false;
  $("register-review").hidden = true;
}

/** The form as the API's body, or the list of [field, message] to correct first. */
function readForm(form) {
  const errors = [];
  const required = (name) => {
    const text = value(form, name);
    if (!text) errors.push([name, t("missing")]);
    return text;
  };
  const region = value(form, "address.region");
  if (!region) errors.push(["address.region", t("region_missing")]);
  const settlement = required("address.settlement");
  const street = required("address.street");
  const house = required("address.house");
  const kind = value(form, "host.kind");
  if (!kind) errors.push(["host.kind", t("host_kind_missing")]);
  const name = required("host.name");
  const documentNumber = value(form, "host.document");
  const inn = value(form, "host.inn").replace(/\s+/g, "");
  if (kind === "person" && !documentNumber) errors.push(["host.document", t("document_missing")]);
  if (kind === "organisation" && !inn) errors.push(["host.inn", t("inn_missing")]);
  const stayFrom = value(form, "stay_from");
  const stayTo = value(form, "stay_to");
  if (!stayFrom) errors.push(["stay_from", t("date_missing")]);
  if (!stayTo) errors.push(["stay_to", t("date_missing")]);
  if (stayFrom && stayTo && stayTo < stayFrom) errors.push(["stay_to", t("stay_order")]);
  else if (stayTo && cardValidTo && stayTo > cardValidTo) {
    errors.push(["stay_to", t("stay_beyond_card", { date: calendarDate(cardValidTo) })]);
  }
  const purpose = value(form, "purpose");
  if (!purpose) errors.push(["purpose", t("purpose_missing")]);
  const dependants = [...form.querySelectorAll('[name="dependants"]:checked')].map((box) => box.value);
  const body = {
    address: {
      region,
      settlement,
      street,
      house,
      building: value(form, "address.building") || null,
      flat: value(form, "address.flat") || null,
      fias_id: value(form, "address.fias_id") || null,
      // only with the person's "I am at this address now"
      lat: here ? here.lat : null,
      lon: here ? here.lon : null,
    },
    host: {
      kind,
      name,
      document: kind === "person" ? documentNumber : null,
      inn: kind === "organisation" ? inn : null,
    },
    stay_from: stayFrom,
    stay_to: stayTo,
    purpose,
    dependants,
  };
  return { body, errors };
}

function renderReview(body, children) {
  $("review-address").textContent = addressLine(body.address);
  // In words, never as numbers (issue 13).
  $("review-register").textContent = t(body.address.fias_id ? "from_register" : "typed_address");
  $("review-location").textContent = here
    ? t("location_given", { metres: Math.round(here.accuracy) })
    : t("location_not_given");
  showHost($("review-host"), body.host);
  $("review-stay").textContent = stayLine(body.stay_from, body.stay_to);
  $("review-purpose").textContent = t(`purpose.${body.purpose}`);
  $("review-children").textContent = children.length ? children.join(", ") : t("no_children");
}

/** Where the server's field errors belong: all of them are on the form, not on the review. */
function backToFormWith(error) {
  showStep("edit");
  showProblem($("form-register"), error);
}

function forgetHere() {
  here = null;
  $("reg-locate-forget").hidden = true;
  $("reg-locate-status").textContent = "";
}

/** "I am at this address now — use my location": asked only when the person taps it. */
function setUpLocate() {
  const button = $("reg-locate");
  const status = $("reg-locate-status");
  button.addEventListener("click", async () => {
    status.textContent = t("locating");
    button.disabled = true;
    try {
      const fix = await currentFix();
      here = {
        lat: Number(fix.coords.latitude.toFixed(6)),
        lon: Number(fix.coords.longitude.toFixed(6)),
        accuracy: fix.coords.accuracy,
      };
      status.textContent = t("located", { metres: Math.round(fix.coords.accuracy) });
      $("reg-locate-forget").hidden = false;
    } catch (error) {
      here = null;
      status.textContent = locationProblem(error);
    } finally {
      button.disabled = false;
    }
  });
  $("reg-locate-forget").addEventListener("click", forgetHere);
}

/** The address search fills the address fields; editing them afterwards unlinks the register. */
function setUpAddressSearch(form) {
  const fields = ["settlement", "street", "house", "building"].map((name) =>
    control(form, `address.${name}`),
  );
  search = addressSearch({
    input: $("reg-address-search"),
    list: $("reg-address-options"),
    status: $("reg-address-search-status"),
    say: t,
    choose(suggestion) {
      for (const radio of form.querySelectorAll('[name="address.region"]')) {
        radio.checked = radio.value === suggestion.region;
      }
      setValue(form, "address.settlement", suggestion.settlement);
      setValue(form, "address.street", suggestion.street);
      setValue(form, "address.house", suggestion.house || "");
      setValue(form, "address.building", suggestion.building || "");
      setValue(form, "address.fias_id", suggestion.kind === "house" ? suggestion.gar_id : "");
    },
  });
  for (const field of fields) {
    field.addEventListener("input", () => setValue(form, "address.fias_id", ""));
  }
  for (const radio of form.querySelectorAll('[name="address.region"]')) {
    radio.addEventListener("change", () => setValue(form, "address.fias_id", ""));
  }
}

/** A fresh position from the phone (Geolocation API), or a rejection with its error. */
export function currentFix() {
  return new Promise((resolve, reject) => {
    if (!("geolocation" in navigator)) {
      reject(Object.assign(new Error("unsupported"), { code: "unsupported" }));
      return;
    }
    navigator.geolocation.getCurrentPosition(resolve, reject, {
      enableHighAccuracy: true,
      timeout: 30_000,
      maximumAge: 0,
    });
  });
}

/** What to tell the person when the phone would not give a position. */
export function locationProblem(error) {
  if (error && error.code === "unsupported") return t("location_unsupported");
  if (error && error.code === 1) return t("location_denied"); // PERMISSION_DENIED
  return t("location_failed");
}

export function setUpRegistration(go, announce) {
  const form = $("form-register");
  const review = $("form-review");
  for (const radio of form.querySelectorAll('[name="host.kind"]')) {
    radio.addEventListener("change", () => showHostFields(form));
  }
  setUpLocate();
  setUpAddressSearch(form);
  setUpLocationCard();

  // Every other way into the form is a plain registration or change, not an answer to a notice.
  for (const link of document.querySelectorAll('a[href="#register"]')) {
    link.addEventListener("click", () => sessionStorage.removeItem(ANSWERING_NOTICE));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const { body, errors } = readForm(form);
    if (showFieldErrors(form, errors)) return;
    const children = [...form.querySelectorAll('[name="dependants"]:checked')].map((box) =>
      box.parentElement.textContent.trim(),
    );
    const notice = answeringNotice();
    draft = {
      body,
      // One key per submission: sending the same details again (a retry after a lost answer)
      // cannot register twice; changed details are a new submission.
      key: idempotencyKey(),
      path: notice
        ? `/api/v1/me/notices/${encodeURIComponent(notice)}/change-address`
        : "/api/v1/me/registrations",
      notice,
      replaces: !$("review-replaces").hidden,
    };
    renderReview(body, children);
    clearErrors(review);
    showStep("review");
  });

  $("review-back").addEventListener("click", () => {
    draft = null;
    showStep("edit");
  });

  review.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!draft) {
      showStep("edit");
      return;
    }
    const sending = draft;
    whileBusy(review, async () => {
      try {
        await api("POST", sending.path, sending.body, {
          headers: { "Idempotency-Key": sending.key },
        });
      } catch (error) {
        if (error instanceof ApiError && error.status === 422) backToFormWith(error);
        else showProblem(review, error);
        return;
      }
      draft = null;
      sessionStorage.removeItem(ANSWERING_NOTICE);
      go("registration");
      announce(
        t(
          sending.notice
            ? "notice_answered"
            : sending.replaces
              ? "changed"
              : "registered",
        ),
      );
    });
  });

  for (const button of [$("slip-a4"), $("slip-phone")]) {
    button.addEventListener("click", () => downloadSlip(button));
  }
}

export const registrationScreens = {
  home: showRegistrationCard,
  registration: showRegistration,
  register: showRegisterForm,
};
