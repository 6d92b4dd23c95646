import { createHmac, hkdfSync } from 'node:crypto';

/**
 * The raw token of a link, derived from its token row: HMAC-SHA256 over the row id with a key
 * derived (HKDF) from SESSION_SECRET, base64url, 43 characters (the shape the path pipe checks).
 * Every build of the same outbox row gives the same link and stores the same hash, so a
 * second copy of an email (a retry after a lost reply, a resend after a crash) does not kill
 * the first copy's link. Only the hash is stored; the raw value exists only in the message.
 *
 * Rotating SESSION_SECRET changes every token still to be built: an email built again after a
 * rotation carries a new link and stores its hash, and the link of an earlier copy of it stops
 * working. Links already delivered and not rebuilt keep working (their hash is stored).
 */
export class LinkTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, '', 'partner-hub token v1', 32));
  }

  rawFor(tokenId: string): string {
    return createHmac('sha256', this.key).update(tokenId, 'utf8').digest('base64url');
  }
}
