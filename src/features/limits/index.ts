export { RateLimiter, type LimitSubject } from './rate-limiter.js';
export { DatabaseCounterStore, RedisCounterStore, type RateCounterStore } from './rate-counter-store.js';
