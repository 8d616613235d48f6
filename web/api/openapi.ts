/**
 * The OpenAPI 3.1 document of `/api/v1`, built from the zod schemas the routes validate with and
 * the role each route requires. Served at `/api/v1/openapi.json`; a test checks that every route
 * the app answers is in it.
 *
 * @module
 */

import type { z } from "zod";
import { VERSION } from "../../model/version.ts";
import type { Role } from "../../storage/accounts/users.ts";
import { AuditQuery, NewTokenBody, NewUserBody, UserPatchBody } from "./routes/accounts.ts";
import { CodeBody, ConfirmBody, LoginBody, PasswordBody } from "./routes/auth.ts";
import { BandwidthRange, DeviceEvents, DeviceFlows, Limit, OtQuery } from "./routes/insight.ts";
import { AlertBulk, AlertPatch, AlertQuery } from "./routes/alerts.ts";
import { ConflictQuery, LeaseQuery, NoQuery, ReservationQuery } from "./routes/dhcp.ts";
import { CmdbQuery } from "./routes/export.ts";
import { DevicePatch, DeviceQuery, EventQuery, FlowQuery } from "./routes/inventory.ts";
import { UPLOAD_TYPES, UploadQuery } from "./routes/captures.ts";
import { MatrixQuery, PositionsBody, TopologyQuery } from "./routes/topology.ts";
import { ConduitQuery, NewZoneBody, ZonePatchBody } from "./routes/zones.ts";
import { DiffQuery } from "./routes/snapshots.ts";
import { jsonSchemaOf, queryParameters } from "./json_schema.ts";

interface Operation {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  summary: string;
  /** `public`: no sign-in; else the weakest role allowed. */
  role: "public" | Role;
  query?: z.ZodTypeAny;
  body?: z.ZodTypeAny;
  /** The body is a file's raw bytes (an uploaded capture). */
  rawBody?: boolean;
  /** Success status (default 200). */
  status?: number;
}

/** The maps: topology, positions, L2, matrix, zones and conduits. */
const MAP_OPERATIONS: readonly Operation[] = [
  {
    method: "get",
    path: "/topology",
    summary: "Logical topology (nodes, edges; JSON or GraphML)",
    role: "viewer",
    query: TopologyQuery,
  },
  {
    method: "put",
    path: "/topology/positions",
    summary: "Save node positions (shared by all users)",
    role: "operator",
    body: PositionsBody,
  },
  {
    method: "get",
    path: "/topology/l2",
    summary: "Physical topology (LLDP, CDP, STP, DCP)",
    role: "viewer",
    query: NoQuery,
  },
  {
    method: "get",
    path: "/topology/matrix",
    summary: "Communication matrix",
    role: "viewer",
    query: MatrixQuery,
  },
  { method: "get", path: "/zones", summary: "Named and default zones", role: "viewer", query: NoQuery },
  {
    method: "get",
    path: "/zones/conduits",
    summary: "Flows between zones",
    role: "viewer",
    query: ConduitQuery,
  },
  {
    method: "post",
    path: "/zones",
    summary: "Name a zone (audited)",
    role: "admin",
    body: NewZoneBody,
    status: 201,
  },
  { method: "get", path: "/zones/{id}", summary: "One zone", role: "viewer" },
  {
    method: "patch",
    path: "/zones/{id}",
    summary: "Change a zone (audited)",
    role: "admin",
    body: ZonePatchBody,
  },
  { method: "delete", path: "/zones/{id}", summary: "Delete a zone (audited)", role: "admin", status: 204 },
  {
    method: "get",
    path: "/snapshots",
    summary: "Inventory snapshots, newest first",
    role: "viewer",
    query: NoQuery,
  },
  { method: "post", path: "/snapshots", summary: "Take a snapshot now", role: "operator", status: 201 },
  {
    method: "get",
    path: "/snapshots/{a}/diff/{b}",
    summary: "Devices and paths added, removed, changed (JSON or CSV)",
    role: "viewer",
    query: DiffQuery,
  },
];

