/**
 * Where the command lines confl printed during a test go: problems found by test/hints/collect.ts wait
 * here until the test ends, when test/setup.ts fails the test that printed them. No dependencies, so
 * every test file can load it cheaply.
 */
const pending: string[] = [];

export function reportHintProblem(problem: string): void {
  pending.push(problem);
}

/** The problems recorded since the last call (and forgets them). */
export function takeHintProblems(): string[] {
  return pending.splice(0, pending.length);
}
