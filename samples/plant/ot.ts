/**
 * OT VLAN 20 activities: the HMI polling both PLCs over Modbus/TCP (PLC 2 across the QinQ trunk,
 * S-VLAN 200 / C-VLAN 20) and the engineering workstation's one-off read and register write.
 *
 * @module
 */

import {
  MODBUS_PORT,
  writeModbusReadRequest,
  writeModbusReadResponse,
  writeModbusWriteSingle,
} from "../frames.ts";
import { PLANT_SCHEDULE } from "./ground_truth.ts";
import { arpExchange, device, jitter, type PlantContext, type PlantDevice } from "./context.ts";
import { TcpSession, type TcpSide } from "./tcp_session.ts";

function bytes(write: (buf: Uint8Array) => number): Uint8Array {
  const buf = new Uint8Array(260);
  return buf.slice(0, write(buf));
}

function side(dev: PlantDevice, port: number, window: number): TcpSide {
  return { mac: dev.mac, ip: dev.ip, port, ttl: 64, window };
}

/** Plausible process values drifting around a base value. */
function registers(ctx: PlantContext, count: number, base: number): number[] {
  return Array.from({ length: count }, (_, i) => (base + 37 * i + ctx.rng.int(0, 15)) & 0xffff);
}

/**
 * The HMI opens one connection per PLC and polls its holding registers on a fixed period until the end
 * of the capture (the connections stay open, as real HMIs keep them).
 *
 * @param ctx Sink and randomness.
 */
export function hmiPolling(ctx: PlantContext): void {
  const hmi = device("hmi-01");
  const plans = [
    { plc: device("plc-01"), poll: PLANT_SCHEDULE.plc1, arpAt: 1, window: 4096, base: 200 },
    { plc: device("plc-02"), poll: PLANT_SCHEDULE.plc2, arpAt: 1.5, window: 8192, base: 1000 },
  ];
  for (const { plc, poll, arpAt, window, base } of plans) {
    arpExchange(ctx, arpAt, hmi, plc);
    const s = new TcpSession(
      ctx.sink,
      ctx.rng,
      side(hmi, ctx.rng.int(49152, 65535), 64240),
      side(plc, MODBUS_PORT, window),
      plc.tags,
    );
    s.open(arpAt + 0.5, jitter(ctx, 0.0003, 0.0008));
    let transactionId = 1;
    for (let t = poll.first; t < PLANT_SCHEDULE.durationSeconds - 1; t += poll.period) {
      const unitId = 1;
      const at = t + jitter(ctx, 0, 0.005);
      s.send(
        at,
        true,
        bytes((b) =>
          writeModbusReadRequest(b, 0, {
            transactionId,
            unitId,
            address: poll.address,
            quantity: poll.quantity,
          })
        ),
      );
      const values = registers(ctx, poll.quantity, base);
      s.send(
        at + jitter(ctx, 0.002, 0.009),
        false,
        bytes((b) => writeModbusReadResponse(b, 0, { transactionId, unitId, values })),
      );
      transactionId = (transactionId + 1) & 0xffff;
    }
  }
}

/**
 * The engineering workstation connects to PLC 1, reads the setpoint register, writes a new value
 * (function code 6) and disconnects.
 *
 * @param ctx Sink and randomness.
 */
export function engineeringWrite(ctx: PlantContext): void {
  const ews = device("ews-01");
  const plc = device("plc-01");
  const { at, address, value } = PLANT_SCHEDULE.write;
  arpExchange(ctx, at - 0.1, ews, plc);
  const s = new TcpSession(
    ctx.sink,
    ctx.rng,
    side(ews, ctx.rng.int(49152, 65535), 64240),
    side(plc, MODBUS_PORT, 4096),
    plc.tags,
  );
  const rtt = jitter(ctx, 0.0003, 0.0008);
  let t = s.open(at, rtt) + 0.01;
  const read = { transactionId: 1, unitId: 1, address, quantity: 1 };
  s.send(t, true, bytes((b) => writeModbusReadRequest(b, 0, read)));
  s.send(t + 0.004, false, bytes((b) => writeModbusReadResponse(b, 0, { ...read, values: [1150] })));
  t += 1.5;
  const write = { transactionId: 2, unitId: 1, address, value };
  s.send(t, true, bytes((b) => writeModbusWriteSingle(b, 0, write)));
  s.send(t + 0.006, false, bytes((b) => writeModbusWriteSingle(b, 0, write)));
  s.close(t + 1.5, rtt);
}
