/**
 * The files `netsentinel install` writes besides the code: the systemd units, the
 * `netsentinel` command and the sysusers.d line of the service user.
 *
 * The units keep the hardening of a capture appliance (read-only system, no home, private
 * /tmp and devices, no new privileges) and give each role only what it needs: the sensor roles
 * (all-in-one, sensor) get CAP_NET_RAW and the packet and netlink sockets of libpcap, the
 * aggregator no capability at all; every role may reach PostgreSQL and Redis (AF_INET,
 * AF_INET6, AF_UNIX). Reload is SIGHUP, the only signal besides the stop signals the units use.
 *
 * @module
 */

import { join } from "node:path";
import { installedCommandLine, type InstallLayout, SERVICE_USER, unitCommandLine } from "./install_layout.ts";
import { PERMISSION_COMMANDS } from "./permissions.ts";

/** One service of the installation. */
interface ServiceRole {
  /** Unit file name. */
  unit: string;
  /** The `netsentinel` command it runs. */
  command: string;
  description: string;
  /** Captures (CAP_NET_RAW, AF_PACKET). */
  capture: boolean;
  /** Writes the data folder. */
  writes: boolean;
}

/** The three services: one box, or sensors and an aggregator joined by Redis. */
export const SERVICE_ROLES: readonly ServiceRole[] = [
  {
    unit: "netsentinel.service",
    command: "start",
    description: "NetSentinel passive network inventory (all-in-one: capture, dissection, database, web UI)",
    capture: true,
    writes: true,
  },
  {
    unit: "netsentinel-sensor.service",
    command: "sensor",
    description: "NetSentinel sensor (capture and dissection, publishing to Redis)",
    capture: true,
    writes: false,
  },
  {
    unit: "netsentinel-aggregator.service",
    command: "aggregator",
    description: "NetSentinel aggregator (from Redis to the database)",
    capture: false,
    writes: true,
  },
];

function unitText(layout: InstallLayout, role: ServiceRole): string {
  const capture = role.capture
    ? [
      "# Capture needs raw sockets and nothing else: no root.",
      "AmbientCapabilities=CAP_NET_RAW",
      "CapabilityBoundingSet=CAP_NET_RAW",
      "# AF_PACKET and AF_NETLINK for libpcap; IP and Unix sockets for PostgreSQL, Redis and the journal.",
      "RestrictAddressFamilies=AF_PACKET AF_NETLINK AF_UNIX AF_INET AF_INET6",
    ]
    : [
      "# No capability at all.",
      "CapabilityBoundingSet=",
      "# IP and Unix sockets for PostgreSQL, Redis and the journal; netlink for name resolution.",
      "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
    ];
  return [
    `# ${role.description}.`,
    `# Written by netsentinel install; edit ${layout.configFile}, not this file.`,
    "[Unit]",
    `Description=${role.description}`,
    `Documentation=file://${join(layout.appDir, "README.md")}`,
    "After=network-online.target postgresql.service redis-server.service",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `User=${SERVICE_USER}`,
    `Group=${SERVICE_USER}`,
    `WorkingDirectory=${layout.dataDir}`,
    `Environment=DENO_DIR=${layout.denoDir}`,
    "Environment=DENO_NO_UPDATE_CHECK=1",
    "Environment=NO_COLOR=1",
    `Environment=NETSENTINEL_CONFIG=${layout.configFile}`,
    `ExecStart=${unitCommandLine(layout, role.command).join(" ")}`,
    "# SIGHUP reloads the configuration (the keys that need a restart are named in the journal).",
    "ExecReload=/bin/kill -HUP $MAINPID",
    "KillSignal=SIGTERM",
    "TimeoutStopSec=30",
    "Restart=on-failure",
    "RestartSec=5",
    "",
    ...capture,
    "NoNewPrivileges=yes",
    "",
    "# Hardening: read-only system, private /tmp, no access to home directories or devices.",
    ...(role.writes ? [`ReadWritePaths=${layout.dataDir}`] : []),
    "UMask=0027",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "ProtectClock=yes",
    "ProtectHostname=yes",
    "RestrictNamespaces=yes",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "LockPersonality=yes",
    "SystemCallArchitectures=native",
    "# Deno's JIT needs memory that is written, then executed.",
    "MemoryDenyWriteExecute=no",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/** The unit files, by file name. */
export function unitFiles(layout: InstallLayout): Record<string, string> {
  return Object.fromEntries(SERVICE_ROLES.map((role) => [role.unit, unitText(layout, role)]));
}

/**
 * The `netsentinel` command of the installation: a shell script that runs each subcommand with
 * its own permissions, the installed configuration and data folder (both can be overridden with
 * `NETSENTINEL_CONFIG` / `NETSENTINEL_DATA_DIR`, or `--config` / `--data-dir`).
 */
export function commandScript(layout: InstallLayout): string {
  const cases = PERMISSION_COMMANDS.map((command) => {
    const line = installedCommandLine(layout, command);
    return `  ${command}) exec ${line.slice(0, -1).join(" ")} "$@" ;;`;
  });
  return [
    "#!/bin/sh",
    `# The netsentinel command, written by netsentinel install (code in ${layout.appDir}).`,
    "# Each subcommand runs with the permissions of its role and the packages cached at install time.",
    `export DENO_DIR=${layout.denoDir}`,
    "export DENO_NO_UPDATE_CHECK=1",
    `NETSENTINEL_CONFIG="\${NETSENTINEL_CONFIG:-${layout.configFile}}"`,
    `NETSENTINEL_DATA_DIR="\${NETSENTINEL_DATA_DIR:-${layout.dataDir}}"`,
    "export NETSENTINEL_CONFIG NETSENTINEL_DATA_DIR",
    'case "$1" in',
    ...cases,
    `  *) exec ${installedCommandLine(layout, "version").slice(0, -1).join(" ")} "$@" ;;`,
    "esac",
    "",
  ].join("\n");
}

/** The sysusers.d line of the service user (a system user, no login, home = data folder). */
export function sysusersText(layout: InstallLayout): string {
  return `# The user NetSentinel's services run as (netsentinel install).\n` +
    `u ${SERVICE_USER} - "NetSentinel passive network inventory" ${layout.dataDir} /usr/sbin/nologin\n`;
}
