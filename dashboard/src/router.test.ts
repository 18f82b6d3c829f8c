import { describe, expect, it } from "vitest";
import { match } from "./router.ts";

describe("match", () => {
  it("binds params, optional tails and rejects others", () => {
    expect(match("/sandboxes/:id/:tab?", "/sandboxes/sandbox-1/files")).toEqual({
      id: "sandbox-1",
      tab: "files",
    });
    expect(match("/sandboxes/:id/:tab?", "/sandboxes/sandbox-1")).toEqual({ id: "sandbox-1" });
    expect(match("/sandboxes/:id/:tab?", "/sandboxes")).toBeNull();
    expect(match("/sandboxes/:id/:tab?", "/sandboxes/a/b/c")).toBeNull();
    expect(match("/skills", "/skills/")).toEqual({});
    expect(match("/skills", "/operator")).toBeNull();
    expect(match("/sandboxes/:id", "/sandboxes/a%20b")).toEqual({ id: "a b" });
  });
});
