import { describe, expect, it } from "vitest";
import { crumbs, join, parent, relative } from "./paths.ts";

describe("file browser paths", () => {
  it("maps absolute sandbox paths to workspace-relative ones", () => {
    expect(relative("/workspace")).toBe(".");
    expect(relative("/workspace/a/b.txt")).toBe("a/b.txt");
    expect(join(".", "x")).toBe("x");
    expect(join("a/b", "x")).toBe("a/b/x");
    expect(parent("a/b")).toBe("a");
    expect(parent("a")).toBe(".");
    expect(crumbs("a/b")).toEqual([["workspace", "."], ["a", "a"], ["b", "a/b"]]);
  });
});
