/**
 * Lexical relevance of a user's memories to the current message, until
 * memories have embeddings: BM25 over the user's own memories, so a word that
 * appears in most of them counts for little.
 */

const K1 = 1.2;
const B = 0.75;

/** Words that carry no topic; without them a greeting would match every memory. */
const STOP_WORDS = new Set(
  (
    'a an and are as at be but by can could did do does for from had has have he her hers him his how i if in into is it its ' +
    'me my no not of on or our ours she so than that the their them then there these they this those to too was we were what ' +
    'when where which who whom why will with would you your yours'
  ).split(' '),
);

/** Lower-case words without accents; a trailing plural `s` is dropped so "meetings" finds "meeting". */
export function relevanceTerms(text: string): string[] {
  const words = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u);
  const terms: string[] = [];
  for (const word of words) {
    if (word.length === 0 || STOP_WORDS.has(word)) continue;
    if (word.length === 1 && !/\d/.test(word)) continue;
    terms.push(word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word);
  }
  return terms;
}

/** One BM25 score per text, in the order given; 0 when the query shares no term with it. */
export function relevanceScores(query: string, texts: readonly string[]): number[] {
  const queryTerms = [...new Set(relevanceTerms(query))];
  if (queryTerms.length === 0 || texts.length === 0) return texts.map(() => 0);
  const documents = texts.map((text) => {
    const counts = new Map<string, number>();
    const terms = relevanceTerms(text);
    for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    return { counts, length: terms.length };
  });
  const averageLength = documents.reduce((sum, document) => sum + document.length, 0) / documents.length || 1;
  const inverseFrequency = new Map<string, number>();
  for (const term of queryTerms) {
    const containing = documents.filter((document) => document.counts.has(term)).length;
    inverseFrequency.set(term, Math.log(1 + (documents.length - containing + 0.5) / (containing + 0.5)));
  }
  return documents.map((document) => {
    let score = 0;
    for (const term of queryTerms) {
      const frequency = document.counts.get(term) ?? 0;
      if (frequency === 0) continue;
      const saturation = (frequency * (K1 + 1)) / (frequency + K1 * (1 - B + (B * document.length) / averageLength));
      score += (inverseFrequency.get(term) ?? 0) * saturation;
    }
    return score;
  });
}

/**
 * The `limit` most relevant items, best first. Ties (and items that match no
 * term) keep the order given, so newest-first input makes recency the tie-breaker.
 */
export function mostRelevant<T>(query: string, items: readonly T[], textOf: (item: T) => string, limit: number): T[] {
  const scores = relevanceScores(query, items.map(textOf));
  return items
    .map((item, index) => ({ item, index, score: scores[index] ?? 0 }))
    .sort((left, right) => right.score - left.score || left.index - right.index)
    .slice(0, limit)
    .map((entry) => entry.item);
}
