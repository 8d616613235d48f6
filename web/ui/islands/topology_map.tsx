/**
 * Island: the logical topology drawn by vis-network (its ESM "peer" build, which injects no
 * `<style>`: the CSP allows only the stylesheet). Force layout by default (physics stopped once
 * stable), or hierarchical by Purdue level; colour and shape per device type; a click opens the
 * node's summary with a link to its page; a search box focuses a node; an operator who drags a node
 * saves its position for everyone (`PUT /api/v1/topology/positions`).
 *
 * The drawn node count, the stable state and the saved count are written as `data-` attributes of
 * the map, and the network is `globalThis.netsentinelTopology` (for tests and the console).
 *
 * @module
 */

import { useEffect, useRef, useState } from "preact/hooks";
import { DataSet } from "vis-data/peer/esm/vis-data.js";
import { type Edge, Network, type Node, type Options } from "vis-network/peer/esm/vis-network.js";
import { formatBytes } from "../components/format.ts";
import type { MapNode, TopologyMapProps } from "./topology_props.ts";
import { lookOf, purdueRow } from "./topology_style.tsx";

type Layout = "force" | "purdue";

function visNodes(nodes: MapNode[], layout: Layout): Node[] {
  return nodes.map((node) => {
    const look = lookOf(node.type);
    const placed = layout === "force" && node.x !== undefined && node.y !== undefined;
    return {
      id: node.id,
      label: node.label,
      shape: look.shape,
      color: look.color,
      font: {
        color: look.shape === "box" || look.shape === "ellipse" || look.shape === "database"
          ? "#ffffff"
          : "#888888",
      },
      level: purdueRow(node.type, node.purdue_level),
      ...(placed ? { x: node.x, y: node.y, physics: false } : {}),
    };
  });
}

function visEdges(props: TopologyMapProps): Edge[] {
  const max = Math.max(1, ...props.edges.map((edge) => edge.bytes));
  return props.edges.map((edge, index) => ({
    id: `e${index}`,
    from: edge.source,
    to: edge.target,
    title: edge.protocols.join(", "),
    width: 1 + 5 * Math.sqrt(edge.bytes / max),
    color: { color: "#94a3b8", highlight: "#2563eb" },
  }));
}

/** `placed`: some nodes have saved positions (vis-network's improved layout would move them all). */
function optionsOf(layout: Layout, placed: boolean): Options {
  return {
    autoResize: true,
    interaction: { hover: true, dragNodes: true, tooltipDelay: 200 },
    physics: layout === "force"
      ? { enabled: true, solver: "forceAtlas2Based", stabilization: { iterations: 300, fit: true } }
      : { enabled: false },
    layout: layout === "purdue"
      ? { hierarchical: { enabled: true, direction: "DU", sortMethod: "directed", levelSeparation: 120 } }
      : { hierarchical: { enabled: false }, randomSeed: 7, improvedLayout: !placed },
    edges: { smooth: false },
  };
}

async function savePositions(positions: { id: string; x: number; y: number }[]): Promise<boolean> {
  const answer = await fetch("/api/v1/topology/positions", {
    method: "PUT",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ positions }),
  });
  await answer.body?.cancel();
  return answer.ok;
}

