// The work patent (API.md "Patent payment and appointments"): the card on the home screen, the
// patent screen — paid until in big letters, days left, the next payment and the last day to
// pay, "pay 1 / 2 / 3 … months" with the exact total from the server, the history with
// receipts — and the form to record the patent from the paper. Amounts and dates come from the
// server; the words come from the page (templates/app/patent.html).

import { ApiError, api, idempotencyKey } from "./api.js";
import { clearErrors, showFieldErrors, showProblem, whileBusy } from "./forms.js";
import { textsFrom } from "./registration.js";
import { formatDate } from "./strings.js";

const t = textsFrom("app-strings-patent");
/** A payment being opened: a retry re-sends the same Idempotency-Key. */
const OPENING = "amina.patent_payment_key";
const BADGES = {
  pending: "badge--info",
  succeeded: "badge--success",
  failed: "badge--error",
  expired: "badge--neutral",
  flagged: "badge--warning",
  refunded: "badge--neutral",
};

const $ = (id) => document.getElementById(id);

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Whole roubles with thin grouping, as the receipt prints them. */
function roubles(amount) {
  const whole = Math.round(Number(amount));
  return String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
}

let shown = null;

async function loadPatent() {
  const { data } = await api("GET", "/api/v1/me/patent");
  return data;
}

// --- home ------------------------------------------------------------------------------------

export async function showPatentCard() {
  const mine = await loadPatent();
  const card = $("home-patent");
  card.hidden = !mine.needed && !mine.patent;
  if (card.hidden) return;
  const patent = mine.patent;
  $("home-patent-add").hidden = Boolean(patent);
  $("home-patent-open").hidden = !patent;
  $("home-patent-until").textContent = patent ? t("paid_until", { date: formatDate(patent.paid_until) }) : t("no_patent");
  const soon = patent && patent.state === "valid" && patent.months_payable > 0 && patent.days_left <= 10;
  $("home-patent-soon").hidden = !soon;
  if (soon) {
    $("home-patent-soon-title").textContent =
      patent.days_left <= 1 ? t("last_day") : t("soon", { days: patent.days_left });
  }
}

// --- the patent screen -----------------------------------------------------------------------

function renderSummary(patent) {
  $("patent-number").textContent = patent.number;
  $("patent-until").textContent = t("paid_until", { date: formatDate(patent.paid_until) });
  $("patent-days").textContent = t("days_left", { days: patent.days_left });
  $("patent-pay-by").textContent = patent.last_day_to_pay ? t("pay_by", { date: formatDate(patent.last_day_to_pay) }) : "";
  $("patent-next").textContent = patent.next_payment_amount
    ? t("next_amount", { amount: roubles(patent.next_payment_amount) })
    : "";
  $("patent-regions").textContent = patent.regions.map((code) => t(`regions.${code}`)).join(", ");
  $("patent-issued").textContent = formatDate(patent.issued_on);
  $("patent-ended").hidden = patent.state !== "lapsed";
  $("patent-term-over").hidden = !(patent.state === "term_over" || (patent.state === "valid" && patent.months_payable === 0));
}

function renderChoices(patent) {
  const choices = $("patent-month-choices");
  const most = patent.months_payable;
  choices.replaceChildren(
    ...Array.from({ length: most }, (_, index) => {
      const months = index + 1;
      const label = element("label", "patent-month");
      const input = element("input");
      input.type = "radio";
      input.name = "months";
      input.value = String(months);
      input.checked = months === 1;
      input.addEventListener("change", () => showQuote(months));
      label.append(input, element("span", null, ` ${t("months_option", { months })}`));
      return label;
    }),
  );
}

async function showQuote(months) {
  const { data: quote } = await api("GET", `/api/v1/me/patent/quote?months=${months}`);
  $("patent-total").textContent = t("total", { amount: roubles(quote.total) });
  $("patent-covers").textContent = t("covers", { start: formatDate(quote.covers_from), end: formatDate(quote.covers_to) });
  // A date that ends in an abbreviation ("2027 г.") ends the sentence too: no second full stop.
  $("patent-new-until").textContent = t("new_paid_until", { date: formatDate(quote.covers_to) }).replace(/\.\.$/, ".");
  $("patent-unverified").hidden = quote.tariff.verified;
  $("patent-unverified").textContent = t("unverified");
  $("patent-source").textContent =
    `${quote.tariff.base} × ${quote.tariff.deflator} × ${quote.tariff.coefficient} ≈ ${roubles(quote.monthly)} RUB. ${quote.tariff.source}`;
}

