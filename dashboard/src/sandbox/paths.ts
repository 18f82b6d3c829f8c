/** Paths of the file browser: relative to /workspace, "." for the root. */
export const WORKSPACE = "/workspace";

/** `/workspace/a/b` → `a/b`; `/workspace` → `.`. */
export function relative(abs: string): string {
  if (abs === WORKSPACE) return ".";
  return abs.startsWith(`${WORKSPACE}/`) ? abs.slice(WORKSPACE.length + 1) : abs;
}

export function join(dir: string, name: string): string {
  return dir === "." ? name : `${dir}/${name}`;
}

export function parent(dir: string): string {
  const i = dir.lastIndexOf("/");
  return i < 0 ? "." : dir.slice(0, i);
}

/** Breadcrumbs of `dir`: [label, path] from the root. */
export function crumbs(dir: string): [string, string][] {
  const out: [string, string][] = [["workspace", "."]];
  if (dir === ".") return out;
  const parts = dir.split("/");
  parts.forEach((p, i) => out.push([p, parts.slice(0, i + 1).join("/")]));
  return out;
}

/** Hand a Blob to the browser as a download named `name`. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
