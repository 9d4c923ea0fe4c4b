// Notices and decisions (API.md "The person's own data"): the card on the home screen, the
// inbox (newest first, unread marked), a notice with its deadline and the two answers — confirm
// with a fresh location, or a new address — and a decision with its reason and the objection
// form. The notices', messages' and decisions' words come from the server in the person's
// language; the rest comes from the page (templates/app/notices.html).

import { ApiError, api, idempotencyKey } from "./api.js";
import { clearErrors, showFieldErrors, showProblem, whileBusy } from "./forms.js";
import {
  calendarDate,
  currentFix,
  locationProblem,
  momentText,
  moveInAnswerTo,
  textsFrom,
} from "./registration.js";

const t = textsFrom("app-strings-notices");

/** The notice and the decision last opened (so that a reload shows the same one). */
const OPEN_NOTICE = "amina.notice";
const OPEN_DECISION = "amina.decision";
/** A confirmation's location report, kept until the answer is in: a retry re-sends it as is. */
const CONFIRMATION = "amina.confirmation";

const NOTICE_KINDS = new Set(["notice", "notice_resolved", "notice_confirmed", "address_changed"]);
const DECISION_KINDS = new Set(["decision"]);
const OBJECTION_KINDS = new Set(["objection_received", "objection_decided"]);
const NOTICE_BADGES = {
  open: "badge--warning",
  answered: "badge--success",
  resolved: "badge--success",
  expired: "badge--error",
};
const OBJECTION_BADGES = { with_supervisor: "badge--info", uphold: "badge--error", overturn: "badge--success" };

const $ = (id) => document.getElementById(id);

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function openNoticeLink(notice) {
  const link = element("a", "notices-due-link");
  link.href = "#notice";
  link.dataset.notice = notice.id;
  return link;
}

// --- home ------------------------------------------------------------------------------------

export async function showInboxCard() {
  const [{ data: messages }, { data: notices }] = await Promise.all([
    api("GET", "/api/v1/me/inbox"),
    api("GET", "/api/v1/me/notices"),
  ]);
  const unread = messages.filter((message) => !message.read_at).length;
  $("home-inbox-unread").textContent = unread ? t("unread", { count: unread }) : t("all_read");
  const due = notices.find((notice) => notice.status === "open");
  $("home-inbox-due").hidden = !due;
  if (due) {
    const link = openNoticeLink(due);
    link.textContent = t("answer_by", { date: calendarDate(due.deadline) });
    $("home-inbox-deadline").replaceChildren(link);
  }
  $("home-inbox").hidden = false;
}

// --- inbox -----------------------------------------------------------------------------------

async function markRead(message, item) {
  if (message.read_at) return;
  try {
    await api("POST", `/api/v1/me/inbox/${encodeURIComponent(message.id)}/read`);
    message.read_at = new Date().toISOString();
    item.classList.remove("notices-unread");
    item.querySelector(".notices-new").hidden = true;
  } catch {
    // Still unread on the server: it stays marked, and is marked read the next time.
  }
}

function subjectLink(message, decisions) {
  if (!message.subject_id) return null;
  if (NOTICE_KINDS.has(message.kind)) return { screen: "notice", id: message.subject_id };
  if (DECISION_KINDS.has(message.kind)) return { screen: "decision", id: message.subject_id };
  if (OBJECTION_KINDS.has(message.kind)) {
    const decision = decisions.find((d) => d.objection && d.objection.id === message.subject_id);
    if (decision) return { screen: "decision", id: decision.id };
  }
  return null;
}

function renderMessage(template, message, decisions) {
  const item = template.content.firstElementChild.cloneNode(true);
  item.dataset.kind = message.kind;
  item.querySelector(".notices-message-title").textContent = message.title;
  const when = item.querySelector("time");
  when.dateTime = message.created_at;
  when.textContent = momentText(message.created_at);
  item.querySelector(".notices-message-text").textContent = message.text;
  const badge = item.querySelector(".notices-new");
  badge.textContent = t("new");
  badge.hidden = Boolean(message.read_at);
  item.classList.toggle("notices-unread", !message.read_at);
  const target = subjectLink(message, decisions);
  const open = item.querySelector(".notices-open");
  if (target) {
    open.hidden = false;
    open.href = `#${target.screen}`;
    open.dataset[target.screen] = target.id;
    open.textContent = t(target.screen === "notice" ? "open_notice" : "open_decision");
  }
  const details = item.querySelector("details");
  details.addEventListener("toggle", () => {
    if (details.open) markRead(message, item);
  });
  return item;
}

