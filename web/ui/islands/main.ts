/**
 * The browser entry of the island bundle (`deno bundle --platform browser`, one run, so Preact is
 * loaded once): finds every island marker of the page, reads its props from the JSON script the
 * server wrote beside it, and hydrates the server's HTML (`data-hydrate`: the island renders the same
 * markup first) or replaces the server's placeholder with the island.
 *
 * @module
 */

import { h, hydrate, render } from "preact";
import { ISLANDS } from "./registry.ts";

for (const marker of document.querySelectorAll<HTMLElement>("[data-island]")) {
  const component = ISLANDS[marker.dataset.island ?? ""];
  if (!component) continue;
  const source = document.getElementById(marker.dataset.props ?? "");
  try {
    const props = source?.textContent ? JSON.parse(source.textContent) : {};
    if (marker.dataset.hydrate === "true") hydrate(h(component, props), marker);
    else {
      marker.replaceChildren();
      render(h(component, props), marker);
    }
    marker.dataset.hydrated = "true";
  } catch (error) {
    console.error(`netsentinel: island ${marker.dataset.island} failed`, error);
  }
}
