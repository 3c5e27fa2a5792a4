/**
 * CPU time by process group, from /proc: where the machine's cores went during a measurement
 * (the bridge, Dovecot's processes, the benchmark's own protocol clients, anything else). Linux
 * only; clock ticks are converted with the usual USER_HZ of 100.
 */
import { readdirSync, readFileSync } from "node:fs";

const TICK_MS = 10;

export type CpuGroup = "bridge" | "dovecot imap" | "dovecot other" | "bench clients" | "other";

export type CpuSnapshot = Map<number, { group: CpuGroup; ms: number }>;

const DOVECOT_OTHER = new Set([
  "dovecot",
  "imap-login",
  "lmtp",
  "auth",
  "config",
  "anvil",
  "log",
  "stats",
  "indexer",
  "indexer-worker",
]);

function groupOf(pid: number, comm: string, bridgePid: number): CpuGroup {
  if (pid === bridgePid) return "bridge";
  if (pid === process.pid) return "bench clients";
  if (comm === "imap") return "dovecot imap";
  if (DOVECOT_OTHER.has(comm)) return "dovecot other";
  return "other";
}

/** CPU time (user + system) of every process now, by pid. */
export function cpuSnapshot(bridgePid: number): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    const open = stat.indexOf("(");
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(open + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15
    const ticks = Number(fields[11]) + Number(fields[12]);
    out.set(pid, { group: groupOf(pid, comm, bridgePid), ms: ticks * TICK_MS });
  }
  return out;
}

/** CPU milliseconds spent per group between two snapshots (processes born meanwhile count in full). */
export function cpuSpent(before: CpuSnapshot, after: CpuSnapshot): Record<CpuGroup, number> {
  const spent: Record<CpuGroup, number> = {
    bridge: 0,
    "dovecot imap": 0,
    "dovecot other": 0,
    "bench clients": 0,
    other: 0,
  };
  for (const [pid, now] of after) {
    const then = before.get(pid)?.ms ?? 0;
    spent[now.group] += Math.max(0, now.ms - then);
  }
  return spent;
}