/** Every operation of the API. */
export const OPERATIONS: readonly Operation[] = [
  {
    method: "get",
    path: "/health",
    summary: "Status, version, uptime, capture, database and bus",
    role: "public",
  },
  { method: "get", path: "/openapi.json", summary: "This document", role: "public" },
  {
    method: "post",
    path: "/auth/login",
    summary: "Sign in; sets the session cookie",
    role: "public",
    body: LoginBody,
  },
  { method: "post", path: "/auth/logout", summary: "Sign out", role: "viewer", status: 204 },
  { method: "get", path: "/auth/me", summary: "Who is signed in", role: "viewer" },
  {
    method: "post",
    path: "/auth/password",
    summary: "Change my password",
    role: "viewer",
    body: PasswordBody,
    status: 204,
  },
  { method: "post", path: "/auth/totp/setup", summary: "New TOTP secret (not enabled yet)", role: "viewer" },
  {
    method: "post",
    path: "/auth/totp/enable",
    summary: "Enable TOTP with a code",
    role: "viewer",
    body: CodeBody,
    status: 204,
  },
  {
    method: "post",
    path: "/auth/totp/disable",
    summary: "Remove TOTP",
    role: "viewer",
    body: ConfirmBody,
    status: 204,
  },
  { method: "get", path: "/users", summary: "Users", role: "admin" },
  { method: "post", path: "/users", summary: "Create a user", role: "admin", body: NewUserBody, status: 201 },
  { method: "get", path: "/users/{id}", summary: "One user", role: "admin" },
  {
    method: "patch",
    path: "/users/{id}",
    summary: "Change role, state or password",
    role: "admin",
    body: UserPatchBody,
  },
  { method: "delete", path: "/users/{id}", summary: "Delete a user", role: "admin", status: 204 },
  { method: "get", path: "/tokens", summary: "API tokens", role: "admin" },
  {
    method: "post",
    path: "/tokens",
    summary: "Create a token (shown once)",
    role: "admin",
    body: NewTokenBody,
    status: 201,
  },
  { method: "delete", path: "/tokens/{id}", summary: "Revoke a token", role: "admin", status: 204 },
  { method: "get", path: "/audit", summary: "Audit log, newest first", role: "admin", query: AuditQuery },
  {
    method: "get",
    path: "/devices",
    summary: "Devices, paged and filtered",
    role: "viewer",
    query: DeviceQuery,
  },
  { method: "get", path: "/devices/{key}", summary: "One device by id or MAC", role: "viewer" },
  {
    method: "patch",
    path: "/devices/{id}",
    summary: "Name, type, notes, flag (audited)",
    role: "operator",
    body: DevicePatch,
  },
  {
    method: "get",
    path: "/devices/{id}/flows",
    summary: "A device's flows",
    role: "viewer",
    query: DeviceFlows,
  },
  {
    method: "get",
    path: "/devices/{id}/events",
    summary: "A device's events",
    role: "viewer",
    query: DeviceEvents,
  },
  {
    method: "get",
    path: "/devices/{id}/bandwidth",
    summary: "A device's bytes in/out per bucket",
    role: "viewer",
    query: BandwidthRange,
  },
  {
    method: "get",
    path: "/stats/bandwidth",
    summary: "The network's bytes per bucket",
    role: "viewer",
    query: BandwidthRange,
  },
  { method: "get", path: "/flows", summary: "Flows, paged and filtered", role: "viewer", query: FlowQuery },
  { method: "get", path: "/flows/{id}", summary: "One flow", role: "viewer" },
  {
    method: "get",
    path: "/events",
    summary: "Protocol events, newest first",
    role: "viewer",
    query: EventQuery,
  },
  {
    method: "get",
    path: "/alerts",
    summary: "Alerts, last seen first (filters: type, severity, state, device, time)",
    role: "viewer",
    query: AlertQuery,
  },
  { method: "get", path: "/alerts/{id}", summary: "One alert with its evidence", role: "viewer" },
  {
    method: "patch",
    path: "/alerts/{id}",
    summary: "Acknowledge, resolve or reopen an alert, with a comment (audited)",
    role: "operator",
    body: AlertPatch,
  },
  {
    method: "post",
    path: "/alerts/bulk",
    summary: "Set the state of several alerts (audited)",
    role: "operator",
    body: AlertBulk,
  },
  { method: "get", path: "/stats/dashboard", summary: "Dashboard figures", role: "viewer" },
  { method: "get", path: "/stats/protocols", summary: "Traffic per protocol", role: "viewer", query: Limit },
  { method: "get", path: "/stats/top-talkers", summary: "Busiest devices", role: "viewer", query: Limit },
  {
    method: "get",
    path: "/ot/assets",
    summary: "OT assets with facts and protocols",
    role: "viewer",
    query: OtQuery,
  },
  { method: "get", path: "/dhcp/leases", summary: "DHCP leases heard", role: "viewer", query: LeaseQuery },
  {
    method: "get",
    path: "/capture/status",
    summary: "Capture mode, interfaces, rates, drops by kind, dissector health, imports",
    role: "viewer",
  },
  {
    method: "post",
    path: "/captures",
    summary: "Upload a pcap/pcapng file (raw bytes, ?name=) to import (audited)",
    role: "operator",
    query: UploadQuery,
    rawBody: true,
    status: 202,
  },
  { method: "get", path: "/captures", summary: "Imported captures, newest first", role: "viewer" },
  { method: "get", path: "/captures/{id}", summary: "One imported capture and its progress", role: "viewer" },
  {
    method: "get",
    path: "/ws/live",
    summary: "WebSocket: rates each second, new devices, new events",
    role: "viewer",
    status: 101,
  },
  {
    method: "get",
    path: "/dhcp/pools",
    summary: "Subnets leased: servers, routers, range seen, leases, utilisation",
    role: "viewer",
    query: NoQuery,
  },
  {
    method: "get",
    path: "/dhcp/servers",
    summary: "Every DHCP server heard, rogue ones marked",
    role: "viewer",
    query: NoQuery,
  },
  {
    method: "get",
    path: "/dhcp/conflicts",
    summary: "Addresses claimed twice, several addresses where one static is expected, duplicates",
    role: "viewer",
    query: ConflictQuery,
  },
  {
    method: "get",
    path: "/dhcp/reservations",
    summary: "Clients that always got the same address (reservation suggestions)",
    role: "viewer",
    query: ReservationQuery,
  },
  {
    method: "get",
    path: "/export/cmdb",
    summary: "The device inventory as a CSV or JSON download (streamed)",
    role: "viewer",
    query: CmdbQuery,
  },
  ...MAP_OPERATIONS,
];

