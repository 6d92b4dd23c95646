import { clientIp, type HubRequest } from './http';
import type { Logger } from './logger';

/**
 * One shape for what a security reviewer greps for: `"security":true` with the event's name,
 * the request id, the client IP, the path and, when known, the signed-in user. Never a secret.
 */
export function logSecurityEvent(logger: Logger, req: HubRequest, event: string, fields: Record<string, unknown> = {}): void {
  logger.warn(
    {
      security: true,
      event,
      requestId: req.id,
      ip: clientIp(req),
      method: req.method,
      path: req.path,
      userId: req.member?.userId ?? req.session?.passport?.user,
      ...fields,
    },
    `security: ${event}`,
  );
}