export async function showInbox() {
  const [{ data: messages }, { data: notices }, { data: decisions }] = await Promise.all([
    api("GET", "/api/v1/me/inbox"),
    api("GET", "/api/v1/me/notices"),
    api("GET", "/api/v1/me/decisions"),
  ]);
  const waiting = notices.filter((notice) => notice.status === "open");
  $("inbox-waiting").hidden = waiting.length === 0;
  $("inbox-waiting-list").replaceChildren(
    ...waiting.map((notice) => {
      const item = element("li", "card card--accent notices-waiting-item");
      const link = openNoticeLink(notice);
      link.append(
        element("strong", "notices-deadline", t("answer_by", { date: calendarDate(notice.deadline) })),
      );
      item.append(link, element("p", "notices-waiting-text", notice.text));
      return item;
    }),
  );
  const template = $("inbox-message");
  $("inbox-list").replaceChildren(
    ...messages.map((message) => renderMessage(template, message, decisions)),
  );
  $("inbox-empty").hidden = messages.length > 0;
}

// --- a notice --------------------------------------------------------------------------------

let shownNotice = null;

function renderNotice(notice) {
  shownNotice = notice;
  const status = $("notice-status");
  status.textContent = t(`notice_status.${notice.status}`);
  status.dataset.status = notice.status;
  status.className = `badge app-status ${NOTICE_BADGES[notice.status] || ""}`;
  const deadline = $("notice-deadline");
  deadline.replaceChildren(element("strong", null, t("answer_by", { date: calendarDate(notice.deadline) })));
  deadline.dataset.deadline = notice.deadline;
  $("notice-text").textContent = notice.text;
  $("notice-address").hidden = !notice.address;
  $("notice-address-text").textContent = notice.address || "";
  $("notice-received").textContent = t("received", { date: momentText(notice.created_at) });
  const open = notice.status === "open";
  $("notice-answers").hidden = !open;
  $("notice-locating").textContent = "";
  const outcome = $("notice-outcome");
  outcome.hidden = open;
  outcome.textContent = open ? "" : t(`notice_outcome.${notice.status}`);
  outcome.className = `alert ${notice.status === "expired" ? "alert--warning" : "alert--success"}`;
}

export async function showNotice() {
  $("notice-error").replaceChildren();
  const { data: notices } = await api("GET", "/api/v1/me/notices");
  const wanted = sessionStorage.getItem(OPEN_NOTICE);
  const notice =
    notices.find((n) => n.id === wanted) || notices.find((n) => n.status === "open") || null;
  if (!notice) {
    shownNotice = null;
    $("notice-answers").hidden = true;
    $("notice-outcome").hidden = true;
    $("notice-status").textContent = "";
    $("notice-deadline").textContent = "";
    $("notice-received").textContent = "";
    $("notice-text").textContent = t("no_notice");
    $("notice-address").hidden = true;
    return;
  }
  sessionStorage.setItem(OPEN_NOTICE, notice.id);
  renderNotice(notice);
}

/** The confirmation's report: made once per notice, re-sent unchanged by a retry. */
async function confirmationReport(noticeId) {
  try {
    const kept = JSON.parse(sessionStorage.getItem(CONFIRMATION) || "null");
    if (kept && kept.notice === noticeId) return kept.report;
  } catch {
    // A broken copy: make a new report.
  }
  const fix = await currentFix();
  const { coords } = fix;
  const report = {
    client_id: crypto.randomUUID ? crypto.randomUUID() : idempotencyKey(),
    device_time: new Date(fix.timestamp || Date.now()).toISOString(),
    lat: coords.latitude,
    lon: coords.longitude,
    accuracy_m: coords.accuracy,
    provider: "web",
    mocked: false,
  };
  if (Number.isFinite(coords.altitude)) report.altitude_m = coords.altitude;
  if (Number.isFinite(coords.speed)) report.speed_mps = coords.speed;
  sessionStorage.setItem(CONFIRMATION, JSON.stringify({ notice: noticeId, report }));
  return report;
}

function noticeProblem(error) {
  const region = $("notice-error");
  if (error instanceof ApiError) {
    const lines = [element("p", "alert__title", error.problem.title || "")];
    if (error.problem.detail) lines.push(element("p", null, error.problem.detail));
    region.replaceChildren(...lines);
  } else {
    region.replaceChildren(element("p", "alert__title", error.message));
  }
}

async function confirmNotice(button, announce) {
  const notice = shownNotice;
  if (!notice) return;
  $("notice-error").replaceChildren();
  const locating = $("notice-locating");
  locating.textContent = t("confirming");
  button.disabled = true;
  try {
    let report;
    try {
      report = await confirmationReport(notice.id);
    } catch (error) {
      locating.textContent = "";
      noticeProblem(new Error(locationProblem(error)));
      return;
    }
    let answered;
    try {
      ({ data: answered } = await api(
        "POST",
        `/api/v1/me/notices/${encodeURIComponent(notice.id)}/confirm`,
        { report },
      ));
    } catch (error) {
      locating.textContent = "";
      // A refused report is not sent again; a lost answer (network) is, unchanged.
      if (error instanceof ApiError) sessionStorage.removeItem(CONFIRMATION);
      noticeProblem(error instanceof ApiError ? error : new Error(networkText()));
      return;
    }
    sessionStorage.removeItem(CONFIRMATION);
    renderNotice(answered);
    announce(t("confirmed"));
  } finally {
    button.disabled = false;
  }
}

