import type { ComponentChildren } from "preact";
import { href, navigate } from "../router.ts";

/** An in-app link: a real href (open in new tab works), client navigation on plain click. */
export function Link(
  props: { to: string; class?: string; children: ComponentChildren; testid?: string },
) {
  return (
    <a
      href={href(props.to)}
      class={props.class}
      data-testid={props.testid}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}