/** The topology map. */
export function TopologyMap(props: TopologyMapProps) {
  const { words } = props;
  const frame = useRef<HTMLDivElement>(null);
  const network = useRef<Network | null>(null);
  const [layout, setLayout] = useState<Layout>("force");
  const [selected, setSelected] = useState<MapNode | null>(null);
  const [status, setStatus] = useState("");
  const [stable, setStable] = useState(false);
  const [saved, setSaved] = useState(0);
  const [query, setQuery] = useState("");
  const byId = new Map(props.nodes.map((node) => [node.id, node]));

  useEffect(() => {
    const parent = frame.current;
    if (!parent) return;
    setStable(false);
    const nodes = new DataSet<Node>(visNodes(props.nodes, layout));
    const edges = new DataSet<Edge>(visEdges(props));
    const map = new Network(
      parent,
      { nodes, edges },
      optionsOf(layout, props.nodes.some((node) => node.x !== undefined)),
    );
    network.current = map;
    (globalThis as Record<string, unknown>).netsentinelTopology = map;
    parent.dataset.nodes = String(nodes.length);
    const settle = () => {
      map.setOptions({ physics: { enabled: false } });
      setStable(true);
    };
    if (layout === "force" && props.nodes.some((node) => node.x === undefined)) {
      map.once("stabilizationIterationsDone", settle);
    } else {
      map.once("afterDrawing", settle);
    }
    map.on("click", (params: { nodes: (string | number)[] }) => {
      const id = params.nodes[0];
      setSelected(id === undefined ? null : byId.get(String(id)) ?? null);
    });
    map.on("dragEnd", async (params: { nodes: (string | number)[] }) => {
      if (!props.canMove || layout !== "force" || params.nodes.length === 0) return;
      const where = map.getPositions(params.nodes);
      const positions = Object.entries(where).map(([id, point]) => ({
        id,
        x: Math.round(point.x),
        y: Math.round(point.y),
      }));
      const ok = await savePositions(positions);
      setStatus(ok ? words.saved : words.saveFailed);
      if (ok) setSaved((count) => count + positions.length);
    });
    return () => {
      map.destroy();
      network.current = null;
    };
  }, [layout]);

  function search(event: Event) {
    event.preventDefault();
    const needle = query.trim().toLowerCase();
    if (!needle || !network.current) return;
    const found = props.nodes.find((node) =>
      node.label.toLowerCase().includes(needle) || node.id.toLowerCase().includes(needle) ||
      node.ips.some((ip) => ip.includes(needle)) || (node.mac_address ?? "").includes(needle)
    );
    if (!found) {
      setStatus(words.notFound);
      return;
    }
    network.current.selectNodes([found.id]);
    network.current.focus(found.id, { scale: 1.2, animation: false });
    setSelected(found);
    setStatus("");
  }

  function exportPng() {
    const canvas = frame.current?.querySelector("canvas");
    if (!canvas) return;
    canvas.toBlob((blob) => {
      if (!blob) return;
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "netsentinel-map.png";
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    }, "image/png");
  }

  return (
    <div class="topo">
      <form class="topo-tools" role="search" onSubmit={search}>
        <label>
          {words.search}
          <input
            type="search"
            name="find"
            value={query}
            onInput={(event) => setQuery((event.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {words.layout}
          <select
            name="layout"
            value={layout}
            onChange={(event) => setLayout((event.target as HTMLSelectElement).value as Layout)}
          >
            <option value="force">{words.force}</option>
            <option value="purdue">{words.purdue}</option>
          </select>
        </label>
        <button type="button" onClick={exportPng}>{words.png}</button>
        <span class="topo-status" role="status">{status}</span>
      </form>
      <div class="topo-area">
        <div
          ref={frame}
          class="topo-canvas"
          role="img"
          aria-label={words.map}
          data-map="topology"
          data-stable={stable ? "true" : "false"}
          data-saved={String(saved)}
        />
        {selected && (
          <aside class="topo-popup" aria-live="polite" data-popup={selected.id}>
            <h2>{selected.label}</h2>
            <dl>
              <dt>{words.type}</dt>
              <dd>{selected.type}</dd>
              {selected.vendor && (
                <>
                  <dt>{words.vendor}</dt>
                  <dd>{selected.vendor}</dd>
                </>
              )}
              {selected.ips.length > 0 && (
                <>
                  <dt>{words.addresses}</dt>
                  <dd class="mono">{selected.ips.join(", ")}</dd>
                </>
              )}
              {selected.mac_address && (
                <>
                  <dt>MAC</dt>
                  <dd class="mono">{selected.mac_address}</dd>
                </>
              )}
              {selected.vlans.length > 0 && (
                <>
                  <dt>{words.vlans}</dt>
                  <dd>{selected.vlans.join(", ")}</dd>
                </>
              )}
              <dt>{words.purdueLevel}</dt>
              <dd>{selected.purdue_level ?? "–"}</dd>
              <dt>{words.bytes}</dt>
              <dd>{formatBytes(selected.bytes)}</dd>
            </dl>
            <p>
              {selected.device_id !== null && <a href={`/devices/${selected.device_id}`}>{words.open}</a>}
              {" "}
              <button type="button" onClick={() => setSelected(null)}>{words.close}</button>
            </p>
          </aside>
        )}
      </div>
    </div>
  );
}
