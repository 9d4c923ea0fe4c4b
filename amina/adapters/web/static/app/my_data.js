// "My location data" (SPEC §6 "the person can see every report and summary", §10): a month
// calendar of the days covered (from the daily summaries), a picture and the list of a day's
// reports with their notes in words and the day each will be deleted, what the phone reported
// about itself, how long all this is kept, and the download of everything as one JSON file.

import { ApiError, api } from "./api.js";
import { drawPicture } from "./region_picture.js";
import { clockTime, moscowDay, number, say } from "./reporting_texts.js";
import { formatDate, formatDateTime, t } from "./strings.js";

const PAGE = 200;
const REGION_WORDS = { "RU-MOW": "in_moscow", "RU-MOS": "in_moscow_oblast" };
const FLAG_WORDS = [
  "future_time",
  "too_old",
  "low_accuracy",
  "impossible_speed",
  "mocked",
  "outside_region",
  "near_border",
  "far_from_address",
];

const view = {
  month: null, // "YYYY-MM"
  day: null, // "YYYY-MM-DD"
  summaries: new Map(),
  reporting: null,
  outline: null,
  reports: [],
  cursor: null,
  picture: null, // "overview" (Moscow and all the points) or "close"
};

const pad = (n) => String(n).padStart(2, "0");

function byId(id) {
  return document.getElementById(id);
}

