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

const pad = (n) => String(n).padStart(2, "0");

// The language's CLDR long date pattern (e.g. "d MMMM y 'г'.") and its month names, rendered by
// the server with Babel: browsers lack date data for several of our languages (Chromium writes
// "2026 M12 3" for Tajik), so dates never depend on the browser's Intl data.
const dateBlock = document.getElementById("app-strings-registration");
const DATES = dateBlock ? JSON.parse(dateBlock.textContent).date : null;

/** A calendar date (YYYY-MM-DD) as the person's language writes it (else DD.MM.YYYY). */
export function formatDate(isoDate) {
  const [year, month, day] = String(isoDate).split("-").map(Number);
  if (!year || !month || !day) return isoDate;
  if (!DATES) return `${pad(day)}.${pad(month)}.${year}`;
  return DATES.pattern.replace(/'([^']*)'|d{1,2}|[ML]{1,5}|y+/g, (token, quoted) => {
    if (quoted !== undefined) return quoted || "'";
    if (token === "d") return String(day);
    if (token === "dd") return pad(day);
    if (token[0] === "M" || token[0] === "L") {
      return token.length >= 3 ? DATES.months[month - 1] : token.length === 2 ? pad(month) : String(month);
    }
    return String(year);
  });
}

/** A moment (RFC 3339) as its Moscow calendar date and time: where the person lives. */
export function formatDateTime(isoTime) {
  const when = new Date(isoTime);
  if (Number.isNaN(when.getTime())) return isoTime;
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
  return `${formatDate(`${parts.year}-${parts.month}-${parts.day}`)}, ${parts.hour}:${parts.minute}`;
}

/** A wait, as m:ss (digits read the same in every language). */
export function formatDuration(seconds) {
  const total = Math.max(0, Math.ceil(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  return hours ? `${hours}:${pad(minutes)}:${pad(rest)}` : `${minutes}:${pad(rest)}`;
}
