/**
 * The browser entry of the island bundle (`deno bundle --platform browser`, one run, so Preact is
 * loaded once): finds every island marker of the page, reads its props from the JSON script the
 * server wrote beside it, and renders the island into the marker over the server's HTML.
 *
 * @module
 */

import { h, render } from "preact";
import { ISLANDS } from "./registry.ts";

for (const marker of document.querySelectorAll<HTMLElement>("[data-island]")) {
  const component = ISLANDS[marker.dataset.island ?? ""];
  if (!component) continue;
  const source = document.getElementById(marker.dataset.props ?? "");
  try {
    const props = source?.textContent ? JSON.parse(source.textContent) : {};
    render(h(component, props), marker);
    marker.dataset.hydrated = "true";
  } catch (error) {
    console.error(`netsentinel: island ${marker.dataset.island} failed`, error);
  }
}