function historyItem(payment) {
  const item = element("li", "card patent-payment");
  item.dataset.status = payment.status;
  const what = element("div");
  what.append(element("p", "patent-payment-amount", `${roubles(payment.amount)} RUB · ${t("months_option", { months: payment.months })}`));
  what.append(element("p", "muted", t("covers", { start: formatDate(payment.covers_from), end: formatDate(payment.covers_to) })));
  item.append(what);
  const side = element("div");
  side.append(element("span", `badge ${BADGES[payment.status] || ""}`, t(`payment_status.${payment.status}`)));
  if (payment.receipt_url) {
    const button = element("button", "button button--secondary patent-receipt", t("receipt"));
    button.type = "button";
    button.addEventListener("click", () => downloadReceipt(payment, button));
    side.append(button);
  }
  item.append(side);
  return item;
}

async function downloadReceipt(payment, button) {
  $("patent-receipt-error").textContent = "";
  button.disabled = true;
  try {
    const { response } = await api("GET", payment.receipt_url, undefined, { headers: { Accept: "application/pdf" } });
    const url = URL.createObjectURL(await response.blob());
    const link = element("a");
    link.href = url;
    link.download = `patent-receipt-${payment.id.slice(0, 8)}.pdf`;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (error) {
    $("patent-receipt-error").textContent =
      error instanceof ApiError && error.problem.title ? error.problem.title : t("download_failed");
  } finally {
    button.disabled = false;
  }
}

async function showPatent() {
  const mine = await loadPatent();
  if (!mine.patent) {
    location.hash = "patent-add";
    return;
  }
  shown = mine.patent;
  renderSummary(shown);
  const form = $("form-patent-pay");
  clearErrors(form);
  form.hidden = shown.months_payable === 0;
  if (!form.hidden) {
    renderChoices(shown);
    await showQuote(1);
  }
  const { data: payments } = await api("GET", "/api/v1/me/patent/payments");
  $("patent-history").replaceChildren(...payments.map(historyItem));
  $("patent-history-empty").hidden = payments.length > 0;
}

async function pay(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const chosen = form.querySelector("input[name=months]:checked");
  const months = Number(chosen ? chosen.value : 1);
  const key = sessionStorage.getItem(OPENING) || idempotencyKey();
  sessionStorage.setItem(OPENING, key);
  await whileBusy(form, async () => {
    try {
      const { data: payment } = await api("POST", "/api/v1/me/patent/payments", { months }, { headers: { "Idempotency-Key": key } });
      sessionStorage.removeItem(OPENING);
      location.assign(payment.checkout_url);
    } catch (error) {
      if (error instanceof ApiError) sessionStorage.removeItem(OPENING);
      showProblem(form, error);
    }
  });
}

// --- recording the patent --------------------------------------------------------------------

async function record(event, go, announce) {
  event.preventDefault();
  const form = event.currentTarget;
  const regions = [...form.querySelectorAll("input[name=regions]:checked")].map((box) => box.value);
  const body = {
    number: form.elements.number.value.trim(),
    regions,
    issued_on: form.elements.issued_on.value,
    months_at_issue: Number(form.elements.months_at_issue.value),
    inn: form.elements.inn.value.replace(/\s/g, ""),
    oktmo: form.elements.oktmo.value.replace(/\s/g, ""),
  };
  const missing = Object.entries(body)
    .filter(([name, value]) => (Array.isArray(value) ? value.length === 0 : value === "" || value === 0) && name !== "months_at_issue")
    .map(([name]) => [name, form.querySelector(`[data-field=${name}] label, [data-field=${name}] legend`).textContent]);
  if (showFieldErrors(form, missing)) return;
  await whileBusy(form, async () => {
    try {
      await api("POST", "/api/v1/me/patent", body, { headers: { "Idempotency-Key": idempotencyKey() } });
      form.reset();
      go("patent");
      announce(t("recorded"));
    } catch (error) {
      showProblem(form, error);
    }
  });
}

export function setUpPatent(go, announce) {
  $("form-patent-pay").addEventListener("submit", pay);
  $("form-patent-add").addEventListener("submit", (event) => record(event, go, announce));
}

export const patentScreens = {
  home: showPatentCard,
  patent: showPatent,
  "patent-add": async () => {},
};
