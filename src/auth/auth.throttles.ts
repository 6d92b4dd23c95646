import type { RatePolicy } from '../throttle';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * What a guesser or a mail bomber may spend. Account and address limits hold however many IPs
 * the requests come from; the IP limits stop one source spreading guesses over many accounts.
 * A second sign-in step takes a pair of its own (per account, per IP) the same way.
 */
export const AuthLimits = {
  /** Password checks of one account from browsers it never signed in from (a successful one is given back). */
  signInPerAccount: { name: 'signin.account', points: 5, windowMs: 15 * MINUTE },
  /** Password checks of one account from one browser it signed in from before (known-browser.ts). */
  signInPerKnownBrowser: { name: 'signin.browser', points: 5, windowMs: 15 * MINUTE },
  signInPerIp: { name: 'signin.ip', points: 20, windowMs: 15 * MINUTE },
  /** Current-password checks on the profile page, per person and per IP. */
  currentPasswordPerUser: { name: 'password.current', points: 5, windowMs: 15 * MINUTE },
  currentPasswordPerIp: { name: 'password.current.ip', points: 20, windowMs: 15 * MINUTE },
  /** Forgot-password requests, known and unknown addresses alike. */
  forgotPerAddress: { name: 'forgot.address', points: 3, windowMs: HOUR, refusal: 'Too many requests for this address.' },
  forgotPerIp: { name: 'forgot.ip', points: 20, windowMs: HOUR, refusal: 'Too many requests from your network.' },
  /** Links opened (invitation and reset) and their forms posted. */
  tokenLandingsPerIp: { name: 'token.ip', points: 30, windowMs: 15 * MINUTE },
} satisfies Record<string, RatePolicy>;
