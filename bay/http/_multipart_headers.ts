/**
 * Header parsing for `multipart.ts`: the Content-Type's parameters and each
 * part's header block. Private: import `multipart.ts` instead.
 *
 * @module
 */
import { MultipartError } from "./_multipart_scan.ts";

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The primary value (lower-cased) and parameters of a header such as Content-Type. */
export interface HeaderValue {
  value: string;
  params: Map<string, string>;
}

/**
 * Parses `value; key=token; key="quoted"`. With `escapes`, a backslash in a
 * quoted string escapes the next character (RFC 9110); without, backslashes are
 * literal (WHATWG form encoding). Returns null when malformed.
 */
export function parseHeaderValue(s: string, escapes: boolean): HeaderValue | null {
  const n = s.length;
  let i = s.indexOf(";");
  if (i === -1) i = n;
  const value = s.slice(0, i).trim().toLowerCase();
  const params = new Map<string, string>();
  const skipWs = () => {
    while (i < n && (s[i] === " " || s[i] === "\t")) i++;
  };
  while (i < n) {
    i++; // the ';'
    skipWs();
    if (i >= n) break;
    const eq = s.indexOf("=", i);
    if (eq === -1) return null;
    const key = s.slice(i, eq).trim().toLowerCase();
    if (!TOKEN.test(key) || params.has(key)) return null;
    i = eq + 1;
    skipWs();
    let val = "";
    if (s[i] === '"') {
      for (i++;; i++) {
        if (i >= n) return null;
        if (s[i] === '"') break;
        if (escapes && s[i] === "\\" && i + 1 < n) i++;
        val += s[i];
      }
      i++;
      if (!escapes) {
        val = val.replace(/%(0A|0D|22)/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
      }
    } else {
      const start = i;
      while (i < n && s[i] !== ";") i++;
      val = s.slice(start, i).trim();
      if (val === "") return null;
    }
    skipWs();
    if (i < n && s[i] !== ";") return null;
    params.set(key, val);
  }
  return { value, params };
}

/** Decodes an RFC 5987 `charset'lang'pct-encoded` value; null for an unsupported charset. */
function decodeExtValue(v: string): string | null {
  const m = /^([^']*)'[^']*'(.*)$/.exec(v);
  if (m === null) throw new MultipartError("malformed filename* parameter");
  const charset = m[1].toLowerCase();
  if (charset !== "utf-8" && charset !== "iso-8859-1") return null;
  const bytes: number[] = [];
  const s = m[2];
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== "%") {
      const c = s.charCodeAt(i);
      if (c > 0x7e) throw new MultipartError("malformed filename* parameter");
      bytes.push(c);
    } else if (/^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else throw new MultipartError("malformed filename* parameter");
  }
  try {
    return new TextDecoder(charset, { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    throw new MultipartError("filename* is not valid UTF-8");
  }
}

/** Name, filename and content type of a part. */
export interface PartInfo {
  name: string;
  filename: string | null;
  contentType: string | null;
}

/** Parses a raw part header block; throws `MultipartError` when malformed. */
export function parsePartHeaders(block: Uint8Array): PartInfo {
  const lines: string[] = [];
  for (const line of new TextDecoder().decode(block).split("\r\n")) {
    if ((line[0] === " " || line[0] === "\t") && lines.length > 0) {
      lines[lines.length - 1] += " " + line.trim(); // obsolete line folding
    } else if (line !== "") lines.push(line);
  }
  let disposition: string | undefined;
  let contentType: string | null = null;
  for (const line of lines) {
    const colon = line.indexOf(":");
    const key = colon === -1 ? "" : line.slice(0, colon).toLowerCase();
    if (!TOKEN.test(key)) throw new MultipartError("malformed part header line");
    const value = line.slice(colon + 1).trim();
    if (key === "content-disposition") {
      if (disposition !== undefined) throw new MultipartError("duplicate Content-Disposition");
      disposition = value;
    } else if (key === "content-type") {
      if (contentType !== null) throw new MultipartError("duplicate part Content-Type");
      contentType = value;
    }
  }
  if (disposition === undefined) throw new MultipartError("part has no Content-Disposition");
  const cd = parseHeaderValue(disposition, false) ?? parseHeaderValue(disposition, true);
  if (cd === null || cd.value !== "form-data") {
    throw new MultipartError("malformed Content-Disposition (expected form-data)");
  }
  const name = cd.params.get("name");
  if (name === undefined) throw new MultipartError("Content-Disposition has no name");
  const ext = cd.params.get("filename*");
  const filename = (ext === undefined ? null : decodeExtValue(ext)) ??
    cd.params.get("filename") ?? null;
  return { name, filename, contentType: contentType || null };
}
