import { Inject, Injectable } from '@nestjs/common';
import type { RequestOrigin } from './http';
import { LOGGER, type Logger } from './logger';

/**
 * Work that runs once the answer is on its way, so that it neither delays the answer nor shows
 * in its timing (whether an address is known must not be told by how long a page takes).
 * Failures are logged with the request id. `idle()` waits for all of it (tests, shutdown).
 */
@Injectable()
export class AfterResponse {
  private readonly pending = new Set<Promise<void>>();

  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  run(origin: Pick<RequestOrigin, 'requestId'>, what: string, work: () => Promise<void>): void {
    const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((err: unknown) =>
        this.logger.error({ event: 'after_response.failed', what, requestId: origin.requestId, err }, `${what} failed`),
      )
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  async idle(): Promise<void> {
    while (this.pending.size) await Promise.all(this.pending);
  }
}
