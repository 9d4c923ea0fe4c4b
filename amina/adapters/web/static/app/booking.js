// Visits to the migration centre (API.md "Patent payment and appointments"): the home card (and
// the offer of a card-replacement visit after a passport sign-in), the list of visits, booking
// (service → day → time; the time is held while the person confirms), the ticket with its QR and
// PDF, moving and cancelling. Service names and documents come from the server in the person's
// language; the rest from the page (templates/app/booking.html).

import { ApiError, api, idempotencyKey } from "./api.js";
import { calendarDate, textsFrom } from "./registration.js";

const t = textsFrom("app-strings-booking");
const $ = (id) => document.getElementById(id);
const OPEN = "amina.booking";
const MOVING = "amina.booking_moving";
const WANTED = "amina.booking_service";
const ACTIVE = new Set(["held", "confirmed", "checked_in"]);
const BADGES = { confirmed: "badge--success", held: "badge--warning", checked_in: "badge--info" };

let go = () => {};
let announce = () => {};
let services = [];
let held = null;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function when(booking) {
  return t("when", { day: calendarDate(booking.day), time: booking.time });
}

function problemText(error) {
  return error instanceof ApiError && error.problem.title
    ? [error.problem.title, error.problem.detail].filter(Boolean).join(" ")
    : t("download_failed");
}

function write(method, path, body) {
  return api(method, path, body, { headers: { "Idempotency-Key": idempotencyKey() } });
}

// --- home ------------------------------------------------------------------------------------

export async function showBookingCard() {
  const [{ data: bookings }, { data: suggested }] = await Promise.all([
    api("GET", "/api/v1/me/bookings"),
    api("GET", "/api/v1/me/bookings/suggested"),
  ]);
  const next = bookings.find((booking) => ACTIVE.has(booking.status));
  $("home-booking-next").textContent = next
    ? t("next_visit", { service: next.service_name, day: calendarDate(next.day), time: next.time })
    : t("no_visit");
  $("home-booking-lost").hidden = !suggested.some((s) => s.service === "card_replacement");
  $("home-booking").hidden = false;
}

// --- the list --------------------------------------------------------------------------------

async function showBookings() {
  const { data: bookings } = await api("GET", "/api/v1/me/bookings");
  $("booking-list").replaceChildren(
    ...bookings.map((booking) => {
      const item = element("li", "card booking-item");
      const badge = element("span", `badge app-status ${BADGES[booking.status] || "badge--neutral"}`);
      badge.textContent = t(`status.${booking.status}`);
      badge.dataset.status = booking.status;
      const link = element("a", "booking-open", booking.service_name);
      link.href = "#booking-ticket";
      link.addEventListener("click", () => sessionStorage.setItem(OPEN, booking.id));
      item.append(element("p", null), element("p", null), element("p", "muted", when(booking)));
      item.children[0].append(badge);
      item.children[1].append(link);
      if (booking.status === "closed_by_centre" || booking.status === "expired") {
        // the centre closed the day (or the hold ran out): offer the free times of the service
        const again = element("a", "button button--secondary booking-rebook", t("rebook"));
        again.href = "#booking-new";
        again.addEventListener("click", () => {
          sessionStorage.removeItem(MOVING);
          sessionStorage.setItem(WANTED, booking.service);
        });
        item.append(again);
      }
      return item;
    }),
  );
  $("booking-empty").hidden = bookings.length > 0;
}

// --- booking ---------------------------------------------------------------------------------

function fillDocuments(list, documents) {
  list.replaceChildren(...documents.map((document_) => element("li", null, document_)));
}

function chosenService() {
  return services.find((s) => s.code === $("booking-service").value) || services[0];
}

// The newest choice of service or day: answers to older choices are dropped, and the times
// shown are cleared at once, so that a time of the previous service can never be tapped.
let choice = 0;

async function loadTimes(mine = ++choice) {
  const service = chosenService();
  const day = $("booking-day").value;
  const box = $("booking-times");
  box.replaceChildren();
  const { data: slots } = await api(
    "GET",
    `/api/v1/booking/slots?service=${encodeURIComponent(service.code)}&from=${day}&to=${day}`,
    undefined,
    { auth: false },
  );
  if (mine !== choice) return;
  box.replaceChildren(
    ...slots.map((slot) => {
      const button = element("button", "button button--secondary booking-time", slot.time);
      button.type = "button";
      button.dataset.slot = slot.id;
      button.title = t("free", { count: slot.free });
      button.addEventListener("click", () => choose(slot));
      return button;
    }),
  );
  $("booking-no-times").hidden = slots.length > 0;
  $("booking-no-times").textContent = t("no_times");
}

async function loadDays() {
  const mine = ++choice;
  const service = chosenService();
  $("booking-times").replaceChildren();
  $("booking-duration").textContent = `${service.duration_minutes} min`;
  fillDocuments($("booking-documents"), service.documents);
  const { data: slots } = await api(
    "GET",
    `/api/v1/booking/slots?service=${encodeURIComponent(service.code)}`,
    undefined,
    { auth: false },
  );
  if (mine !== choice) return;
  const days = [...new Set(slots.map((slot) => slot.day))];
  const select = $("booking-day");
  select.replaceChildren(
    ...days.map((day) => {
      const option = element("option", null, calendarDate(day));
      option.value = day;
      return option;
    }),
  );
  await loadTimes(mine);
}

