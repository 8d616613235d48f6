/**
 * The live feed behind `WS /api/v1/ws/live`: while at least one socket listens, every second it
 * sends `rates` (from the capture status) and polls the database for the devices and events
 * stored since the previous poll, sending one `device` or `event` message each. One poll serves
 * every socket.
 *
 * Messages (the contract the UI builds on):
 * - `{"type":"rates","at":ISO,"packets_per_s","bytes_per_s","drops","flows"}`
 * - `{"type":"device","device":{id,mac_address,display_name,oui_vendor,device_type,ip_addresses,first_seen}}`
 * - `{"type":"event","event":{id,type,severity,message,device_id,at}}`
 *
 * @module
 */

import type { Database } from "../../storage/database.ts";
import { devicesAfter, eventsAfter, flowCount, liveFeedCursor } from "../../storage/live_feed.ts";
import type { CaptureStatus } from "../../model/capture_status.ts";

/** Receives each message as JSON text. */
export type LiveListener = (message: string) => void;

/** Options of {@linkcode LiveHub}. */
export interface LiveHubOptions {
  db: Database;
  status: () => CaptureStatus;
  log: (line: string) => void;
  /** Time between two polls, ms (default 1000). */
  intervalMs?: number;
}

/** See the module documentation. */
export class LiveHub {
  readonly #options: LiveHubOptions;
  readonly #listeners = new Set<LiveListener>();
  readonly #sockets = new Set<WebSocket>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #cursor: Promise<{ device: number; event: number }> | null = null;
  #busy = false;
  #failing = false;

  /** @param options the database, the capture status and the log */
  constructor(options: LiveHubOptions) {
    this.#options = options;
  }

  /** Listeners now. */
  get size(): number {
    return this.#listeners.size;
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: LiveListener): () => void {
    this.#listeners.add(listener);
    // The cursor is read now, not at the first tick: what is stored in between is announced.
    if (this.#cursor === null) {
      this.#cursor = liveFeedCursor(this.#options.db);
      this.#cursor.catch(() => {}); // a failure is seen, logged and retried by the next tick
    }
    this.#timer ??= setInterval(() => this.tick(), this.#options.intervalMs ?? 1000);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
        this.#cursor = null;
      }
    };
  }

  /** Sends the feed to `socket` until it closes (or {@linkcode close}). */
  attach(socket: WebSocket): void {
    let unsubscribe: (() => void) | undefined;
    socket.onopen = () => {
      this.#sockets.add(socket);
      unsubscribe = this.subscribe((message) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(message);
      });
    };
    socket.onclose = () => {
      this.#sockets.delete(socket);
      unsubscribe?.();
    };
    socket.onerror = () => {};
    socket.onmessage = () => {}; // The feed is one-way; what a client sends is ignored.
  }

  /** One poll: rates, then the new devices and events. */
  async tick(): Promise<void> {
    if (this.#busy || this.#listeners.size === 0) return;
    this.#busy = true;
    const db = this.#options.db;
    try {
      this.#cursor ??= liveFeedCursor(db);
      const cursor = await this.#cursor.catch((error) => {
        this.#cursor = null;
        throw error;
      });
      const status = this.#options.status();
      this.#send({
        type: "rates",
        at: new Date().toISOString(),
        packets_per_s: status.rates.packets_per_s,
        bytes_per_s: status.rates.bytes_per_s,
        drops: status.drops.total,
        flows: await flowCount(db),
      });
      for (const device of await devicesAfter(db, cursor.device)) {
        cursor.device = Math.max(cursor.device, device.id);
        this.#send({ type: "device", device });
      }
      for (const event of await eventsAfter(db, cursor.event)) {
        cursor.event = Math.max(cursor.event, event.id);
        this.#send({ type: "event", event });
      }
      if (this.#failing) this.#options.log("web: the live feed reads the database again");
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) {
        this.#options.log(`web: Cannot poll the live feed: ${(error as Error).message.split("\n")[0]}`);
      }
      this.#failing = true;
    } finally {
      this.#busy = false;
    }
  }

  #send(message: unknown): void {
    const text = JSON.stringify(message);
    for (const listener of this.#listeners) listener(text);
  }

  /** Closes every socket ("going away") and stops polling. */
  close(): void {
    for (const socket of this.#sockets) {
      try {
        socket.close(1001, "the server is stopping");
      } catch {
        // Already closing.
      }
    }
    this.#sockets.clear();
    this.#listeners.clear();
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
