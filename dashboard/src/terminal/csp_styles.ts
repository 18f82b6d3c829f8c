/**
 * xterm.js writes its dynamic CSS (theme colours, cell sizes, scrollbar)
 * into `<style>` elements it creates while opening. Bay's Content-Security-
 * Policy (`style-src 'self'`, no 'unsafe-inline') refuses inline style
 * blocks, even empty ones.
 *
 * `withAdoptedStyles` runs a function (the terminal's `open()`) while
 * `document.createElement("style")` hands out inert `<template>` elements
 * whose `textContent` goes into a constructed stylesheet adopted by the
 * document: same rules, same updates (xterm keeps a reference and re-assigns
 * `textContent`; it only ever sets `textContent` and calls `remove()`), and
 * no inline style block for the policy to refuse. The returned `dispose`
 * drops those sheets.
 */
export function withAdoptedStyles(doc: Document, open: () => void): () => void {
  const sheets: CSSStyleSheet[] = [];
  const original = doc.createElement;
  const patched = function (this: Document, tag: string, options?: ElementCreationOptions) {
    if (tag.toLowerCase() !== "style") return original.call(this, tag, options);
    const standIn = original.call(this, "template");
    adopt(doc, standIn, sheets);
    return standIn;
  };
  Object.defineProperty(doc, "createElement", {
    value: patched,
    configurable: true,
    writable: true,
  });
  try {
    open();
  } finally {
    // Back to Document.prototype.createElement.
    delete (doc as { createElement?: unknown }).createElement;
  }
  return () => {
    doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => !sheets.includes(s));
  };
}

function adopt(doc: Document, el: HTMLElement, sheets: CSSStyleSheet[]): void {
  const sheet = new CSSStyleSheet();
  sheets.push(sheet);
  doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
  let text = "";
  Object.defineProperty(el, "textContent", {
    configurable: true,
    get: () => text,
    set: (value: string | null) => {
      text = value ?? "";
      sheet.replaceSync(text);
    },
  });
}