async function choose(slot) {
  $("booking-error").textContent = "";
  const moving = sessionStorage.getItem(MOVING);
  try {
    if (moving) {
      await write("POST", `/api/v1/me/bookings/${encodeURIComponent(moving)}/reschedule`, {
        slot_id: slot.id,
      });
      sessionStorage.removeItem(MOVING);
      sessionStorage.setItem(OPEN, moving);
      announce(t("moved"));
      go("booking-ticket");
      return;
    }
    const { data: booking } = await write("POST", "/api/v1/me/bookings", {
      service: chosenService().code,
      slot_id: slot.id,
      hold: true,
    });
    held = booking;
    const until = new Date(booking.hold_expires_at);
    const time = until.toLocaleTimeString("ru-RU", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Moscow" });
    $("booking-hold-text").textContent = `${booking.service_name}: ${when(booking)}. ${t("held_until", { time })}`;
    $("booking-hold").hidden = false;
    $("booking-confirm").focus();
  } catch (error) {
    $("booking-error").textContent = problemText(error);
    await loadTimes();
  }
}

async function confirmHeld() {
  if (!held) return;
  try {
    await write("POST", `/api/v1/me/bookings/${encodeURIComponent(held.id)}/confirm`);
    sessionStorage.setItem(OPEN, held.id);
    held = null;
    $("booking-hold").hidden = true;
    announce(t("booked"));
    go("booking-ticket");
  } catch (error) {
    $("booking-error").textContent = problemText(error);
  }
}

async function showBookingForm() {
  held = null;
  $("booking-hold").hidden = true;
  $("booking-error").textContent = "";
  const { data } = await api("GET", "/api/v1/booking/services", undefined, { auth: false });
  const { data: suggested } = await api("GET", "/api/v1/me/bookings/suggested");
  const lost = suggested.some((s) => s.service === "card_replacement");
  services = data.filter((s) => s.who_may_book === "anyone" || lost);
  const moving = sessionStorage.getItem(MOVING);
  const select = $("booking-service");
  select.replaceChildren(
    ...services.map((service) => {
      const option = element("option", null, service.name);
      option.value = service.code;
      return option;
    }),
  );
  const wanted = sessionStorage.getItem(WANTED) || (lost ? "card_replacement" : null);
  if (wanted && services.some((s) => s.code === wanted)) select.value = wanted;
  select.disabled = Boolean(moving);
  await loadDays();
}

// --- the ticket ------------------------------------------------------------------------------

let shown = null;

async function showTicket() {
  const id = sessionStorage.getItem(OPEN);
  const { data: bookings } = await api("GET", "/api/v1/me/bookings");
  shown = bookings.find((booking) => booking.id === id) || bookings[0] || null;
  if (!shown) {
    go("booking");
    return;
  }
  $("ticket-error").textContent = "";
  const badge = $("ticket-status");
  badge.textContent = t(`status.${shown.status}`);
  badge.dataset.status = shown.status;
  badge.className = `badge app-status ${BADGES[shown.status] || "badge--neutral"}`;
  $("ticket-qr").innerHTML = shown.qr_svg; // generated by the server (segno), no user text
  $("ticket-code").textContent = shown.code;
  $("ticket-service").textContent = shown.service_name;
  $("ticket-when").textContent = when(shown);
  $("ticket-address").textContent = `${shown.centre}: ${shown.address}`;
  fillDocuments($("ticket-documents"), shown.documents);
  $("ticket-actions").hidden = !["held", "confirmed"].includes(shown.status);
}

async function downloadTicket() {
  if (!shown) return;
  try {
    const { response } = await api("GET", shown.ticket_url, undefined, {
      headers: { Accept: "application/pdf" },
    });
    const url = URL.createObjectURL(await response.blob());
    const link = element("a");
    link.href = url;
    link.download = `ticket-${shown.code}.pdf`;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (error) {
    $("ticket-error").textContent = problemText(error);
  }
}

async function cancelShown() {
  if (!shown) return;
  try {
    await write("POST", `/api/v1/me/bookings/${encodeURIComponent(shown.id)}/cancel`);
    announce(t("cancelled"));
    await showTicket();
  } catch (error) {
    $("ticket-error").textContent = problemText(error);
  }
}

export function setUpBooking(goTo, tell) {
  go = goTo;
  announce = tell;
  $("booking-service").addEventListener("change", () => loadDays().catch(() => {}));
  $("booking-day").addEventListener("change", () => loadTimes().catch(() => {}));
  $("booking-confirm").addEventListener("click", confirmHeld);
  $("ticket-pdf").addEventListener("click", downloadTicket);
  $("ticket-cancel").addEventListener("click", cancelShown);
  $("ticket-move").addEventListener("click", () => {
    if (!shown) return;
    sessionStorage.setItem(MOVING, shown.id);
    sessionStorage.setItem(WANTED, shown.service);
    go("booking-new");
  });
  $("booking-add").addEventListener("click", () => {
    sessionStorage.removeItem(MOVING);
    sessionStorage.removeItem(WANTED);
  });
  $("home-booking-replace").addEventListener("click", () => {
    sessionStorage.removeItem(MOVING);
    sessionStorage.setItem(WANTED, "card_replacement");
  });
}

export const bookingScreens = {
  home: showBookingCard,
  booking: showBookings,
  "booking-new": showBookingForm,
  "booking-ticket": showTicket,
};
