/**
 * The logical topology as GraphML (http://graphml.graphdrawing.org/): one `<node>` per node and one
 * undirected `<edge>` per edge, their fields as declared `<key>`s, for Gephi, yEd or NetworkX.
 *
 * @module
 */

import type { Topology } from "./topology.ts";

const NODE_KEYS = ["label", "type", "vendor", "vlans", "purdue_level", "bytes", "ips"] as const;
const EDGE_KEYS = ["protocols", "packets", "bytes", "first_seen", "last_seen"] as const;
const NUMERIC = new Set(["purdue_level", "bytes", "packets"]);

/** `text` escaped for XML content and attributes (and stripped of characters XML 1.0 cannot hold). */
export function xmlEscape(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "").replace(
    /[<>&"']/g,
    (char) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[char]!,
  );
}

function value(field: unknown): string {
  return Array.isArray(field) ? field.join(",") : String(field);
}

function data(key: string, field: unknown): string {
  return field === null || field === undefined ? "" : `<data key="${key}">${xmlEscape(value(field))}</data>`;
}

/** The GraphML document of `topology`. */
export function topologyGraphml(topology: Topology): string {
  const keys = [
    ...NODE_KEYS.map((key) =>
      `<key id="n_${key}" for="node" attr.name="${key}" attr.type="${
        NUMERIC.has(key) ? "double" : "string"
      }"/>`
    ),
    ...EDGE_KEYS.map((key) =>
      `<key id="e_${key}" for="edge" attr.name="${key}" attr.type="${
        NUMERIC.has(key) ? "double" : "string"
      }"/>`
    ),
  ];
  const nodes = topology.nodes.map((node) =>
    `<node id="${xmlEscape(node.id)}">${NODE_KEYS.map((key) => data(`n_${key}`, node[key])).join("")}</node>`
  );
  const edges = topology.edges.map((edge) =>
    `<edge source="${xmlEscape(edge.source)}" target="${xmlEscape(edge.target)}">${
      EDGE_KEYS.map((key) => data(`e_${key}`, edge[key])).join("")
    }</edge>`
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    ...keys,
    `<graph id="${topology.level}" edgedefault="undirected">`,
    ...nodes,
    ...edges,
    "</graph>",
    "</graphml>",
    "",
  ].join("\n");
}
