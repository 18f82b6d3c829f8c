import { useEffect } from "preact/hooks";
import { setUnauthorizedHandler } from "./api/client.ts";
import { clearApiKey, getApiKey } from "./auth.ts";
import { Link } from "./components/link.tsx";
import { LoginPage } from "./pages/login.tsx";
import { OperatorPage } from "./pages/operator.tsx";
import { SandboxPage } from "./pages/sandbox.tsx";
import { SandboxesPage } from "./pages/sandboxes.tsx";
import { SkillsPage } from "./pages/skills.tsx";
import { match, navigate, useLocation } from "./router.ts";

const NAV = [
  ["/sandboxes", "Sandboxes"],
  ["/skills", "Skills"],
  ["/operator", "Operator"],
] as const;

export function App() {
  const loc = useLocation();
  const authed = getApiKey() !== null;

  useEffect(() => {
    setUnauthorizedHandler(() =>
      navigate(`/login?next=${encodeURIComponent(loc.path)}`, { replace: true })
    );
  }, [loc.path]);
  useEffect(() => {
    if (!authed && loc.path !== "/login") {
      navigate(`/login?next=${encodeURIComponent(loc.path)}`, { replace: true });
    } else if (authed && loc.path === "/") navigate("/sandboxes", { replace: true });
  }, [authed, loc.path]);

  if (!authed || loc.path === "/login") {
    return <LoginPage next={loc.query.get("next") ?? "/sandboxes"} />;
  }
  return (
    <div class="shell">
      <header class="topbar">
        <span class="brand">Shipyard Neo</span>
        <nav>
          {NAV.map(([to, label]) => (
            <Link
              key={to}
              to={to}
              class={loc.path.startsWith(to) ? "active" : ""}
              testid={`nav-${label.toLowerCase()}`}
            >
              {label}
            </Link>
          ))}
        </nav>
        <button
          type="button"
          class="logout"
          onClick={() => {
            clearApiKey();
            navigate("/login", { replace: true });
          }}
        >
          Log out
        </button>
      </header>
      <Routes path={loc.path} query={loc.query} />
    </div>
  );
}

function Routes({ path, query }: { path: string; query: URLSearchParams }) {
  let m: Record<string, string> | null;
  if ((m = match("/sandboxes/:id/:tab?", path))) {
    return <SandboxPage key={m.id} id={m.id!} tab={m.tab ?? "overview"} />;
  }
  if (match("/sandboxes", path)) return <SandboxesPage status={query.get("status") ?? ""} />;
  if (match("/skills", path)) return <SkillsPage skillKey={query.get("skill_key") ?? ""} />;
  if (match("/operator", path)) return <OperatorPage />;
  return (
    <div class="page">
      <p>
        Nothing at <span class="mono">{path}</span>. <Link to="/sandboxes">Sandboxes</Link>
      </p>
    </div>
  );
}
