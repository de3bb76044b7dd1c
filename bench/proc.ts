/*
 * Memory and CPU time of a server process from /proc (Linux): which process of a tree listens on a port (`next
 * start` may serve from a child), its resident set now (VmRSS) and at its peak (VmHWM, which can be
 * reset per measurement by writing 5 to clear_refs), sampled while a scenario runs.
 */
import fs from 'node:fs';

const read = (file: string) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** The process and all its descendants. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    // Fields after the command (which may hold spaces) start past the last ')'; ppid is the second.
    const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : NaN;
    if (Number.isInteger(ppid)) children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** The pid in `root`'s tree that holds the listening socket for `port`, if it can be told. */
export function listeningPid(root: number, port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (read(table) ?? '').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is fields[1] (ADDR:PORT), st is fields[3] (0A = LISTEN), inode is fields[9].
      if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A') inodes.add(`socket:[${fields[9]}]`);
    }
  }
  for (const pid of processTree(root)) {
    let fds: string[] = [];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (inodes.has(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))) return pid;
      } catch {
        // The descriptor closed while we looked.
      }
    }
  }
  return undefined;
}

/** Resident and peak resident memory in bytes. */
export function memoryOf(pid: number): { rss: number; peak: number } | undefined {
  const status = read(`/proc/${pid}/status`);
  if (!status) return undefined;
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Starts VmHWM afresh, so it tells the peak of what follows (needs Linux 4.0+ and permission). */
export function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface MemorySample {
  start: number;
  end: number;
  peak: number;
}

/** Samples a process's memory every `intervalMs` until stopped; the peak also counts VmHWM when it could be reset. */
export function sampleMemory(pid: number, intervalMs = 100): { stop: () => MemorySample } {
  const start = memoryOf(pid)?.rss ?? 0;
  const exactPeak = resetPeak(pid);
  let peak = start;
  const timer = setInterval(() => {
    const rss = memoryOf(pid)?.rss;
    if (rss !== undefined && rss > peak) peak = rss;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const now = memoryOf(pid);
      const end = now?.rss ?? 0;
      return { start, end, peak: Math.max(peak, end, exactPeak ? (now?.peak ?? 0) : 0) };
    },
  };
}

/** Linux reports CPU time in clock ticks of USER_HZ, 100 a second on every mainstream kernel. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) used so far by `root` and every process under it, threads included. */
export function cpuSecondsOf(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    // utime and stime are fields 14 and 15; the fields after the command start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** Cores in use on average while a measurement ran: by the server's processes, and by this one (the load generator). */
export interface CpuSample {
  server: number;
  loadGenerator: number;
}

/** Measures the cores the server tree under `root` and this process use until stopped. */
export function sampleCpu(root: number): { stop: () => CpuSample } {
  const started = performance.now();
  const server = cpuSecondsOf(root);
  const own = process.cpuUsage();
  return {
    stop() {
      const seconds = (performance.now() - started) / 1000;
      const { user, system } = process.cpuUsage(own);
      return { server: (cpuSecondsOf(root) - server) / seconds, loadGenerator: (user + system) / 1e6 / seconds };
    },
  };
}
