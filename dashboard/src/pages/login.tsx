import { useState } from "preact/hooks";
import { api } from "../api/client.ts";
import { setApiKey } from "../auth.ts";
import { ErrorBox } from "../components/ui.tsx";
import { navigate } from "../router.ts";

/** Log in with an API key: checked against Bay, then kept in sessionStorage. */
export function LoginPage({ next }: { next: string }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api("GET", "/v1/sandboxes?limit=1", { key: key.trim() });
      setApiKey(key.trim());
      navigate(next.startsWith("/") && next !== "/login" ? next : "/sandboxes", { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="card" onSubmit={submit} data-testid="login-form">
        <h1>Shipyard Neo</h1>
        <p class="muted">Log in with a Bay API key. It stays in this tab only (sessionStorage).</p>
        <label>
          API key
          <input
            name="api-key"
            type="password"
            autocomplete="off"
            required
            minLength={16}
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
          />
        </label>
        <ErrorBox error={error} />
        <button type="submit" class="primary" disabled={busy || key.trim().length === 0}>
          {busy ? "Checking…" : "Log in"}
        </button>
      </form>
    </main>
  );
}
