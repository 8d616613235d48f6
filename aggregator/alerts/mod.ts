/**
 * Alert rules: pure functions from a batch's rows and the prior state storage loads to
 * {@linkcode RaisedAlert}s. Storage (`storage/alerts.ts`) runs them in the batch's transaction and
 * upserts the alerts by (type, dedup key).
 *
 * @module
 */

export type { AlertEvidence, AlertSeverity, RaisedAlert } from "./alert.ts";
export { type AddressClaim, ipChangedAlerts, type NewDevice, newDeviceAlerts } from "./devices.ts";
export { addressClaimAlerts } from "./address_claims.ts";
export { rogueDhcpAlerts } from "./dhcp.ts";
export { OT_ALERT_BY_EVENT, OT_ALERT_BY_OP, otAlertType, otEventAlerts } from "./ot_events.ts";
export { type CommandPair, newMasterAlerts } from "./ot_masters.ts";
