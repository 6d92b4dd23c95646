/**
 * What a read returned, kept in this process for a short time: a page shown again within
 * `ttlMs` does not ask the database again. At most `max` values are kept (the oldest set go
 * first). Other processes and instances see a change only when their copy expires, so keep
 * here only what may lag by `ttlMs`, and drop a key (`delete`) where this process changes it.
 */
export class Recent<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = 10_000,
  ) {}

  /** The value kept for `key`, unless it is older than the time to live at `now` (epoch ms). */
  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > now) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V, now: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until: now + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
