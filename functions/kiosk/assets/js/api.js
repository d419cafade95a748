// Calls to the platform's public API on this origin. Failures become an
// ApiError carrying the docs/api.md error code, its fields and Retry-After, so
// screens branch on codes, never on message texts.

export class ApiError extends Error {
  constructor(status, code, { message = '', fields = {}, retryAfter = null } = {}) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.retryAfter = retryAfter;
  }
}

function retryAfterOf(resp, fields) {
  const header = Number.parseInt(resp.headers.get('retry-after') ?? '', 10);
  if (Number.isFinite(header) && header > 0) return header;
  const field = Number(fields?.retry_after);
  return Number.isFinite(field) && field > 0 ? field : null;
}

/**
 * `method path` with an optional JSON `body`, bearer `token` and extra
 * `headers`; resolves to the Response when it is 2xx, else rejects with an
 * ApiError (status 0, code `network` when the server could not be reached).
 */
export async function call(method, path, { body, token, headers = {}, lang = 'vi' } = {}) {
  const h = { Accept: 'application/json', 'Accept-Language': lang, ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (token) h.Authorization = `Bearer ${token}`;
  let resp;
  try {
    resp = await fetch(path, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      // Nothing a citizen saw may be kept by the browser for the next one.
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (e) {
    throw new ApiError(0, 'network', { message: String(e) });
  }
  if (resp.ok) return resp;
  let error = {};
  try {
    error = (await resp.json())?.error ?? {};
  } catch {
    // Not our JSON error (a proxy's page): the status decides.
  }
  const fields = error.fields ?? {};
  throw new ApiError(resp.status, error.code ?? `http_${resp.status}`, {
    message: error.message,
    fields,
    retryAfter: retryAfterOf(resp, fields),
  });
}

/** `call` and decode the JSON answer (`null` for 204). */
export async function json(method, path, options) {
  const resp = await call(method, path, options);
  return resp.status === 204 ? null : resp.json();
}
