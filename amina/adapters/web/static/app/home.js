// After sign-in: the person, their eligibility today in words, their children, and who looked
// at their data (API.md, "The person's own data"). Every sentence shown here comes from the
// server already in the person's language (headline, explanation, role name, what was seen).

import { api, idempotencyKey } from "./api.js";
import { readDate, showFieldErrors, showProblem, whileBusy } from "./forms.js";
import { formatDate, formatDateTime, t } from "./strings.js";

/** Languages written in Cyrillic: the person's name is shown as on the card, in Cyrillic. */
const CYRILLIC = new Set(["ru", "uk", "ky", "kk", "tg"]);
const BADGES = { required: "badge--info", exempt: "badge--success", not_covered: "badge--neutral" };
const LATIN_NAME = /^[A-Za-z][A-Za-z' .-]{0,99}$/;

function names(person) {
  const cyrillic = CYRILLIC.has(document.documentElement.lang) && person.surname_cyr;
  return cyrillic
    ? { given: person.given_names_cyr || "", surname: person.surname_cyr || "" }
    : { given: person.given_names_lat || "", surname: person.surname_lat || "" };
}

function fullName(person) {
  const { given, surname } = names(person);
  return `${given} ${surname}`.trim();
}

function initials(person) {
  const { given, surname } = names(person);
  return [given, surname].map((name) => name.trim().charAt(0)).join("").toUpperCase();
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderEligibility(eligibility) {
  const status = document.getElementById("eligibility-status");
  status.textContent = eligibility.headline;
  status.dataset.status = eligibility.status;
  status.className = `badge app-status ${BADGES[eligibility.status] || ""}`;
  document.getElementById("eligibility-explanation").textContent = eligibility.explanation;
}

function renderChildren(children) {
  const list = document.getElementById("children-list");
  list.replaceChildren(
    ...children.map((child) => {
      const item = element("li", "app-child");
      item.append(element("span", "app-child-name", fullName(child)));
      item.append(element("span", "muted", t("born", { date: formatDate(child.date_of_birth) })));
      return item;
    }),
  );
  document.getElementById("children-empty").hidden = children.length > 0;
}

export async function showHome() {
  const { data: me } = await api("GET", "/api/v1/me");
  document.getElementById("home-name").textContent = fullName(me);
  document.getElementById("home-initials").textContent = initials(me);
  document.getElementById("home-card").textContent = me.card.number;
  renderEligibility(me.eligibility);
  // Only an adult who must use Amina registers children (SPEC §3); the server says who that is.
  const children = document.getElementById("children");
  children.hidden = !me.may_add_dependants && me.dependants.length === 0;
  children.querySelector('a[href="#child"]').hidden = !me.may_add_dependants;
  renderChildren(me.dependants);
  return me;
}

export function setUpChildForm(go, announce) {
  const form = document.getElementById("form-child");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const surname = form.elements.surname_lat.value.trim().replace(/\s+/g, " ");
    const givenNames = form.elements.given_names_lat.value.trim().replace(/\s+/g, " ");
    const citizenship = form.elements.citizenship.value;
    const [dateOfBirth, dateError] = readDate(form.querySelector('[data-field="date_of_birth"]'));
    const errors = [];
    if (!LATIN_NAME.test(surname)) errors.push(["surname_lat", t("name_missing")]);
    if (!LATIN_NAME.test(givenNames)) errors.push(["given_names_lat", t("name_missing")]);
    if (dateError) errors.push(["date_of_birth", dateError]);
    if (!citizenship) errors.push(["citizenship", t("citizenship_missing")]);
    if (showFieldErrors(form, errors)) return;
    whileBusy(form, async () => {
      try {
        await api(
          "POST",
          "/api/v1/me/dependants",
          {
            surname_lat: surname,
            given_names_lat: givenNames,
            date_of_birth: dateOfBirth,
            citizenship,
          },
          { headers: { "Idempotency-Key": idempotencyKey() } },
        );
        form.reset();
        go("home");
        announce(t("child_added"));
      } catch (error) {
        showProblem(form, error);
      }
    });
  });
}

export async function showAccessLog() {
  const { data } = await api("GET", "/api/v1/me/access-log");
  const list = document.getElementById("access-list");
  const template = document.getElementById("access-entry");
  list.replaceChildren(
    ...data.entries.map((entry) => {
      const item = template.content.firstElementChild.cloneNode(true);
      const when = item.querySelector("time");
      when.dateTime = entry.at;
      when.textContent = formatDateTime(entry.at);
      const staff = entry.staff_number ? t("staff_number", { id: entry.staff_number }) : "";
      item.querySelector(".app-access-who").textContent = [entry.role_name, staff]
        .filter(Boolean)
        .join(" · ");
      item.querySelector(".app-access-purpose").textContent = entry.purpose;
      item.querySelector(".app-access-what").textContent = entry.what;
      return item;
    }),
  );
  document.getElementById("access-empty").hidden = data.entries.length > 0;
}
