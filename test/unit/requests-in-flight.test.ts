import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { RequestsInFlight } from '../../src/common/requests-in-flight';

const response = () => new EventEmitter() as unknown as Response;

describe('requests in flight', () => {
  it('counts a request until its response closes, and a request that left only once', () => {
    const inFlight = new RequestsInFlight();
    const [page, download] = [response(), response()];
    let nexts = 0;
    inFlight.track({} as Request, page, () => nexts++);
    inFlight.track({} as Request, download, () => nexts++);
    expect(nexts).toBe(2);
    expect(inFlight.count).toBe(2);

    inFlight.leave(download);
    inFlight.leave(download);
    expect(inFlight.count).toBe(1);
    download.emit('close');
    expect(inFlight.count).toBe(1);

    page.emit('close');
    page.emit('close');
    expect(inFlight.count).toBe(0);
  });
});
