/**
 * How the map draws a node: colour and shape per device type, and its Purdue row for the
 * hierarchical layout (levels 0–3 bottom to top, IT above, the outside world on top).
 *
 * @module
 */

/** Colour and vis-network shape of a device type. */
export interface NodeLook {
  color: string;
  shape: string;
}

const LOOKS: Record<string, NodeLook> = {
  plc: { color: "#dc2626", shape: "box" },
  rtu: { color: "#ea580c", shape: "box" },
  ied: { color: "#d97706", shape: "box" },
  io_device: { color: "#ca8a04", shape: "diamond" },
  hmi: { color: "#7c3aed", shape: "ellipse" },
  engineering_workstation: { color: "#9333ea", shape: "ellipse" },
  historian: { color: "#0891b2", shape: "database" },
  switch: { color: "#0f766e", shape: "hexagon" },
  router: { color: "#0d9488", shape: "hexagon" },
  firewall: { color: "#115e59", shape: "hexagon" },
  server: { color: "#2563eb", shape: "database" },
  workstation: { color: "#3b82f6", shape: "ellipse" },
  external: { color: "#6b7280", shape: "star" },
  subnet: { color: "#059669", shape: "box" },
  vlan: { color: "#10b981", shape: "box" },
  zone: { color: "#047857", shape: "box" },
};

const DEFAULT_LOOK: NodeLook = { color: "#64748b", shape: "dot" };

/** The look of a node of `type`. */
export function lookOf(type: string): NodeLook {
  return LOOKS[type] ?? DEFAULT_LOOK;
}

/** The hierarchical row of a node: its Purdue level 0–3, IT (no level, 4+) as 4, external as 5. */
export function purdueRow(type: string, level: number | null): number {
  if (type === "external") return 5;
  if (level === null || level > 4) return 4;
  return Math.max(0, level);
}
