import { clientIp, type HubRequest, type RequestOrigin } from './http';
import type { Logger } from './logger';

/**
 * One shape for what a security reviewer greps for: `"security":true` with the event's name,
 * the request id, the client IP and, from a request, the path and the signed-in user. Never a
 * secret. A service knows only the origin: its request id leads to the access log's line.
 */
export function logSecurityEvent(
  logger: Logger,
  from: HubRequest | RequestOrigin,
  event: string,
  fields: Record<string, unknown> = {},
): void {
  const where =
    'requestId' in from
      ? { requestId: from.requestId, ip: from.ip }
      : {
          requestId: from.id,
          ip: clientIp(from),
          method: from.method,
          path: from.path,
          userId: from.member?.userId ?? from.session?.passport?.user,
        };
  logger.warn({ security: true, event, ...where, ...fields }, `security: ${event}`);
}
