// @ts-check
/**
 * The dashboard's main flows in a real browser (Debian Chromium, headless,
 * driven by playwright-core) against a running Bay. Run by dashboard/test.sh.
 *
 * Env: BAY_URL, BAY_API_KEY, SCREENSHOT_DIR, CHROMIUM_PATH (/usr/bin/chromium).
 * Fails on any step error, on any Content-Security-Policy violation and on
 * any uncaught page error.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { Checks, expectText, step } from "./lib.mjs";

const BAY = required("BAY_URL");
const KEY = required("BAY_API_KEY");
const SHOTS = required("SCREENSHOT_DIR");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const RUN = Math.random().toString(16).slice(2, 8);

/** @param {string} name */
function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
}

/** Authenticated JSON call straight to Bay (test setup and load, not UI). */
async function bay(/** @type {string} */ method, /** @type {string} */ path, body) {
  const res = await fetch(`${BAY}${path}`, {
    method,
    headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : await res.json();
}

const shots = [];
/** @param {import("playwright-core").Page} page @param {string} name */
async function shot(page, name) {
  const path = join(SHOTS, `${String(shots.length + 1).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  shots.push(path);
  console.log(`  screenshot ${path}`);
}

async function main() {
  await mkdir(SHOTS, { recursive: true });
  const profile = await mkdtemp(join(tmpdir(), "dashboard-chromium-"));
  const files = await mkdtemp(join(tmpdir(), "dashboard-files-"));
  const t0 = Date.now();
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
  });
  console.log(`chromium ${context.browser()?.version() ?? ""} up in ${Date.now() - t0} ms`);
  const checks = new Checks();
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(30_000);
  checks.watch(page);
  let sandboxId = "";
  const skillKey = `e2e-echo-${RUN}`;

  try {
    await step("log in with an API key", async () => {
      const res = await page.goto(`${BAY}/dashboard/`);
      const csp = res?.headers()["content-security-policy"] ?? "";
      if (!/script-src 'self'/.test(csp) || /unsafe/.test(csp)) throw new Error(`weak CSP: ${csp}`);
      await page.waitForURL(/\/dashboard\/login/);
      await page.fill("input[name=api-key]", "wrong-key-0123456789abcdef");
      await page.click("button[type=submit]");
      await expectText(page.getByRole("alert"), /invalid API key/);
      await shot(page, "login-rejected");
      await page.fill("input[name=api-key]", KEY);
      await page.click("button[type=submit]");
      await page.waitForURL(/\/dashboard\/sandboxes$/);
      const stored = await page.evaluate(() => Object.values(sessionStorage));
      if (!stored.includes(KEY)) throw new Error("the key is not in sessionStorage");
    });

    await step("create a sandbox", async () => {
      await page.waitForFunction(() =>
        document.querySelector("select[name=profile]")?.value === "python-default"
      );
      await page.click("[data-testid=create-sandbox] button[type=submit]");
      await page.waitForURL(/\/dashboard\/sandboxes\/sandbox-[0-9a-f]{12}$/);
      sandboxId = /sandbox-[0-9a-f]{12}/.exec(page.url())?.[0] ?? "";
      await expectText(page.getByTestId("sandbox-summary"), new RegExp(sandboxId));
    });

    await step("run code (becomes history)", async () => {
      await page.fill(
        "textarea[name=source]",
        `echo hello-from-run-${RUN} && python3 -c 'print(6 * 7)'`,
      );
      await page.fill("[data-testid=run-panel] input[name=description]", "first run");
      await page.click("[data-testid=run-panel] button[type=submit]");
      await expectText(
        page.getByTestId("run-result"),
        new RegExp(`hello-from-run-${RUN}\\s+42`),
        90_000,
      );
      await expectText(page.getByTestId("sandbox-status"), /ready/);
      await page.getByTestId("containers").waitFor();
      await shot(page, "sandbox-overview");
    });

    await step("terminal: echo in xterm.js over the WebSocket", async () => {
      await page.getByTestId("tab-terminal").click();
      await expectText(page.getByTestId("terminal-state"), /connected/, 60_000);
      await page.getByTestId("terminal").click();
      await page.keyboard.type("echo hi-from-terminal", { delay: 15 });
      await page.keyboard.press("Enter");
      await page.waitForFunction(() =>
        [...document.querySelectorAll(".xterm-rows > div")].some((r) =>
          (r.textContent ?? "").replace(/\u00a0/g, " ").trim() === "hi-from-terminal"
        )
      );
      // xterm's own CSS (moved into adopted sheets for the CSP) applies: rows use the theme colour.
      const color = await page.$eval(".xterm-rows", (el) => getComputedStyle(el).color);
      if (color !== "rgb(226, 232, 240)") throw new Error(`xterm theme not applied (${color})`);
      await shot(page, "terminal");
    });

    await step("files: deep-link reload, upload (multipart), download", async () => {
      await page.getByTestId("tab-files").click();
      await page.waitForURL(/\/files$/);
      await page.reload(); // index.html fallback for a client route; key kept in sessionStorage
      await page.getByTestId("file-table").waitFor();
      const name = `dash-upload-${RUN}.txt`;
      const content = `uploaded by the dashboard test ${RUN}\n`;
      const local = join(files, name);
      await writeFile(local, content);
      await page.setInputFiles("[data-testid=upload-input]", local);
      await page.click("[data-testid=file-browser] form button[type=submit]");
      await expectText(page.getByTestId("upload-done"), new RegExp(name));
      const row = page.locator(`tr[data-file="${name}"]`);
      await row.waitFor();
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        row.getByTestId("download").click(),
      ]);
      if (download.suggestedFilename() !== name) {
        throw new Error(`download named ${download.suggestedFilename()}`);
      }
      const saved = join(files, `downloaded-${name}`);
      await download.saveAs(saved);
      const got = await readFile(saved, "utf8");
      if (got !== content) throw new Error(`downloaded ${JSON.stringify(got)}`);
      await shot(page, "files");
    });

    await step("history: annotate an execution, create a candidate", async () => {
      await page.getByTestId("tab-history").click();
      const row = page.locator("tr[data-exec-id]").first();
      await row.waitFor();
      const execId = await row.getAttribute("data-exec-id");
      await row.getByTestId("annotate").click();
      const form = page.getByTestId("annotate-form");
      await form.locator("input[name=description]").fill("echo and arithmetic");
      await form.locator("input[name=tags]").fill("e2e, dashboard");
      await form.locator("textarea[name=notes]").fill("annotated from the browser");
      await form.locator("button[type=submit]").click();
      const saved = page.locator(`tr[data-exec-id="${execId}"]`);
      await expectText(saved.locator("[data-col=description]"), /^echo and arithmetic$/);
      await expectText(saved.locator("[data-col=tags]"), /^dashboard,e2e$/);
      await expectText(saved.locator("[data-col=notes]"), /annotated from the browser/);
      const entry = await bay("GET", `/v1/sandboxes/${sandboxId}/history/${execId}`);
      if (entry.notes !== "annotated from the browser") throw new Error("PATCH not stored");
      await saved.locator("input[type=checkbox]").check();
      await page.getByTestId("create-candidate").click();
      const cf = page.getByTestId("candidate-form");
      await cf.locator("input[name=skill_key]").fill(skillKey);
      await cf.locator("textarea[name=summary]").fill("echo a marker and print 42");
      await cf.locator("button[type=submit]").click();
      await expectText(page.getByTestId("candidate-created"), new RegExp(skillKey));
      await shot(page, "history");
    });

    await step("skills: evaluate and promote the candidate, release health", async () => {
      await page.getByTestId("open-skills").click();
      await page.waitForURL(/\/dashboard\/skills\?skill_key=/);
      const cand = page.locator("tr[data-candidate-id]").first();
      await expectText(cand.locator("[data-col=status]"), /draft/);
      await cand.getByTestId("evaluate").click();
      const ev = page.getByTestId("evaluate-form");
      await ev.locator("input[name=score]").fill("0.95");
      await ev.locator("button[type=submit]").click();
      await expectText(cand.locator("[data-col=status]"), /evaluating/);
      await cand.getByTestId("promote").click();
      await expectText(cand.locator("[data-col=status]"), /promoted/);
      const rel = page.locator("tr[data-release-id]").first();
      await expectText(rel.locator("[data-col=version]"), /^v1$/);
      await expectText(rel.locator("[data-col=active]"), /active/);
      await rel.getByTestId("health").click();
      await expectText(page.getByTestId("health-panel"), /Observed/);
      await shot(page, "skills");
    });

    await step("operator: metrics charts with data, GC run", async () => {
      await page.getByTestId("nav-operator").click();
      // Executions while the sampler runs, so the latency chart has intervals with data.
      for (let i = 0; i < 5; i++) {
        await bay("POST", `/v1/sandboxes/${sandboxId}/shell/exec`, { command: `sleep 0.0${i}` });
        await page.waitForTimeout(1200);
      }
      await page.waitForFunction(
        () => {
          const n = (/** @type {string} */ id) =>
            Number(document.querySelector(`[data-testid=${id}]`)?.getAttribute("data-points") ?? 0);
          return n("chart-sessions") >= 5 && n("chart-exec-latency") >= 1 && n("chart-http") >= 4;
        },
        undefined,
        { timeout: 30_000 },
      );
      const paths = await page.locator("[data-testid=chart-sessions] path").count();
      if (paths === 0) throw new Error("sessions chart drew no line");
      await expectText(page.getByTestId("exec-totals"), /shell/);
      await page.getByTestId("run-gc").click();
      await expectText(page.getByTestId("gc-result"), /Last run: \d+ cleaned/);
      await shot(page, "operator");
    });

    await step("sandbox list: status filter, delete", async () => {
      await page.getByTestId("nav-sandboxes").click();
      await page.selectOption("select[name=status-filter]", "ready");
      await page.waitForURL(/status=ready/);
      const row = page.locator(`tr[data-sandbox-id="${sandboxId}"]`);
      await row.waitFor();
      await page.selectOption("select[name=status-filter]", "expired");
      await row.waitFor({ state: "detached" });
      await page.selectOption("select[name=status-filter]", "");
      await row.waitFor();
      await shot(page, "sandboxes");
      await row.getByTestId("delete-sandbox").click();
      await row.getByTestId("delete-sandbox").click(); // confirm
      await row.waitFor({ state: "detached" });
      const gone = await fetch(`${BAY}/v1/sandboxes/${sandboxId}`, {
        headers: { Authorization: `Bearer ${KEY}` },
      });
      if (gone.status !== 404) throw new Error(`deleted sandbox answers ${gone.status}`);
      sandboxId = "";
    });

    checks.assertClean();
  } catch (e) {
    await shot(page, "failure").catch(() => {});
    throw e;
  } finally {
    if (sandboxId) await bay("DELETE", `/v1/sandboxes/${sandboxId}`).catch(() => {});
    await context.close();
    await rm(profile, { recursive: true, force: true });
    await rm(files, { recursive: true, force: true });
  }
  console.log(`\nall dashboard flows passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`screenshots:\n${shots.map((s) => `  ${s}`).join("\n")}`);
}

main().catch((e) => {
  console.error(`\nFAILED: ${e instanceof Error ? e.stack ?? e.message : e}`);
  if (shots.length) console.error(`screenshots so far:\n${shots.map((s) => `  ${s}`).join("\n")}`);
  process.exit(1);
});
