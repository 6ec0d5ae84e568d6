// Talking to the gateway's API (same origin, /api/v1): the signed-in session, JSON calls,
// one refresh-and-retry on 401, downloads, and refusals turned into ApiFailure (whose
// ``code`` the pages put into words with messages.js, never showing the raw body).

const BASE = "/api/v1";
const KEY = "gravity.session"; // sessionStorage: gone when the tab closes

export class ApiFailure extends Error {
  constructor(status, code, message, details = {}) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** The claims of a JWT (its middle part), read without checking: the server checks. */
function claimsOf(token) {
  const part = token.split(".")[1] || "";
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const json = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
  return JSON.parse(json);
}

let current = load();
const listeners = new Set();

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY)) || null;
  } catch {
    return null;
  }
}

function store(session, why) {
  current = session;
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener(session, why);
}

/** The signed-in user ({role, subject, username, ...}) or null. */
export function session() {
  return current;
}

/** Call ``listener(session, why)`` whenever the user signs in or out; ``why`` is the
 * ApiFailure that ended a session the user did not sign out of (a refused refresh). */
export function onSessionChange(listener) {
  listeners.add(listener);
}

function remember(answer, username) {
  const claims = claimsOf(answer.access_token);
  store({
    access_token: answer.access_token,
    refresh_token: answer.refresh_token,
    role: claims.role,
    subject: claims.sub,
    username,
  });
}

export async function signIn(username, password) {
  const answer = await request("POST", "/sessions", { body: { username, password }, auth: false });
  remember(answer, username);
  return current;
}

export async function signOut() {
  try {
    if (current) await request("DELETE", "/sessions/current", { retry: false });
  } catch {
    // Signed out here whatever the server says: the tokens are forgotten below.
  } finally {
    store(null);
  }
}

let refreshing = null;

async function refresh() {
  // One refresh at a time: a refresh token works once, so parallel 401s share this one.
  if (!refreshing) {
    const token = current && current.refresh_token;
    const username = current && current.username;
    refreshing = request("POST", "/sessions/refresh", { body: { refresh_token: token }, auth: false, retry: false })
      .then((answer) => remember(answer, username))
      .catch((failure) => {
        store(null, failure);
        throw failure;
      })
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

async function send(method, path, { body, auth = true, headers = {} }) {
  const sent = { ...headers };
  if (body !== undefined) sent["Content-Type"] = "application/json";
  if (auth && current) sent.Authorization = `Bearer ${current.access_token}`;
  return fetch(BASE + path, {
    method,
    headers: sent,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function failureOf(response) {
  let body = {};
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's page): the status alone says what happened.
  }
  const code = typeof body.error === "string" ? body.error : `HTTP_${response.status}`;
  return new ApiFailure(response.status, code, body.message, body.details || {});
}

async function answered(method, path, options) {
  let response;
  try {
    response = await send(method, path, options);
  } catch {
    throw new ApiFailure(0, "NETWORK", "the gateway could not be reached");
  }
  const { retry = true, auth = true } = options;
  if (response.status === 401 && auth && retry && current && current.refresh_token) {
    await refresh();
    return answered(method, path, { ...options, retry: false });
  }
  if (!response.ok) throw await failureOf(response);
  return response;
}

/** A JSON call: the parsed answer, or ApiFailure. ``options``: body, query, headers. */
export async function request(method, path, options = {}) {
  const query = options.query ? `?${new URLSearchParams(clean(options.query))}` : "";
  const response = await answered(method, path + query, options);
  if (response.status === 204) return null;
  return response.json();
}

export const get = (path, query) => request("GET", path, { query });
export const post = (path, body, headers) => request("POST", path, { body: body ?? {}, headers });

/** A new Idempotency-Key: a retried click must not act twice. */
export function idempotencyKey() {
  return crypto.randomUUID();
}

function clean(query) {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ""));
}

/** Fetch a file with the user's token and hand it to the browser as a download. */
export async function download(path, fallbackName) {
  const response = await answered("GET", path, {});
  const blob = await response.blob();
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1]) : fallbackName;
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return { name, size: blob.size };
}
