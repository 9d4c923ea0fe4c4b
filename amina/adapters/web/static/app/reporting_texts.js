// The texts of the location screens (catalog domain "app_reporting"), rendered by the server
// into JSON blocks of the page in the person's language (templates/app/reporting.html and
// my_data.html): the scripts never carry English.

function load(id) {
  const block = document.getElementById(id);
  return block ? JSON.parse(block.textContent) : {};
}

const texts = { ...load("reporting-strings"), ...load("my-data-strings") };

/** The text under `key`, with `{name}` placeholders filled from `params`. */
export function say(key, params = {}) {
  let text = texts[key];
  if (text && Array.isArray(text.forms)) text = pluralForm(text, Number(params[text.count]));
  if (typeof text !== "string") return key;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    name in params ? String(params[name]) : whole,
  );
}

const locale = document.body.dataset.locale || document.documentElement.lang;

function supported(tag) {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([tag]).length > 0;
  } catch {
    return false;
  }
}

export const LOCALE = supported(locale) ? locale : "ru";
const MOSCOW = "Europe/Moscow";
const pad = (n) => String(n).padStart(2, "0");

/** Parts of `when` in Moscow time: {year, month, day, hour, minute} as numbers. */
export function moscowParts(when) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone: MOSCOW,
    })
      .formatToParts(when)
      .map((part) => [part.type, Number(part.value)]),
  );
  return parts;
}

/** The Moscow calendar day of `when`, as YYYY-MM-DD (the days of the daily summaries). */
export function moscowDay(when = new Date()) {
  const { year, month, day } = moscowParts(when);
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** HH:MM in Moscow time. */
export function clockTime(when) {
  const { hour, minute } = moscowParts(when);
  return `${pad(hour)}:${pad(minute)}`;
}

/** A number for reading, in the person's locale. */
export function number(value, fractionDigits = 0) {
  return new Intl.NumberFormat(LOCALE, {
    maximumFractionDigits: fractionDigits,
    minimumFractionDigits: fractionDigits,
  }).format(value);
}

/** The form of a plural text ({forms, index}, from the server) for the number `n`: the index
 * lists the form of 0-199; larger numbers take the form of 100 + n % 100. */
function pluralForm(text, n) {
  if (!Number.isInteger(n) || n < 0) return text.forms[text.forms.length - 1];
  return text.forms[Number(text.index[n < 200 ? n : 100 + (n % 100)])];
}
