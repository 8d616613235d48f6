/**
 * Island: the dashboard's KPI cards, updated by the live socket (rates each second, a new device,
 * a new event) over the figures the server rendered.
 *
 * @module
 */

import { useEffect } from "preact/hooks";
import { KpiCards } from "../components/live_parts.tsx";
import { liveDevices, liveEvents, liveRates, liveStatus, startLive } from "./live_store.ts";
import type { LiveKpisProps } from "./props.ts";

/** The KPI cards with a live badge. */
export function LiveKpis({ values, labels, status }: LiveKpisProps) {
  useEffect(startLive, []);
  const rates = liveRates.value;
  const devicesAdded = liveDevices.value.length;
  const shown = {
    ...values,
    devices: values.devices + devicesAdded,
    active: values.active + devicesAdded,
    new_today: values.new_today + devicesAdded,
    events: values.events + liveEvents.value.length,
    ...(rates
      ? { bps: rates.bytes_per_s * 8, drops: rates.drops, flows: Math.max(values.flows, rates.flows) }
      : {}),
  };
  const state = liveStatus.value;
  return (
    <div>
      <p class={`live live-${state}`} role="status" data-live={state}>{status[state]}</p>
      <KpiCards values={shown} labels={labels} />
    </div>
  );
}
