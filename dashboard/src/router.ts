/**
 * A tiny History-API router under `/dashboard`. Bay answers every client
 * route with index.html, so deep links and reloads work.
 */
import { useEffect, useState } from "preact/hooks";

export const BASE = "/dashboard";
const EVENT = "dashboard:navigate";

/** The current path below BASE, e.g. `/sandboxes/sandbox-…/files`, and its query. */
export interface Location {
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : "/";
  return { path: p === "" ? "/" : p, query: new URLSearchParams(location.search) };
}

export function href(path: string): string {
  return `${BASE}${path}`;
}

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  const url = href(path);
  if (opts.replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  dispatchEvent(new Event(EVENT));
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    addEventListener("popstate", update);
    addEventListener(EVENT, update);
    return () => {
      removeEventListener("popstate", update);
      removeEventListener(EVENT, update);
    };
  }, []);
  return loc;
}

/** Match `pattern` (`/sandboxes/:id/:tab?`) against `path`; params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const ps = pattern.split("/").filter(Boolean);
  const xs = path.split("/").filter(Boolean);
  const params: Record<string, string> = {};
  if (xs.length > ps.length) return null;
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    const x = xs[i];
    const optional = p.endsWith("?");
    const name = p.replace(/^:|\?$/g, "");
    if (x === undefined) {
      if (optional) continue;
      return null;
    }
    if (p.startsWith(":")) params[name] = decodeURIComponent(x);
    else if (p !== x) return null;
  }
  return params;
}
