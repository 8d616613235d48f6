/**
 * Props of the topology map island, written by the page (web/ui/pages/topology.tsx) as JSON.
 *
 * @module
 */

/** A node as the map draws it. */
export interface MapNode {
  id: string;
  label: string;
  type: string;
  vendor: string | null;
  vlans: number[];
  purdue_level: number | null;
  bytes: number;
  devices: number;
  ips: string[];
  device_id: number | null;
  mac_address: string | null;
  x?: number;
  y?: number;
}

/** An edge as the map draws it. */
export interface MapEdge {
  source: string;
  target: string;
  protocols: string[];
  packets: number;
  bytes: number;
}

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
