// What the page's modules share: building elements (data always as text), query strings, the API.

/** An element with attributes and children; strings become text nodes, so data stays text. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

/** "?a=1&b=2" without the blank parameters (blank means "not given" to the API anyway). */
export function queryString(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") search.set(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export function outletName(source) {
  return source || "unknown outlet";
}

export function badge(text, extra = "") {
  return el("span", { class: `badge ${extra}`.trim() }, text);
}

/** GET a JSON document; an API error ({"error": ...}) becomes an Error with that message. */
export async function getJSON(path, params = {}) {
  let response;
  try {
    response = await fetch(path + queryString(params), { headers: { Accept: "application/json" } });
  } catch (error) {
    throw new Error(`cannot reach the dateline server (${error.message})`);
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: reported below by status
  }
  if (!response.ok) {
    throw new Error(body && body.error ? body.error : `${path}: ${response.status} ${response.statusText}`);
  }
  return body;
}
