/* The page's one way to the server: JSON in and out, a refusal thrown as an Error with its status and hint. */
export async function api(method, path, body) {
  const res = await fetch(path, { method, credentials: "same-origin",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => ({ ok: false, error: "bad answer from the server (" + res.status + ")" }));
  if (!res.ok || data.ok === false) { const e = new Error(data.error || "request failed"); e.status = res.status; e.hint = data.hint; throw e; }
  return data;
}