function element(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

function monthOf(day) {
  return day.slice(0, 7);
}

function lastDayOf(month) {
  const [year, number_] = month.split("-").map(Number);
  return new Date(Date.UTC(year, number_, 0)).getUTCDate();
}

function shiftMonth(month, by) {
  const [year, number_] = month.split("-").map(Number);
  const moved = new Date(Date.UTC(year, number_ - 1 + by, 1));
  return `${moved.getUTCFullYear()}-${pad(moved.getUTCMonth() + 1)}`;
}

function monthName(month) {
  const [year, number_] = month.split("-").map(Number);
  const names = JSON.parse(byId("my-data-months").textContent);
  return `${names[number_ - 1]} ${year}`;
}

// --- the calendar ---------------------------------------------------------------------------

function coverage(summary) {
  if (!summary || !summary.reports) return "none";
  if (summary.any_near_address) return "near";
  if (summary.any_inside_region) return "inside";
  return "outside";
}

const SYMBOLS = { near: "⌂", inside: "●", outside: "▲", none: "" };

async function loadMonth(month) {
  const last = `${month}-${pad(lastDayOf(month))}`;
  const { data } = await api("GET", `/api/v1/me/summaries?from=${month}-01&to=${last}`);
  view.summaries = new Map(data.summaries.map((summary) => [summary.day, summary]));
  view.month = month;
}

function renderCalendar() {
  const today = moscowDay();
  byId("calendar-month").textContent = monthName(view.month);
  byId("calendar-next").disabled = view.month >= monthOf(today);
  const [year, month] = view.month.split("-").map(Number);
  const firstWeekday = (new Date(Date.UTC(year, month - 1, 1)).getUTCDay() + 6) % 7; // Monday 0
  const cells = [];
  for (let blank = 0; blank < firstWeekday; blank += 1) cells.push(element("td"));
  for (let day = 1; day <= lastDayOf(view.month); day += 1) {
    const iso = `${view.month}-${pad(day)}`;
    const kind = coverage(view.summaries.get(iso));
    const cell = element("td");
    const button = element("button", "app-day");
    button.type = "button";
    button.dataset.day = iso;
    button.dataset.coverage = kind;
    button.disabled = iso > today;
    button.setAttribute("aria-pressed", String(iso === view.day));
    if (iso === today) button.setAttribute("aria-current", "date");
    button.append(element("span", "app-day-number", String(day)));
    const symbol = element("span", "app-day-symbol", SYMBOLS[kind]);
    symbol.setAttribute("aria-hidden", "true");
    button.append(symbol);
    button.append(element("span", "visually-hidden", say(`coverage_${kind}`)));
    button.addEventListener("click", () => chooseDay(iso));
    cell.append(button);
    cells.push(cell);
  }
  while (cells.length % 7) cells.push(element("td"));
  const rows = [];
  for (let start = 0; start < cells.length; start += 7) {
    const row = element("tr");
    row.append(...cells.slice(start, start + 7));
    rows.push(row);
  }
  byId("calendar-days").replaceChildren(...rows);
}

async function showMonth(month) {
  await loadMonth(month);
  renderCalendar();
}

// --- the day --------------------------------------------------------------------------------

function distanceText(metres) {
  if (metres === null || metres === undefined) return null;
  if (metres < 1000) return say("metres_from_address", { metres: number(Math.round(metres)) });
  return say("km_from_address", { km: number(metres / 1000, 1) });
}

function reportItem(report) {
  const item = element("li", "card app-report");
  const when = new Date(report.device_time);
  const head = element("p", "app-report-head");
  const time = element("time", "app-report-time", clockTime(when));
  time.dateTime = report.device_time;
  const place = say(REGION_WORDS[report.region] || "outside_regions");
  head.append(time, " · ", element("span", "", place));
  item.append(head);
  const facts = [distanceText(report.distance_to_address_m)];
  facts.push(say("accuracy", { metres: number(Math.round(report.accuracy_m)) }));
  item.append(element("p", "muted", facts.filter(Boolean).join(" · ")));
  if (report.flags.length) {
    const notes = element("ul", "app-report-flags");
    for (const flag of report.flags) {
      const known = FLAG_WORDS.includes(flag);
      notes.append(element("li", "", known ? say(`flag_${flag}`) : flag));
    }
    item.append(notes);
  }
  const kept = say("kept_until", { date: formatDate(report.deleted_after) });
  item.append(element("p", "small muted", kept));
  return item;
}

function renderDayText() {
  const summary = view.summaries.get(view.day);
  byId("day-title").textContent = say("day_title", { date: formatDate(view.day) });
  const counts = summary
    ? say("day_counts", {
        count: number(summary.reports),
        inside: number(summary.inside_region),
        near: number(summary.near_address),
      })
    : say("coverage_none");
  byId("day-summary").textContent = counts;
  const list = byId("day-reports");
  list.replaceChildren(...view.reports.map(reportItem));
  const purged = Boolean(summary && summary.reports && !view.reports.length);
  byId("day-purged").hidden = !purged;
  byId("day-empty").hidden = Boolean(view.reports.length) || purged;
  byId("day-more").hidden = !view.cursor;
}

function renderPicture() {
  const svg = byId("day-picture");
  const zoom = byId("picture-zoom");
  const figure = svg.closest("figure");
  if (!view.outline) {
    figure.hidden = true;
    return;
  }
  figure.hidden = false;
  const mode = view.picture || "overview";
  zoom.textContent = say(mode === "close" ? "show_wider" : "show_close");
  zoom.dataset.mode = mode;
  const place = view.reporting?.registered_place || null;
  drawPicture(svg, {
    outline: view.outline,
    address: place,
    reports: view.reports,
    view: mode,
    label: (metres) =>
      metres >= 1000
        ? say("scale_km", { km: number(metres / 1000) })
        : say("scale_m", { metres: number(metres) }),
    title: say("picture_title", {
      date: formatDate(view.day),
      count: number(view.reports.length),
    }),
  });
}

async function loadDay(day, cursor = null) {
  const query = new URLSearchParams({ from: day, to: day, limit: String(PAGE) });
  if (cursor) query.set("cursor", cursor);
  const { data } = await api("GET", `/api/v1/me/reports?${query}`);
  view.reports = cursor ? [...view.reports, ...data.reports] : data.reports;
  view.cursor = data.next_cursor;
}

async function chooseDay(day) {
  view.day = day;
  view.picture = null;
  for (const button of document.querySelectorAll("#calendar-days .app-day")) {
    button.setAttribute("aria-pressed", String(button.dataset.day === day));
  }
  try {
    await loadDay(day);
  } catch (error) {
    showError(error);
    return;
  }
  renderDayText();
  renderPicture();
}

// --- what the phone said about itself ---------------------------------------------------------

function yesNo(value, yes = "on", no = "off") {
  if (value === true) return say(yes);
  if (value === false) return say(no);
  return say("unknown");
}

function statusItem(record) {
  const item = element("li", "card app-device-status");
  if (record.problem) item.classList.add("app-device-status--problem");
  const when = element("time", "app-report-time", formatDateTime(record.reported_at));
  when.dateTime = record.reported_at;
  const head = element("p", "app-report-head");
  head.append(when);
  item.append(head);
  const facts = element("dl", "dl");
  const rows = [
    [say("location_permission"), yesNo(record.location_permission, "allowed", "not_allowed")],
    [say("location_services"), yesNo(record.location_services)],
    [say("battery_saver"), yesNo(record.battery_saver)],
  ];
  // a release number ("0.1.0"), never a build's digest (phones before it sent one)
  if (/^\d+(\.\d+){1,3}$/.test(record.app_version || "")) {
    rows.push([say("app_version"), record.app_version]);
  }
  for (const [label, value] of rows) {
    facts.append(element("dt", "", label), element("dd", "", value));
  }
  item.append(facts);
  const kept = say("kept_until", { date: formatDate(record.deleted_after) });
  item.append(element("p", "small muted", kept));
  return item;
}

async function showDeviceStatus() {
  const { data } = await api("GET", "/api/v1/me/device-status?limit=20");
  byId("status-list").replaceChildren(...data.records.map(statusItem));
  byId("status-empty").hidden = data.records.length > 0;
}

// --- the download -----------------------------------------------------------------------------

function showError(error) {
  const box = byId("my-data-error");
  box.textContent =
    error instanceof ApiError ? error.problem.title || t("unexpected") : t("network");
}

async function download() {
  const button = byId("export-button");
  const done = byId("export-done");
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  done.textContent = "";
  byId("my-data-error").textContent = "";
  try {
    const { data } = await api("GET", "/api/v1/me/export");
    const name = `amina-my-data-${moscowDay()}.json`;
    const file = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
    const address = URL.createObjectURL(file);
    const link = element("a");
    link.href = address;
    link.download = name;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(address), 60_000);
    done.textContent = say("export_done", { file: name });
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

// --- the screen -------------------------------------------------------------------------------

let outlineLoading = null;

function loadOutline() {
  outlineLoading =
    outlineLoading ||
    api("GET", "/api/v1/regions/outline", undefined, { auth: false })
      .then(({ data }) => {
        view.outline = data;
      })
      .catch(() => {
        outlineLoading = null; // no picture this time; the lists still show
      });
  return outlineLoading;
}

/** Load and show the screen (app.js calls it when #my-data is opened). */
export async function showMyData() {
  byId("my-data-error").textContent = "";
  byId("export-done").textContent = "";
  const today = moscowDay();
  const [{ data: reporting }] = await Promise.all([
    api("GET", "/api/v1/me/reporting"),
    showMonth(view.month || monthOf(today)),
    loadOutline(),
    showDeviceStatus(),
  ]);
  view.reporting = reporting;
  byId("my-data-retention").textContent = reporting.retention_explanation;
  await chooseDay(view.day || today);
}

/** The screens of this module, for app.js: name → loader. */
export const myDataScreens = { "my-data": showMyData };

export function setUpMyData() {
  const move = (by) => () => showMonth(shiftMonth(view.month, by)).catch(showError);
  byId("calendar-prev").addEventListener("click", move(-1));
  byId("calendar-next").addEventListener("click", move(1));
  byId("picture-zoom").addEventListener("click", (event) => {
    view.picture = event.currentTarget.dataset.mode === "close" ? "overview" : "close";
    renderPicture();
  });
  byId("day-more").addEventListener("click", async () => {
    try {
      await loadDay(view.day, view.cursor);
    } catch (error) {
      showError(error);
      return;
    }
    renderDayText();
    renderPicture();
  });
  byId("export-button").addEventListener("click", download);
}

