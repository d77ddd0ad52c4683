export { RateLimiter, type LimitSubject } from './rate-limiter.js';
