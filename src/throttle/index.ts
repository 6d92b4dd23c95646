/** Rate limits shared by every process: what other modules use of throttle. */
export { RateLimited, RateLimiter, tryAgainIn, type Claim, type RateDecision, type RatePolicy } from './rate-limiter';
