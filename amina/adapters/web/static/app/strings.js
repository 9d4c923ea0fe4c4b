// Texts rendered into the page by the server in the person's language (templates/app/shell.html),
// and dates and durations formatted for that language.

const strings = JSON.parse(document.getElementById("app-strings").textContent);
const locale = document.body.dataset.locale || document.documentElement.lang;

/** The text under `key`, with `{name}` placeholders filled from `params`. */
export function t(key, params = {}) {
  const text = key.split(".").reduce((node, part) => (node ? node[part] : undefined), strings);
  if (typeof text !== "string") return key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** A role's name in the person's language (the code itself if the page does not know it). */
export function roleName(code) {
  return (strings.roles && strings.roles[code]) || code;
}

function supported(tag) {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([tag]).length > 0;
  } catch {
    return false;
  }
}

const hasLocale = supported(locale) || supported(document.documentElement.lang);
const pad = (n) => String(n).padStart(2, "0");

/** A calendar date (YYYY-MM-DD) for reading: the locale's long form, or DD.MM.YYYY. */
export function formatDate(isoDate) {
  const [year, month, day] = isoDate.split("-").map(Number);
  if (!year || !month || !day) return isoDate;
  if (hasLocale) {
    const when = new Date(Date.UTC(year, month - 1, day));
    return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(when);
  }
  return `${pad(day)}.${pad(month)}.${year}`;
}

/** A moment (RFC 3339) in Moscow time, where the person lives and the staff work. */
export function formatDateTime(isoTime) {
  const when = new Date(isoTime);
  if (Number.isNaN(when.getTime())) return isoTime;
  if (hasLocale) {
    return new Intl.DateTimeFormat(locale, {
      dateStyle: "long",
      timeStyle: "short",
      hourCycle: "h23",
      timeZone: "Europe/Moscow",
    }).format(when);
  }
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone: "Europe/Moscow",
    })
      .formatToParts(when)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.day}.${parts.month}.${parts.year} ${parts.hour}:${parts.minute}`;
}

/** A wait, as m:ss (digits read the same in every language). */
export function formatDuration(seconds) {
  const total = Math.max(0, Math.ceil(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  return hours ? `${hours}:${pad(minutes)}:${pad(rest)}` : `${minutes}:${pad(rest)}`;
}
