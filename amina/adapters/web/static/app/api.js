// The public API (API.md), as the app speaks it: JSON, the page's language, the bearer token.
// Errors come back as ApiError carrying the server's problem document, whose title, detail and
// field messages are already translated; the app never writes its own English.

const TOKEN = "amina.access_token";
const TOKEN_EXPIRES = "amina.access_expires_at";
const DEVICE = "amina.device_credential";
const PERSON = "amina.person";

/** Renew the access token this long before it expires. */
const EARLY_MS = 30_000;

export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem.code || `http_${status}`);
    this.status = status;
    this.problem = problem;
    this.code = problem.code || null;
    this.retryAfter = retryAfter;
  }
}

export class NetworkError extends Error {}

/** A fresh Idempotency-Key (random, 128 bits; works outside secure contexts too). */
export function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export const session = {
  /** The access token while it is valid, else null. */
  token() {
    const token = localStorage.getItem(TOKEN);
    const expires = Date.parse(localStorage.getItem(TOKEN_EXPIRES) || "");
    return token && !(expires - EARLY_MS <= Date.now()) ? token : null;
  },
  /** The device credential: it outlives access tokens and renews them without a code. */
  device() {
    return localStorage.getItem(DEVICE);
  },
  /** Signed in on this device (an access token, or a device that can renew one). */
  active() {
    return Boolean(this.token() || this.device());
  },
  save(signIn) {
    localStorage.setItem(TOKEN, signIn.access_token);
    localStorage.setItem(TOKEN_EXPIRES, signIn.expires_at);
    if (signIn.device_credential) localStorage.setItem(DEVICE, signIn.device_credential);
    if (signIn.person) localStorage.setItem(PERSON, JSON.stringify(signIn.person));
  },
  clear() {
    for (const key of [TOKEN, TOKEN_EXPIRES, DEVICE, PERSON]) localStorage.removeItem(key);
  },
};

function retryAfterSeconds(response) {
  const value = response.headers.get("Retry-After");
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const when = Date.parse(value);
  return Number.isNaN(when) ? null : Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

async function send(method, path, body, headers) {
  const request = {
    method,
    headers: {
      Accept: "application/json, application/problem+json",
      "Accept-Language": document.documentElement.lang,
      ...headers,
    },
    credentials: "same-origin",
  };
  if (body !== undefined) {
    request.headers["Content-Type"] = "application/json";
    request.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, request);
  } catch (error) {
    throw new NetworkError(String(error));
  }
  const type = response.headers.get("Content-Type") || "";
  let data = null;
  if (type.includes("json") && response.status !== 204) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    throw new ApiError(response.status, data || {}, retryAfterSeconds(response));
  }
  // `response` too: a caller fetching a file (a PDF) reads its body itself.
  return { status: response.status, data, retryAfter: retryAfterSeconds(response), response };
}

let renewing = null;

/** A new access token from the device credential (POST /api/v1/auth/refresh). */
function renewAccess() {
  renewing =
    renewing ||
    send("POST", "/api/v1/auth/refresh", undefined, {
      Authorization: `Device ${session.device()}`,
    })
      .then(({ data }) => {
        session.save(data);
        return data.access_token;
      })
      .catch((error) => {
        // A retired or unknown device must sign in again; a network error changes nothing.
        if (error instanceof ApiError && error.status === 401) session.clear();
        throw error;
      })
      .finally(() => {
        renewing = null;
      });
  return renewing;
}

/**
 * Call the API. With `auth` (the default) the person's access token goes along, renewed from
 * the device credential when it has run out.
 */
export async function api(method, path, body, { auth = true, headers = {} } = {}) {
  if (!auth) return send(method, path, body, headers);
  let token = session.token();
  if (!token && session.device()) token = await renewAccess();
  const authorised = (value) => ({ ...headers, ...(value ? { Authorization: `Bearer ${value}` } : {}) });
  try {
    return await send(method, path, body, authorised(token));
  } catch (error) {
    const expired = error instanceof ApiError && error.status === 401 && session.device();
    if (!expired) throw error;
    return send(method, path, body, authorised(await renewAccess()));
  }
}
