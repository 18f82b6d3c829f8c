// @ts-check
/** Small helpers of the dashboard browser test: timed steps, text waits, page checks. */

/**
 * Run one named step, print its duration, prefix its error with the name.
 * @param {string} name
 * @param {() => Promise<void>} fn
 */
export async function step(name, fn) {
  const t0 = Date.now();
  process.stdout.write(`- ${name} … `);
  try {
    await fn();
  } catch (e) {
    console.log(`FAILED after ${Date.now() - t0} ms`);
    throw new Error(`step "${name}": ${e instanceof Error ? e.message : e}`, { cause: e });
  }
  console.log(`ok (${Date.now() - t0} ms)`);
}

/**
 * Wait until the locator's text matches `re`.
 * @param {import("playwright-core").Locator} locator
 * @param {RegExp} re
 * @param {number} [timeout]
 */
export async function expectText(locator, re, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let last = "";
  while (Date.now() < deadline) {
    last = (await locator.first().textContent({ timeout: Math.max(1, deadline - Date.now()) })
      .catch(() => "")) ?? "";
    if (re.test(last.trim())) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${re} in ${locator}, last text ${JSON.stringify(last.slice(0, 300))}`);
}

/** Collects what must never happen on a page: CSP violations and uncaught errors. */
export class Checks {
  /** @type {string[]} */
  problems = [];

  /** @param {import("playwright-core").Page} page */
  watch(page) {
    page.on("pageerror", (e) => this.problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      const text = m.text();
      if (/Content.Security.Policy|Refused to/i.test(text)) {
        const at = m.location();
        this.problems.push(`CSP: ${text} (at ${at.url}:${at.lineNumber}:${at.columnNumber})`);
      } else if (m.type() === "error" && !/Failed to load resource/.test(text)) {
        // Expected HTTP errors (the wrong key's 401) show as "Failed to load resource".
        this.problems.push(`console error: ${text}`);
      }
    });
  }

  assertClean() {
    if (this.problems.length) {
      throw new Error(`the page reported problems:\n  ${this.problems.join("\n  ")}`);
    }
  }
}
