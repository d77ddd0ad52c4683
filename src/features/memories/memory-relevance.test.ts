import { describe, expect, it } from 'vitest';
import { mostRelevant, relevanceScores, relevanceTerms } from './memory-relevance.js';

describe('memory relevance', () => {
  it('splits into lower-case words without accents, stop words or plural s', () => {
    expect(relevanceTerms('My Café meetings are on Tuesdays, at 9!')).toEqual(['cafe', 'meeting', 'tuesday', '9']);
    expect(relevanceTerms('The class of the address')).toEqual(['class', 'address']);
  });

  it('scores 0 when nothing is shared and more for rarer shared words', () => {
    const scores = relevanceScores('Which dog food?', ['Has a dog named Rex', 'Buys cat food', 'Buys dog food for Rex', 'Lives in Lyon']);
    expect(scores[3]).toBe(0);
    expect(scores[2]).toBeGreaterThan(scores[0] ?? 0);
    expect(scores[2]).toBeGreaterThan(scores[1] ?? 0);
    expect(relevanceScores('hello there', ['Has a dog'])).toEqual([0]);
  });

  it('ranks best first, keeps the given order for ties and cuts at the limit', () => {
    const items = ['newest: likes tea', 'middle: allergic to peanuts', 'oldest: likes tea and coffee'];
    expect(mostRelevant('any peanut allergy?', items, (item) => item, 2)).toEqual(['middle: allergic to peanuts', 'newest: likes tea']);
    expect(mostRelevant('hi', items, (item) => item, 3)).toEqual(items);
    expect(mostRelevant('coffee', items, (item) => item, 1)).toEqual(['oldest: likes tea and coffee']);
  });
});
