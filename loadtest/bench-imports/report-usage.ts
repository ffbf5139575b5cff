// Preloaded into the import job's process by the import benchmark (`node --import`): when the
// process exits, its peak resident memory and CPU time go to BENCH_USAGE_FILE, measured by the
// kernel (getrusage) rather than sampled, so the peak cannot fall between two samples.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({ maxRssKb: u.maxRSS, cpuUs: u.userCPUTime + u.systemCPUTime }),
    );
  });
}
