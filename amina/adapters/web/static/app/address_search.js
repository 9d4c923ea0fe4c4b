// The address field of the registration form (issue 13): the person types part of the address
// and chooses it from the state address register's suggestions (GET /api/v1/addresses). An
// accessible combobox (WAI-ARIA 1.2 "list autocomplete"): the list opens under the field,
// ArrowDown/ArrowUp move through it, Enter chooses, Escape closes; a tap chooses too. The
// number of suggestions is announced in a live region.

import { api } from "./api.js";

/** Wait this long after the last key before asking the server. */
const PAUSE_MS = 250;

/**
 * Wire the combobox. `say(key, params)` gives the page's texts; `choose(suggestion)` is told
 * the chosen address (a street: the field keeps it and waits for the house number).
 */
export function addressSearch({ input, list, status, say, choose }) {
  let timer = null;
  let asked = 0; // answers to older questions are dropped
  let options = [];
  let active = -1;

  function close() {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    options = [];
    active = -1;
  }

  function highlight(index) {
    active = index;
    for (const [i, item] of [...list.children].entries()) {
      item.setAttribute("aria-selected", String(i === index));
    }
    if (index >= 0) {
      const item = list.children[index];
      input.setAttribute("aria-activedescendant", item.id);
      item.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function pick(index) {
    const suggestion = options[index];
    if (!suggestion) return;
    close();
    if (suggestion.kind === "street") {
      input.value = `${suggestion.street}, ${suggestion.settlement} `;
      status.textContent = say("search_street_chosen");
    } else {
      input.value = suggestion.text;
      status.textContent = say("search_chosen", { address: suggestion.text });
    }
    input.focus();
    choose(suggestion);
  }

  function show(results) {
    options = results;
    list.replaceChildren(
      ...results.map((suggestion, index) => {
        const item = document.createElement("li");
        item.id = `reg-address-option-${index}`;
        item.className = "reg-option";
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.dataset.kind = suggestion.kind;
        item.textContent = suggestion.text;
        // mousedown, not click: the field must not lose focus (and close the list) first
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          pick(index);
        });
        return item;
      }),
    );
    const open = results.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    active = -1;
    status.textContent = open ? say("search_found", { count: results.length }) : say("search_none");
  }

  async function lookUp(text) {
    const question = ++asked;
    status.textContent = say("search_searching");
    try {
      const query = new URLSearchParams({ q: text });
      const { data } = await api("GET", `/api/v1/addresses?${query}`);
      if (question === asked) show(data.results || []);
    } catch {
      if (question === asked) {
        close();
        status.textContent = say("search_failed");
      }
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    const letters = text.replace(/[^\p{L}\p{N}]/gu, "");
    if (letters.length < 3) {
      asked++;
      close();
      status.textContent = text ? say("search_hint_more") : "";
      return;
    }
    timer = setTimeout(() => lookUp(text), PAUSE_MS);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + options.length) % options.length);
    } else if (event.key === "Enter") {
      if (!list.hidden && active >= 0) {
        event.preventDefault(); // choose, do not send the form
        pick(active);
      } else if (!list.hidden) {
        event.preventDefault();
      }
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });

  input.addEventListener("blur", () => close());

  return { reset: () => { asked++; close(); status.textContent = ""; input.value = ""; } };
}
