/**
 * The browser entry of the topology map's own bundle (vis-network is too large for every page):
 * renders {@linkcode TopologyMap} into the page's `data-island="TopologyMap"` marker, from the JSON
 * props the server wrote beside it.
 *
 * @module
 */

import { h, render } from "preact";
import { TopologyMap } from "./topology_map.tsx";

for (const marker of document.querySelectorAll<HTMLElement>('[data-island="TopologyMap"]')) {
  const source = document.getElementById(marker.dataset.props ?? "");
  try {
    const props = source?.textContent ? JSON.parse(source.textContent) : {};
    marker.replaceChildren();
    render(h(TopologyMap, props), marker);
    marker.dataset.hydrated = "true";
  } catch (error) {
    console.error("netsentinel: the topology map failed", error);
  }
}
