/**
 * Application names guessed from well-known ports (IANA Service Name and Transport Protocol Port
 * Number Registry), used only when no dissector claimed a flow. Reports label these guesses
 * `application_source: "port"` so nobody mistakes them for decoded protocols.
 *
 * @module
 */

const TCP: Record<number, string> = {
  20: "ftp-data",
  21: "ftp",
  22: "ssh",
  23: "telnet",
  25: "smtp",
  53: "dns",
  80: "http",
  102: "iso-tsap",
  110: "pop3",
  135: "msrpc",
  139: "netbios-ssn",
  143: "imap",
  179: "bgp",
  389: "ldap",
  443: "https",
  445: "smb",
  465: "smtps",
  502: "modbus",
  587: "submission",
  636: "ldaps",
  993: "imaps",
  995: "pop3s",
  1433: "mssql",
  1883: "mqtt",
  2404: "iec-104",
  3306: "mysql",
  3389: "rdp",
  4840: "opcua",
  5020: "modbus",
  5094: "hart-ip",
  5432: "postgresql",
  5900: "vnc",
  6379: "redis",
  8080: "http-alt",
  8443: "https-alt",
  8883: "secure-mqtt",
  20000: "dnp3",
  44818: "enip",
};

const UDP: Record<number, string> = {
  53: "dns",
  67: "dhcp",
  68: "dhcp",
  69: "tftp",
  123: "ntp",
  137: "netbios-ns",
  138: "netbios-dgm",
  161: "snmp",
  162: "snmptrap",
  500: "isakmp",
  514: "syslog",
  546: "dhcpv6",
  547: "dhcpv6",
  1900: "ssdp",
  2222: "enip-io",
  4500: "ipsec-nat-t",
  5094: "hart-ip",
  5353: "mdns",
  5355: "llmnr",
  9600: "omron-fins",
  20000: "dnp3",
  34964: "profinet-cm",
  44818: "enip",
  47808: "bacnet",
};

/**
 * Service name for a TCP (protocol 6) or UDP (17) port pair, trying the lower port first, or null.
 */
export function guessApplication(ipProtocol: number, srcPort: number, dstPort: number): string | null {
  const names = ipProtocol === 6 ? TCP : ipProtocol === 17 ? UDP : null;
  if (!names) return null;
  const low = Math.min(srcPort, dstPort);
  const high = Math.max(srcPort, dstPort);
  return names[low] ?? names[high] ?? null;
}
