/**
 * Runs the three foundation benchmarks, the inference gateway's and the agent
 * runtime's (issue 4) and the knowledge benchmarks (issue 6) in order and prints a summary.
 * `npm run bench` builds first; set LOG_LEVEL (default info) to change the
 * server's log level, BENCH_SERVER_OUTPUT=pipe to drain its log through a pipe.
 */
import { runAgentTurn } from './agent-turn.js';
import { runAuthGet } from './auth-get.js';
import { runColdStart } from './cold-start.js';
import { runIdleRss } from './idle-rss.js';
import { runInference } from './inference.js';
import { runKnowledgeIndexing } from './knowledge-indexing.js';
import { runKnowledgeRecall } from './knowledge-recall.js';
import { runKnowledgeSearch } from './knowledge-search.js';
import { type BenchResult, formatCheck, passed, printResult } from './support.js';

const benchmarks: ReadonlyArray<[string, () => Promise<BenchResult>]> = [
  ['auth-get', () => runAuthGet()],
  ['cold-start', () => runColdStart()],
  ['idle-rss', () => runIdleRss()],
  ['inference', () => runInference()],
  ['agent-turn', () => runAgentTurn()],
  ['knowledge-search', () => runKnowledgeSearch()],
  ['knowledge-recall', () => runKnowledgeRecall()],
  ['knowledge-indexing', () => runKnowledgeIndexing()],
];

const results: BenchResult[] = [];
const failures: Array<[string, unknown]> = [];
for (const [name, run] of benchmarks) {
  console.log(`== ${name}`);
  try {
    const result = await run();
    printResult(result);
    results.push(result);
  } catch (error) {
    console.log(`${name}: ERROR ${error instanceof Error ? error.message : String(error)}`);
    failures.push([name, error]);
  }
}

console.log('\n== summary');
for (const result of results) for (const c of result.checks) console.log(formatCheck(c));
for (const [name] of failures) console.log(`${name}: ERROR (no figures)`);
const allPassed = failures.length === 0 && results.every(passed);
console.log(allPassed ? 'all budgets met' : 'some budgets NOT met');
process.exitCode = allPassed ? 0 : 1;
