import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * The requests this process is serving now, so that long downloads can give way to pages
 * (ExportsService): counted from the first middleware until the response closes. A request
 * that leaves (a download, once started) no longer counts.
 */
@Injectable()
export class RequestsInFlight {
  private readonly serving = new WeakSet<Response>();
  private current = 0;

  readonly track = (_req: Request, res: Response, next: NextFunction): void => {
    this.serving.add(res);
    this.current++;
    res.once('close', () => this.leave(res));
    next();
  };

  leave(res: Response): void {
    if (this.serving.delete(res)) this.current--;
  }

  get count(): number {
    return this.current;
  }
}
