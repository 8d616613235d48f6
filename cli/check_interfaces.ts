/**
 * Checks the interfaces to capture before anything else is opened (the database can take a
 * while), so that the first thing a user reads is the problem, not "capturing on eth9".
 *
 * @module
 */

import { interfaceDown, listInterfaces, noSuchInterface } from "../capture/interfaces.ts";

/**
 * Fails when an interface does not exist or is down.
 *
 * @throws {LiveCaptureError} naming the interface and what to do (e.g. the interfaces there are)
 */
export function checkInterfaces(names: readonly string[]): void {
  const known = new Map(listInterfaces().map((info) => [info.name, info]));
  for (const name of names) {
    const info = known.get(name);
    if (info === undefined) throw noSuchInterface(name);
    if (!info.up) throw interfaceDown(name);
  }
}
