/** The one source of time. Tests replace it with a clock they can set and advance. */
export class Clock {
  now(): Date {
    return new Date();
  }
}
