import type { RunnerTask, RunnerTestFile } from 'vitest';
import type { Reporter } from 'vitest/reporters';

function count(
  tasks: readonly RunnerTask[],
  totals: { passed: number; failed: number; skipped: number },
): void {
  for (const task of tasks) {
    if (task.type === 'suite') {
      count(task.tasks, totals);
      continue;
    }
    const state = task.result?.state;
    if (state === 'pass') totals.passed++;
    else if (state === 'fail') totals.failed++;
    else totals.skipped++;
  }
}

/**
 * Ends the run with one plain line, `tests: N passed, N failed, N skipped`,
 * after vitest's own summary, which CI reads whatever the test runner.
 */
export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    const totals = { passed: 0, failed: 0, skipped: 0 };
    for (const file of files) {
      count(file.tasks, totals);
      // A file that failed to load has no tests but must still count as a failure.
      if (file.result?.state === 'fail' && file.tasks.length === 0) totals.failed++;
    }
    totals.failed += errors.length;
    console.log(
      `\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`,
    );
  }
}
