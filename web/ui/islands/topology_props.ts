/**
 * Props of the topology map island, written by the page (web/ui/pages/topology.tsx) as JSON.
 *
 * @module
 */

import type { TopologyEdge, TopologyNode } from "../../../storage/read/topology.ts";

/** A node as the map draws it: the API's own node (type-only import: no code in the bundle). */
export type MapNode = TopologyNode;

/** An edge as the map draws it: the part of the API's edge the page passes on. */
export type MapEdge = Pick<TopologyEdge, "source" | "target" | "protocols" | "packets" | "bytes">;

/** The words the island shows (the page translates them). */
export interface MapWords {
  search: string;
  layout: string;
  force: string;
  purdue: string;
  type: string;
  vendor: string;
  vlans: string;
  purdueLevel: string;
  addresses: string;
  bytes: string;
  open: string;
  close: string;
  saved: string;
  saveFailed: string;
  notFound: string;
  map: string;
  png: string;
}

/** Props of the island. */
export interface TopologyMapProps {
  nodes: MapNode[];
  edges: MapEdge[];
  /** The user may move nodes for everyone (operator and above). */
  canMove: boolean;
  words: MapWords;
}
