// CPU time of every Postgres process over a phase (Linux /proc; zero elsewhere). A backend's
// time is lost from /proc when its connection ends, so the processes are sampled while the
// phase runs and each one's last reading counts: the import job's backend ends with the job.
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100; // USER_HZ

function postgresSeconds(): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!comm.startsWith('postgres')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(pid), (Number(fields[11]) + Number(fields[12])) / CLK_TCK);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return out;
}

/** Starts sampling; `stop()` gives the CPU seconds all Postgres processes used meanwhile. */
export function postgresCpu(everyMs = 200): { stop(): number } {
  const first = postgresSeconds();
  const last = new Map(first);
  const sample = () => {
    for (const [pid, s] of postgresSeconds()) last.set(pid, s);
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      let total = 0;
      for (const [pid, s] of last) total += s - (first.get(pid) ?? 0);
      return total;
    },
  };
}
