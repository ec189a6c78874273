import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

/** The range the kernel hands out for port 0 (Linux; the usual default elsewhere). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return [low, high];
  } catch {
    // not Linux: fall through to the IANA range
  }
  return [49152, 65535];
}

/**
 * A free port below the kernel's ephemeral range, for a server that must be told its port in advance
 * while other processes bind port 0: those get ports from the ephemeral range, so none of them can take
 * this one between the choice and the bind (a port picked with freePort() could be).
 */
export async function freePortBelowEphemeralRange(random: () => number = Math.random): Promise<number> {
  const [low] = ephemeralRange();
  const floor = 10_000;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = floor + Math.floor(random() * Math.max(1, low - floor));
    if (await isPortFree(port)) return port;
  }
  throw new Error(`no free port between ${floor} and ${low}`);
}

/** True when nothing listens on host:port (this process could bind it now). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/**
 * Who listens on a TCP port, as "pid 1234 (node)", where the system tells (Linux: /proc/net/tcp and the
 * processes' socket descriptors this user may read); undefined when it does not.
 */
export function describePortHolder(port: number): string | undefined {
  const inodes = listeningSocketInodes(port);
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let descriptors: string[];
    try {
      descriptors = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone meanwhile
    }
    for (const descriptor of descriptors) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${descriptor}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) return `pid ${pid} (${commandOf(pid)})`;
    }
  }
  return undefined;
}

const LISTEN = '0A';

function listeningSocketInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns.length < 10) continue;
      const [, localAddress, , state] = columns;
      if (state === LISTEN && localAddress?.endsWith(`:${portHex}`)) inodes.add(columns[9]!);
    }
  }
  return inodes;
}

function commandOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return 'unknown command';
  }
}

/** "port 50053 is already in use by pid 1234 (node)", or without the holder where it cannot be told. */
export function portInUseMessage(port: number): string {
  const holder = describePortHolder(port);
  return `port ${port} is already in use${holder ? ` by ${holder}` : ''}`;
}
