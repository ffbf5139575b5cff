// The load test's progress lines.
export const say = (m: string) => console.log(`[loadtest] ${m}`);
