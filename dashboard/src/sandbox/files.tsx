import { useRef, useState } from "preact/hooks";
import { files } from "../api/bay.ts";
import { bytes, ConfirmButton, ErrorBox, Section } from "../components/ui.tsx";
import { useAction, useResource } from "../hooks.ts";
import { crumbs, join, parent, relative, saveBlob } from "./paths.ts";

/** Browse /workspace: navigate directories, upload (multipart), download, delete. */
export function FileBrowser({ id }: { id: string }) {
  const [dir, setDir] = useState(".");
  const [showHidden, setShowHidden] = useState(false);
  const listing = useResource(() => files.list(id, dir, showHidden), [id, dir, showHidden]);
  const input = useRef<HTMLInputElement>(null);
  const [uploaded, setUploaded] = useState<string | null>(null);

  const upload = useAction(async () => {
    const chosen = Array.from(input.current?.files ?? []);
    for (const f of chosen) {
      const r = await files.upload(id, join(dir, f.name), f, f.name);
      setUploaded(`${r.path} (${bytes(r.size)})`);
    }
    if (input.current) input.current.value = "";
    listing.reload();
  });
  const download = useAction(async (path: string, name: string) => {
    saveBlob(await files.download(id, path), name);
  });
  const remove = useAction(async (path: string) => {
    await files.remove(id, path);
    listing.reload();
  });

  const entries = listing.data?.entries ?? [];

  return (
    <Section
      title="Files"
      testid="file-browser"
      actions={
        <>
          <label class="inline small">
            <input
              type="checkbox"
              checked={showHidden}
              onChange={(e) => setShowHidden(e.currentTarget.checked)}
            />
            hidden
          </label>
          <button type="button" onClick={listing.reload}>Refresh</button>
        </>
      }
    >
      <nav class="crumbs" data-testid="file-path">
        {crumbs(dir).map(([label, path], i) => (
          <span key={path}>
            {i > 0 && " / "}
            <button type="button" class="linkish" onClick={() => setDir(path)}>{label}</button>
          </span>
        ))}
      </nav>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void upload.run();
        }}
      >
        <input ref={input} type="file" name="file" multiple data-testid="upload-input" />
        <button type="submit" class="primary" disabled={upload.busy}>
          {upload.busy ? "Uploading…" : `Upload to ${dir === "." ? "/workspace" : dir}`}
        </button>
        {uploaded && <span class="muted small" data-testid="upload-done">uploaded {uploaded}</span>}
      </form>
      <ErrorBox error={listing.error ?? upload.error ?? download.error ?? remove.error} />
      <table data-testid="file-table">
        <thead>
          <tr>
            <th>Name</th>
            <th class="right">Size</th>
            <th>Modified</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {dir !== "." && (
            <tr>
              <td colSpan={4}>
                <button type="button" class="linkish" onClick={() => setDir(parent(dir))}>
                  ..
                </button>
              </td>
            </tr>
          )}
          {entries.map((e) => {
            const rel = relative(e.path);
            return (
              <tr key={e.path} data-file={e.name}>
                <td>
                  {e.is_dir
                    ? (
                      <button type="button" class="linkish dir" onClick={() => setDir(rel)}>
                        {e.name}/
                      </button>
                    )
                    : <span class="mono">{e.name}</span>}
                </td>
                <td class="right">{e.is_file ? bytes(e.size) : ""}</td>
                <td>{new Date(e.modified_time * 1000).toLocaleString()}</td>
                <td class="right">
                  {e.is_file && (
                    <button
                      type="button"
                      data-testid="download"
                      onClick={() => download.run(rel, e.name)}
                    >
                      Download
                    </button>
                  )}
                  <ConfirmButton disabled={remove.busy} onConfirm={() => remove.run(rel)}>
                    Delete
                  </ConfirmButton>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {listing.data && entries.length === 0 && <p class="muted">Empty directory.</p>}
    </Section>
  );
}
