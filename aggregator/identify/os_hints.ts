/**
 * Operating-system hints from what a device says about itself.
 *
 * DHCP fingerprints are the parameter request list (option 55) in the order the client sends it;
 * each DHCP client implementation has its own order, so the list names the client software. The
 * vendor class (option 60) names it outright when present.
 *
 * | Evidence                                        | OS family              |
 * | ----------------------------------------------- | ---------------------- |
 * | option 55 `1,3,6,15,31,33,43,44,46,47,119,121,249,252` | Windows 10/11   |
 * | option 55 `1,15,3,6,44,46,47,31,33,121,249,43,252` | Windows 8          |
 * | option 55 `1,15,3,6,44,46,47,31,33,121,249,43`  | Windows 7              |
 * | option 55 `1,15,3,6,44,46,47,31,33,249,43`      | Windows XP             |
 * | option 55 `1,121,3,6,15,119,252,95,44,46`       | macOS                  |
 * | option 55 `1,121,3,6,15,108,114,119,252,95,44,46` | macOS                |
 * | option 55 `1,121,3,6,15,119,252`                | iOS                    |
 * | option 55 `1,121,3,6,15,108,114,119,252`        | iOS                    |
 * | option 55 `1,3,6,15,26,28,51,58,59,43`          | Android                |
 * | option 55 `1,28,2,3,15,6,119,12,44,47,26,121,42` | Linux (ISC dhclient)  |
 * | option 55 `1,121,33,3,6,12,15,28,42,51,54,58,59,119` | Linux (dhcpcd)    |
 * | option 55 `1,2,3,6,12,15,28,42` and close variants | embedded Linux (udhcpc) |
 * | option 60 `MSFT 5.0` / `MSFT 98`                | Windows                |
 * | option 60 `android-dhcp-*`                      | Android                |
 * | option 60 `dhcpcd-*`                            | Linux (dhcpcd)         |
 * | option 60 `udhcp *`                             | embedded Linux (udhcpc) |
 * | option 60 `Cisco Systems, Inc. IP Phone *`      | Cisco IP phone         |
 * | option 60 `Cisco *`                             | Cisco IOS              |
 * | LLDP system description / CDP software: `Cisco IOS`, `NX-OS`, `Linux`, `Windows`, `FortiOS`, `PAN-OS`, `JUNOS`, `RouterOS` | that system |
 *
 * | TCP SYN signature (`tcp.syn_signature`, see `dissectors/l4/tcp_syn_signature.ts`): initial TTL 128 | Windows |
 * | … initial TTL 64, options `M,S,T,N,W` (Linux ≥ 2.6 order)                    | Linux                  |
 * | … initial TTL 64, options starting `M,N,W,N,N,T,S` (Apple stacks)             | macOS/iOS              |
 * | … initial TTL 64, options `M,N,W,S,T` or `M,N,W,N,N,S` … (BSD order)           | BSD                    |
 * | … initial TTL 255                                                             | network OS (Cisco IOS, Solaris…) |
 *
 * SYN signatures are weaker than what a device says (confidence 35): middleboxes rewrite MSS and
 * window, and a TTL says little on its own. Like p0f, only the SYN (client side) is used for the
 * OS: a SYN-ACK's window depends on the listening application's settings.
 *
 * The vendor class, when it names a system, wins over the parameter list (a client may copy
 * another's list; it has no reason to lie about its vendor class).
 *
 * @module
 */

/** An OS family with the evidence that names it. */
export interface OsHint {
  /** OS family, e.g. `Windows 10/11`. */
  os_family: string;
  /** Human-readable evidence, e.g. "DHCP fingerprint 1,3,6,… → Windows 10/11". */
  reason: string;
  /** How much the evidence is worth (0–100). */
  confidence: number;
  /** What kind of device the OS suggests (`workstation`, `phone`…), or null. */
  device_type: string | null;
}

