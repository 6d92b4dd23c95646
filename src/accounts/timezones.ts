import { utcOffset } from '../common/time-zones';
import { META_TIMEZONES } from './meta-timezones.data';

const BY_ID = new Map<number, string | null>(META_TIMEZONES.map(([id, , zone]) => [id, zone]));

/** The table itself: its tests check that it is complete and names real zones. */
export const metaTimezoneTable = META_TIMEZONES;

/** The IANA zone of Meta's id, or undefined (not set, 0 "unknown", or not in the table). */
export function metaTimezoneName(id: number | null | undefined): string | undefined {
  return id === null || id === undefined ? undefined : (BY_ID.get(id) ?? undefined);
}

/**
 * What the details page shows for Meta's id: "Europe/Berlin (UTC+01:00)" with the offset at
 * `now`, "unknown (144)" for an id the table does not name, undefined when none is set.
 */
export function metaTimezoneLabel(id: number | null | undefined, now: Date): string | undefined {
  if (id === null || id === undefined) return undefined;
  const zone = metaTimezoneName(id);
  return zone ? `${zone} (UTC${utcOffset(now, zone)})` : `unknown (${id})`;
}
