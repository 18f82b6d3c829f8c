import assert from "node:assert/strict";
import { isUnavailable, StoreUnavailableError, toStoreError } from "./errors.ts";

const withCode = (code: string, message = "x") => Object.assign(new Error(message), { code });

Deno.test("isUnavailable: connection failures and server shutdowns", () => {
  for (
    const code of [
      "ECONNREFUSED",
      "ECONNRESET",
      "ETIMEDOUT",
      "CONNECTION_CLOSED",
      "CONNECT_TIMEOUT",
    ]
  ) {
    assert.ok(isUnavailable(withCode(code)), code);
  }
  for (const code of ["08000", "08006", "08P01", "57P01", "57P02", "57P03", "53300"]) {
    assert.ok(isUnavailable(withCode(code)), code);
  }
  assert.ok(isUnavailable(new Error("the database system is shutting down")));
  assert.ok(isUnavailable(new Error("Connection terminated unexpectedly")));
  assert.ok(isUnavailable(new Error("PGlite is closed")));
  assert.ok(isUnavailable(new Deno.errors.ConnectionRefused("refused")));
  assert.ok(isUnavailable(new StoreUnavailableError("gone")));
});

Deno.test("isUnavailable: ordinary errors are not", () => {
  for (const code of ["23505", "42P01", "40001", "57014", "28P01", "ENOENT"]) {
    assert.ok(!isUnavailable(withCode(code)), code);
  }
  // A server answer is judged by its SQLSTATE only, never by its text.
  assert.ok(!isUnavailable(withCode("P0001", "connection terminated by user code")));
  assert.ok(!isUnavailable(new Error("boom")));
  assert.ok(!isUnavailable("ECONNREFUSED"));
  assert.ok(!isUnavailable(null));
});

Deno.test("toStoreError wraps with cause, passes others through", () => {
  const refused = withCode("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1");
  const wrapped = toStoreError(refused);
  assert.ok(wrapped instanceof StoreUnavailableError);
  assert.equal(wrapped.cause, refused);
  assert.match(wrapped.message, /ECONNREFUSED/);
  const unique = withCode("23505");
  assert.equal(toStoreError(unique), unique);
  assert.equal(toStoreError(wrapped), wrapped);
});
