/**
 * Work that callers asking for the same key at the same time share: the first starts it, the
 * others wait for that run and get its result (or its error). Once it has ended, the next call
 * starts a new run. Nothing is kept after a run: keep results elsewhere (Recent, a Map).
 */
export class SharedRuns<V> {
  private readonly running = new Map<string, Promise<V>>();

  run(key: string, work: () => Promise<V>): Promise<V> {
    const running = this.running.get(key);
    if (running) return running;
    const started = work().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }
}