function networkText() {
  // The app's own words for a lost connection (strings rendered by the shell).
  const block = document.getElementById("app-strings");
  return block ? JSON.parse(block.textContent).network : "";
}

// --- a decision ------------------------------------------------------------------------------

let shownDecision = null;
let objectionAttempt = null; // {text, key}: a retry of the same text reuses its key

function showTerm(termId, valueId, text) {
  $(termId).hidden = !text;
  $(valueId).hidden = !text;
  $(valueId).textContent = text || "";
}

function renderDecision(decision) {
  shownDecision = decision;
  $("decision-title").textContent = decision.title;
  $("decision-text").textContent = decision.text;
  $("decision-date").textContent = momentText(decision.created_at);
  showTerm("decision-deadline-term", "decision-deadline", decision.new_deadline && calendarDate(decision.new_deadline));
  showTerm("decision-until-term", "decision-until", decision.objection_until && calendarDate(decision.objection_until));
  $("decision-how").textContent = decision.how_to_object || "";
  $("decision-how").hidden = !decision.how_to_object;
  const objection = decision.objection;
  $("decision-objection").hidden = !objection;
  if (objection) {
    $("objection-sent").textContent = t("objection_sent_on", { date: momentText(objection.created_at) });
    $("objection-text").textContent = objection.text;
    const state = objection.outcome || objection.status;
    const status = $("objection-status");
    status.textContent = t(`objection_status.${state}`);
    status.dataset.status = state;
    status.className = `badge app-status ${OBJECTION_BADGES[state] || ""}`;
    $("objection-reason").hidden = !objection.reason;
    $("objection-reason").textContent = objection.reason
      ? t("supervisor_reason", { reason: objection.reason })
      : "";
  }
  const form = $("form-objection");
  form.hidden = !decision.may_object;
  clearErrors(form);
}

export async function showDecision() {
  const { data: decisions } = await api("GET", "/api/v1/me/decisions");
  const wanted = sessionStorage.getItem(OPEN_DECISION);
  const decision = decisions.find((d) => d.id === wanted) || decisions[0] || null;
  if (!decision) {
    location.hash = "inbox";
    return;
  }
  sessionStorage.setItem(OPEN_DECISION, decision.id);
  if (!shownDecision || shownDecision.id !== decision.id) {
    $("form-objection").reset();
    objectionAttempt = null;
  }
  renderDecision(decision);
}

function setUpObjection(announce) {
  const form = $("form-objection");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const decision = shownDecision;
    if (!decision) return;
    const text = form.elements.text.value.trim();
    if (text.length < 3) {
      showFieldErrors(form, [["text", t("objection_missing")]]);
      return;
    }
    if (!objectionAttempt || objectionAttempt.text !== text || objectionAttempt.decision !== decision.id) {
      objectionAttempt = { decision: decision.id, text, key: idempotencyKey() };
    }
    const attempt = objectionAttempt;
    whileBusy(form, async () => {
      try {
        await api(
          "POST",
          `/api/v1/me/decisions/${encodeURIComponent(decision.id)}/objection`,
          { text },
          { headers: { "Idempotency-Key": attempt.key } },
        );
      } catch (error) {
        showProblem(form, error);
        return;
      }
      objectionAttempt = null;
      form.reset();
      const { data: decisions } = await api("GET", "/api/v1/me/decisions");
      renderDecision(decisions.find((d) => d.id === decision.id) || decision);
      announce(t("objection_recorded"));
      $("decision-objection").scrollIntoView({ block: "start" });
    });
  });
}

export function setUpNotices(go, announce) {
  // Links to a notice or a decision carry its id; the screen shows that one.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-notice], a[data-decision]");
    if (!link) return;
    if (link.dataset.notice) sessionStorage.setItem(OPEN_NOTICE, link.dataset.notice);
    if (link.dataset.decision) sessionStorage.setItem(OPEN_DECISION, link.dataset.decision);
    if (location.hash === link.getAttribute("href")) {
      event.preventDefault();
      go(link.getAttribute("href").slice(1));
    }
  });
  $("notice-confirm").addEventListener("click", (event) => confirmNotice(event.currentTarget, announce));
  $("notice-move").addEventListener("click", () => {
    if (shownNotice) moveInAnswerTo(shownNotice.id, go);
  });
  setUpObjection(announce);
}

export const noticeScreens = {
  home: showInboxCard,
  inbox: showInbox,
  notice: showNotice,
  decision: showDecision,
};
