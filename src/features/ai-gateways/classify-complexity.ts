import { type ChatMessage, textOf } from './chat-message.js';

export type ComplexityTier = 'low' | 'medium' | 'high';

export interface ComplexityOptions {
  /** The request offers tools (`tools` is a non-empty array). */
  readonly hasTools?: boolean;
}

/** Words that signal multi-step reasoning, matched as whole words in the last user message. */
const REASONING_PATTERNS: readonly RegExp[] = [
  /\bprove\b|\bproof\b/i,
  /\bstep[- ]by[- ]step\b/i,
  /\banaly[sz]e\b|\banalysis\b/i,
  /\bderive\b|\bderivation\b/i,
  /\balgorithm\b/i,
  /\boptimi[sz]e\b/i,
  /\bdebug\b/i,
  /\btrade-?offs?\b/i,
  /\barchitecture\b/i,
];

function lengthPoints(characters: number): number {
  if (characters >= 4000) return 3;
  if (characters >= 1500) return 2;
  if (characters >= 400) return 1;
  return 0;
}

function reasoningPoints(text: string): number {
  const matched = REASONING_PATTERNS.filter((pattern) => pattern.test(text)).length;
  return matched === 0 ? 0 : matched === 1 ? 2 : 3;
}

function turnPoints(userTurns: number): number {
  if (userTurns >= 10) return 2;
  if (userTurns >= 4) return 1;
  return 0;
}

/**
 * A deterministic, model-free estimate of how hard a request is, so routing
 * costs nothing and the same request always lands on the same tier. Points:
 * - length of the last user message: ≥400 characters 1, ≥1500 2, ≥4000 3;
 * - a code fence (```) in it: 2;
 * - reasoning keywords in it (prove/proof, step by step, analyze/analysis,
 *   derive, algorithm, optimize, debug, trade-off, architecture): one kind 2,
 *   two or more kinds 3;
 * - user turns in the conversation: ≥4 1, ≥10 2;
 * - tools in play (offered, called or answered): 1.
 * 0-1 points is low, 2-3 medium, 4 or more high.
 */
export function complexityScore(messages: readonly ChatMessage[], options: ComplexityOptions = {}): number {
  const lastUser = messages.findLast((message) => message.role === 'user');
  const text = lastUser ? textOf(lastUser.content) : '';
  const userTurns = messages.filter((message) => message.role === 'user').length;
  const toolsInPlay = options.hasTools === true || messages.some((message) => message.role === 'tool' || (message.tool_calls?.length ?? 0) > 0);
  return lengthPoints(text.length) + (text.includes('```') ? 2 : 0) + reasoningPoints(text) + turnPoints(userTurns) + (toolsInPlay ? 1 : 0);
}

export function classifyComplexity(messages: readonly ChatMessage[], options: ComplexityOptions = {}): ComplexityTier {
  const score = complexityScore(messages, options);
  if (score >= 4) return 'high';
  if (score >= 2) return 'medium';
  return 'low';
}
