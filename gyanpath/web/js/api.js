// Talking to the gyanpath API: the stored key, JSON requests, errors in the API's shape, server-sent events.

const KEY_STORAGE = "gyanpath.apiKey";

export const apiKey = {
  get: () => localStorage.getItem(KEY_STORAGE),
  set: (token) => localStorage.setItem(KEY_STORAGE, token.trim()),
  clear: () => localStorage.removeItem(KEY_STORAGE),
};

/** An error answered by the API ({"error", "detail", "field"}) or a failure to reach it. */
export class ApiError extends Error {
  constructor(status, body) {
    const detail = body && typeof body.detail === "string" ? body.detail : null;
    super(detail || (status ? `the service answered ${status}` : "the service could not be reached"));
    this.status = status;
    this.code = body && body.error;
    this.field = body && body.field;
  }
}

let unauthorized = () => {};

/** Called with the error whenever the API refuses the key (401): the UI asks for a key again. */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

export async function request(path, { method = "GET", body, signal, accept = "application/json" } = {}) {
  const headers = { Accept: accept };
  const token = apiKey.get();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, null);
  }
  if (!response.ok) throw await failure(response);
  return response;
}

async function failure(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: the status alone says what happened
  }
  const error = new ApiError(response.status, body);
  if (response.status === 401) unauthorized(error);
  return error;
}

export const getJson = async (path, options) => (await request(path, options)).json();

export const postJson = async (path, body, options = {}) =>
  (await request(path, { ...options, method: "POST", body })).json();

export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.append(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** POST a JSON body and yield each server-sent event as {event, data} (data parsed as JSON) as it arrives. */
export async function* streamEvents(path, body, { signal } = {}) {
  const response = await request(path, { method: "POST", body, signal, accept: "text/event-stream" });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parseEvent(block);
      if (event) yield event;
    }
  }
  const last = parseEvent(buffer);
  if (last) yield last;
}

function parseEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  return data.length ? { event, data: JSON.parse(data.join("\n")) } : null;
}
