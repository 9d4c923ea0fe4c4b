// The app's screens and the way between them. Each screen is a <section id="screen-NAME"> in
// the page; the address's #NAME picks it, so the back button and bookmarks work.

import { ApiError, api, session } from "./api.js";
import { bookingScreens, setUpBooking } from "./booking.js";
import { checkInScreens, setUpCheckIn } from "./check_in.js";
import { showAccessLog, showHome, setUpChildForm } from "./home.js";
import { myDataScreens, setUpMyData } from "./my_data.js";
import { noticeScreens, setUpNotices } from "./notices.js";
import { patentScreens, setUpPatent } from "./patent.js";
import { registrationScreens, setUpRegistration } from "./registration.js";
import { setUpReporting } from "./reporting.js";
import {
  announce,
  challenge,
  forgetMessageOf,
  setUpCardSignIn,
  setUpCodeEntry,
  setUpPassportSignIn,
  showCodeScreen,
} from "./signin.js";
import { t } from "./strings.js";

// The language picked on this device, and whether it was picked while signed out (then it is
// saved with the person's account at the next sign-in).
const CHOSEN_LANGUAGE = "amina.language";
const LANGUAGE_PENDING = "amina.language_pending";
// Screens of features in their own modules: name → loader (a loader for "home" adds to it).
const FEATURE_SCREENS = [
  registrationScreens,
  noticeScreens,
  myDataScreens,
  patentScreens,
  bookingScreens,
  checkInScreens,
];
const SIGNED_IN_ONLY = new Set([
  "home",
  "child",
  "access-log",
  ...FEATURE_SCREENS.flatMap((screens) => Object.keys(screens)),
]);
const SCREENS = new Set(["language", "card", "passport", "code", ...SIGNED_IN_ONLY]);

const pageLanguage = document.documentElement.lang;

function go(name) {
  if (location.hash === `#${name}`) route();
  else location.hash = name;
}

function startScreen() {
  if (session.active()) return "home";
  return localStorage.getItem(CHOSEN_LANGUAGE) ? "card" : "language";
}

function show(name) {
  forgetMessageOf(`screen-${name}`);
  for (const screen of document.querySelectorAll(".app-screen")) {
    screen.hidden = screen.id !== `screen-${name}`;
  }
  const heading = document.querySelector(`#screen-${name} h1`);
  if (heading) heading.focus({ preventScroll: false });
  document.title = heading ? `${heading.textContent.trim()} · Amina` : "Amina";
  window.scrollTo(0, 0);
}

/** The session is gone (expired or revoked): back to the sign-in, saying why. */
function sessionEnded() {
  session.clear();
  go("card");
  announce(t("session_ended"));
}

async function loadScreen(name) {
  try {
    if (name === "home") await showHome();
    if (name === "access-log") await showAccessLog();
    await Promise.all(FEATURE_SCREENS.filter((screens) => screens[name]).map((screens) => screens[name]()));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      sessionEnded();
      return false;
    }
    const message = error instanceof ApiError ? error.problem.title || t("unexpected") : t("network");
    announce(message);
  }
  return true;
}

async function route() {
  let name = location.hash.replace(/^#/, "");
  // A link within the screen (the skip link to #app-main) is not a screen: stay.
  const shown = document.querySelector(".app-screen:not([hidden])");
  if (!SCREENS.has(name) && name && document.getElementById(name) && shown) return;
  if (!SCREENS.has(name)) name = startScreen();
  if (SIGNED_IN_ONLY.has(name) && !session.active()) name = "card";
  if (["card", "passport", "code"].includes(name) && session.active()) name = "home";
  if (name === "code" && !challenge.get()) name = "card";
  if (`#${name}` !== location.hash) {
    history.replaceState(null, "", `#${name}`);
  }
  if (name === "code") showCodeScreen();
  if (SIGNED_IN_ONLY.has(name) && !(await loadScreen(name))) return;
  show(name);
}

/** Reload the page in `language` (the server renders every text in it), on screen `screen`. */
function reloadIn(language, screen) {
  location.replace(`/app?lang=${encodeURIComponent(language)}#${screen}`);
}

async function saveLanguage(language) {
  await api("PATCH", "/api/v1/me", { language });
  localStorage.setItem(CHOSEN_LANGUAGE, language);
  localStorage.removeItem(LANGUAGE_PENDING);
}

async function signedIn(signIn) {
  // A language picked on this device before signing in is the person's choice: save it.
  // Otherwise the language saved with the account wins; at the first sign-in, with none saved
  // yet, the person picks one now.
  let language = signIn.person.language;
  if (localStorage.getItem(LANGUAGE_PENDING)) {
    try {
      await saveLanguage(pageLanguage);
      language = pageLanguage;
    } catch {
      // Kept as it was; the person can change it from the home screen.
    }
  } else if (!signIn.person.language_chosen) {
    go("language");
    return;
  }
  if (language !== pageLanguage) {
    localStorage.setItem(CHOSEN_LANGUAGE, language);
    reloadIn(language, "home");
    return;
  }
  go("home");
}

function setUpLanguages() {
  for (const link of document.querySelectorAll("[data-language]")) {
    link.addEventListener("click", async (event) => {
      const language = link.dataset.language;
      localStorage.setItem(CHOSEN_LANGUAGE, language);
      if (!session.active()) {
        // The link itself reloads the page in that language; saved at the next sign-in.
        localStorage.setItem(LANGUAGE_PENDING, "1");
        return;
      }
      event.preventDefault();
      try {
        await saveLanguage(language);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          sessionEnded();
          return;
        }
        announce(error instanceof ApiError ? error.problem.title || t("unexpected") : t("network"));
        return;
      }
      reloadIn(language, "home");
    });
  }
}

function setUpSignOut() {
  document.getElementById("sign-out").addEventListener("click", async () => {
    try {
      // This device stops reporting too: its credential is forgotten here.
      await api("POST", "/api/v1/auth/sign-out", { retire_device: true });
    } catch {
      // Signed out on this device in any case; the token expires on the server by itself.
    }
    session.clear();
    if ("caches" in window) await caches.delete("amina-api");
    go("card");
    announce(t("signed_out"));
  });
}

function registerServiceWorker() {
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/app/sw.js", { scope: "/app" }).catch(() => {});
    navigator.serviceWorker.ready.then((registration) => {
      if (registration.active) registration.active.postMessage({ type: "cache-shell" });
    });
  }
}

function start() {
  // The address keeps no ?lang=: the server remembers the choice in a cookie.
  if (new URLSearchParams(location.search).has("lang")) {
    history.replaceState(null, "", `/app${location.hash}`);
  }
  setUpLanguages();
  // Before routing: the push's address #check-in becomes the home screen plus one fix.
  setUpCheckIn(go, announce);
  setUpCardSignIn(go);
  setUpPassportSignIn(go);
  setUpCodeEntry(go, signedIn);
  setUpChildForm(go, announce);
  setUpSignOut();
  setUpRegistration(go, announce);
  setUpNotices(go, announce);
  setUpPatent(go, announce);
  setUpBooking(go, announce);
  setUpMyData();
  setUpReporting();
  window.addEventListener("hashchange", route);
  route();
  registerServiceWorker();
}

start();
