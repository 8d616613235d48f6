/**
 * The server side of an island: a marker element the browser bundle finds (`data-island`), its
 * props as JSON in a `<script type="application/json">` (no inline script runs: the CSP forbids it)
 * and the server-rendered children, which the island replaces or takes over once it runs.
 *
 * @module
 */

import type { ComponentChildren } from "preact";

/** JSON safe inside a `<script>` element: `<`, `>`, `&` and line separators escaped. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

let counter = 0;

/** Props of {@linkcode Island}. */
export interface IslandProps {
  /** The island's name in web/ui/islands/registry.ts. */
  name: string;
  props: unknown;
  /** Class of the marker element. */
  class?: string;
  /** The children are what the island renders first (hydrate them); else they are a placeholder to replace. */
  hydrate?: boolean;
  children?: ComponentChildren;
}

/** An island marker with its props and its server-rendered content. */
export function Island({ name, props, class: className, hydrate, children }: IslandProps) {
  const id = `island-props-${++counter}`;
  return (
    <>
      <div data-island={name} data-props={id} data-hydrate={hydrate ? "true" : undefined} class={className}>
        {children}
      </div>
      <script type="application/json" id={id} dangerouslySetInnerHTML={{ __html: scriptJson(props) }} />
    </>
  );
}