const ERROR = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" }, field: { type: "string" } },
    },
  },
};

function pathParameters(path: string) {
  return [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
}

/** The OpenAPI document. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) {
    const errors: Record<string, unknown> = { 400: { $ref: "#/components/responses/Error" } };
    if (operation.role !== "public") {
      errors[401] = { $ref: "#/components/responses/Error" };
      errors[403] = { $ref: "#/components/responses/Error" };
    }
    paths[operation.path] ??= {};
    paths[operation.path][operation.method] = {
      summary: operation.summary,
      "x-netsentinel-role": operation.role,
      security: operation.role === "public" ? [] : [{ session: [] }, { token: [] }],
      parameters: [
        ...pathParameters(operation.path),
        ...(operation.query ? queryParameters(operation.query) : []),
      ],
      ...(operation.body
        ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: jsonSchemaOf(operation.body) } },
          },
        }
        : {}),
      ...(operation.rawBody
        ? {
          requestBody: {
            required: true,
            content: Object.fromEntries(
              UPLOAD_TYPES.map((type) => [type, { schema: { type: "string", format: "binary" } }]),
            ),
          },
        }
        : {}),
      responses: { [operation.status ?? 200]: { description: "Done" }, ...errors },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "NetSentinel API", version: VERSION },
    servers: [{ url: "/api/v1" }],
    paths,
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "ns_session" },
        token: { type: "http", scheme: "bearer" },
      },
      responses: { Error: { description: "Refused", content: { "application/json": { schema: ERROR } } } },
    },
  };
}