const FINGERPRINTS: Record<string, [string, string | null]> = {
  "1,3,6,15,31,33,43,44,46,47,119,121,249,252": ["Windows 10/11", "workstation"],
  "1,15,3,6,44,46,47,31,33,121,249,43,252": ["Windows 8", "workstation"],
  "1,15,3,6,44,46,47,31,33,121,249,43": ["Windows 7", "workstation"],
  "1,15,3,6,44,46,47,31,33,249,43": ["Windows XP", "workstation"],
  "1,121,3,6,15,119,252,95,44,46": ["macOS", "workstation"],
  "1,121,3,6,15,108,114,119,252,95,44,46": ["macOS", "workstation"],
  "1,121,3,6,15,119,252": ["iOS", "phone"],
  "1,121,3,6,15,108,114,119,252": ["iOS", "phone"],
  "1,3,6,15,26,28,51,58,59,43": ["Android", "phone"],
  "1,28,2,3,15,6,119,12,44,47,26,121,42": ["Linux (ISC dhclient)", null],
  "1,121,33,3,6,12,15,28,42,51,54,58,59,119": ["Linux (dhcpcd)", null],
  "1,2,3,6,12,15,28,42": ["embedded Linux (udhcpc)", "iot"],
  "1,3,6,12,15,28,42": ["embedded Linux (udhcpc)", "iot"],
};

const VENDOR_CLASSES: [RegExp, string, string | null][] = [
  [/^MSFT (5\.0|98)/, "Windows", "workstation"],
  [/^android-dhcp-/i, "Android", "phone"],
  [/^dhcpcd-/, "Linux (dhcpcd)", null],
  [/^udhcp/, "embedded Linux (udhcpc)", "iot"],
  [/^Cisco Systems,? Inc\.? IP Phone/i, "Cisco IP phone", "phone"],
  [/^Cisco/i, "Cisco IOS", null],
];

const SYSTEM_TEXTS: [RegExp, string][] = [
  [/NX-OS/, "Cisco NX-OS"],
  [/Cisco IOS/i, "Cisco IOS"],
  [/FortiOS|FortiGate/i, "FortiOS"],
  [/PAN-OS/i, "PAN-OS"],
  [/JUNOS/i, "Junos"],
  [/RouterOS/i, "RouterOS"],
  [/Windows/i, "Windows"],
  [/Linux/i, "Linux"],
];

/** OS from a DHCP parameter request list (option 55, comma-separated), or null. */
export function osFromFingerprint(fingerprint: string): OsHint | null {
  const known = FINGERPRINTS[fingerprint.replace(/\s+/g, "")];
  if (known === undefined) return null;
  return {
    os_family: known[0],
    reason: `DHCP fingerprint ${fingerprint} → ${known[0]}`,
    confidence: 60,
    device_type: known[1],
  };
}

/** OS from a DHCP vendor class (option 60), or null. */
export function osFromVendorClass(vendorClass: string): OsHint | null {
  for (const [pattern, family, type] of VENDOR_CLASSES) {
    if (pattern.test(vendorClass)) {
      return {
        os_family: family,
        reason: `DHCP vendor class "${vendorClass}" → ${family}`,
        confidence: 75,
        device_type: type,
      };
    }
  }
  return null;
}

/** OS from an LLDP system description or CDP software version, or null. */
export function osFromSystemText(text: string, source: string): OsHint | null {
  for (const [pattern, family] of SYSTEM_TEXTS) {
    if (pattern.test(text)) {
      const shown = text.length > 60 ? `${text.slice(0, 57)}…` : text;
      return {
        os_family: family,
        reason: `${source} "${shown}" → ${family}`,
        confidence: 70,
        device_type: null,
      };
    }
  }
  return null;
}

const TCP_SIGNATURES: [RegExp, string][] = [
  [/^128:/, "Windows"],
  [/^64:\d+:[-\d]+:[-\d]+:M,S,T,N,W$/, "Linux"],
  [/^64:\d+:[-\d]+:[-\d]+:M,N,W,N,N,T,S/, "macOS/iOS"],
  [/^64:\d+:[-\d]+:[-\d]+:M,N,W,(S,T|N,N,S)/, "BSD"],
  [/^255:/, "network OS (initial TTL 255)"],
];

/** OS from a TCP SYN signature (`ittl:window:mss:scale:layout`), or null. */
export function osFromTcpSignature(signature: string): OsHint | null {
  for (const [pattern, family] of TCP_SIGNATURES) {
    if (pattern.test(signature)) {
      return {
        os_family: family,
        reason: `TCP SYN signature ${signature} → ${family}`,
        confidence: 35,
        device_type: null,
      };
    }
  }
  return null;
}
