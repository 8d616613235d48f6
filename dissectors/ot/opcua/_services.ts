/**
 * OPC UA service and identity token binary encoding ids (OPC 10000-6 Annex A; the
 * `*_Encoding_DefaultBinary` NodeIds of the published NodeIds.csv), with the event name, op and
 * severity the dissector reports for each request. A response's id is its request's id + 3.
 *
 * @module
 */

/** Binary encoding ids of the identity tokens of ActivateSession (OPC 10000-6 Annex A). */
export const TokenType = { 321: "anonymous", 324: "username", 327: "x509", 940: "issued" } as Record<
  number,
  string
>;

/** What a service is: event name, op and severity (requests); responses are the request id + 3. */
export interface ServiceInfo {
  name: string;
  op: string;
  severity: "info" | "notice" | "warning";
  response?: boolean;
}

function service(name: string, op: string, severity: "info" | "notice" | "warning" = "info"): ServiceInfo {
  return { name, op, severity };
}

/** Binary encoding ids of common services (OPC 10000-6 Annex A, NodeIds.csv `_Encoding_DefaultBinary`). */
export const SERVICES: Record<number, ServiceInfo> = {
  397: { name: "service_fault", op: "exception", severity: "notice", response: true },
  422: service("find_servers", "identify"),
  428: service("get_endpoints", "identify"),
  446: service("open_secure_channel", "session"),
  452: service("close_secure_channel", "session"),
  461: service("create_session", "session"),
  467: service("activate_session", "session"),
  473: service("close_session", "session"),
  479: service("cancel", "other"),
  488: service("add_nodes", "config_change", "warning"),
  494: service("add_references", "config_change", "warning"),
  500: service("delete_nodes", "config_change", "warning"),
  506: service("delete_references", "config_change", "warning"),
  527: service("browse", "read"),
  533: service("browse_next", "read"),
  554: service("translate_browse_paths", "read"),
  560: service("register_nodes", "other"),
  566: service("unregister_nodes", "other"),
  631: service("read", "read"),
  664: service("history_read", "read"),
  673: service("write", "write", "notice"),
  700: service("history_update", "write", "notice"),
  712: service("call", "command", "warning"),
  751: service("create_monitored_items", "subscribe"),
  763: service("modify_monitored_items", "subscribe"),
  769: service("set_monitoring_mode", "subscribe"),
  781: service("delete_monitored_items", "subscribe"),
  787: service("create_subscription", "subscribe"),
  793: service("modify_subscription", "subscribe"),
  799: service("set_publishing_mode", "subscribe"),
  826: service("publish", "subscribe"),
  832: service("republish", "subscribe"),
  841: service("transfer_subscriptions", "subscribe"),
  847: service("delete_subscriptions", "subscribe"),
};
for (const id of Object.keys(SERVICES).map(Number)) {
  const request = SERVICES[id];
  if (!request.response) SERVICES[id + 3] = { ...request, response: true };
}
