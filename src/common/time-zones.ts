import { DAY_MS, offsetAt } from './dates';

/**
 * Instants for people, in the zone they read in, with the zone named. Formatters are made once
 * per zone: a list page formats a hundred instants.
 */

/**
 * Zones ICU still lists by names IANA has since replaced (its canonical ids are CLDR's): a
 * person sees and chooses today's (Kyiv, not Kiev). Both work with Intl alike.
 */
const RENAMED: Readonly<Record<string, string>> = {
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

/** A zone by its current IANA name. */
const currentZoneName = (zone: string): string => RENAMED[zone] ?? zone;

/** The zones a person may choose: the IANA zones this runtime knows, by their current names, and UTC. */
const ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone').map(currentZoneName).sort()];
/** A zone chosen by its former name before stays a valid choice. */
const KNOWN = new Set([...ZONES, ...Object.keys(RENAMED)]);

/** Whether a person may choose this zone (exact IANA spelling, as the list offers it, or its former name). */
export function isChoosableZone(zone: string): boolean {
  return KNOWN.has(zone);
}

/**
 * Zones found usable. Asking means making a formatter (about 30 µs), and a list page asks per
 * row. Only usable zones are kept (a bounded set), so invalid input cannot grow it.
 */
const usableZones = new Set<string>();

/** The runtime's own spelling of a usable zone: "europe/berlin" is "Europe/Berlin". */
export function canonicalTimeZone(zone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
}

/** Whether the runtime can show times in this zone (aliases such as "Europe/Kiev" included). */
export function isTimeZone(zone: string): boolean {
  if (usableZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false;
  }
  usableZones.add(zone);
  return true;
}

const cache = new Map<string, Intl.DateTimeFormat>();

function cached(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = cache.get(key);
  if (!f) cache.set(key, (f = make()));
  return f;
}

function part(f: Intl.DateTimeFormat, at: Date, type: Intl.DateTimeFormatPartTypes): string {
  return f.formatToParts(at).find((p) => p.type === type)?.value ?? '';
}

/** The zone's offset from UTC at an instant: "+01:00", "-04:00", "+05:30", "+00:00". */
export function utcOffset(at: Date, zone: string): string {
  const f = cached(`offset|${zone}`, () => new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }));
  // "GMT+01:00", or "GMT" alone at zero.
  return part(f, at, 'timeZoneName').replace(/^GMT/, '') || '+00:00';
}

/**
 * A short name of the zone at an instant that says whether summer time applies: "CET"/"CEST",
 * "EST"/"EDT", "GMT"/"BST", "UTC". Where no abbreviation is in common use (most of Asia, Australia,
 * South America), the offset: "UTC+05:30".
 */
export function zoneAbbreviation(at: Date, zone: string): string {
  // en-US knows the American abbreviations, en-GB the European ones; each gives "GMT+2" otherwise.
  for (const locale of ['en-US', 'en-GB']) {
    const f = cached(`abbr|${locale}|${zone}`, () => new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' }));
    const name = part(f, at, 'timeZoneName');
    if (/^[A-Z]{2,5}$/.test(name)) return name;
  }
  return `UTC${utcOffset(at, zone)}`;
}

/** A zone the runtime cannot use (a stored value from an older tz database) reads as UTC. */
function usable(zone: string | undefined | null): string {
  return zone && isTimeZone(zone) ? zone : 'UTC';
}

/** "30 Nov 2026, 15:04 CET": the wall clock of the zone, and the zone. */
export function formatInstant(at: Date, zone?: string | null): string {
  const tz = usable(zone);
  const f = cached(
    `wall|${tz}`,
    () =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone: tz,
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }),
  );
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute} ${zoneAbbreviation(at, tz)}`;
}

/**
 * A zone's wall clock for many instants: an instant moved by the zone's offset at that instant,
 * so that its UTC fields read the local time (summer time included). A formatter call costs
 * microseconds and a list page or a download shows thousands of instants, so the offset is read
 * once per UTC day, and exactly on a day when it changes.
 */
export class ZoneShift {
  private readonly days = new Map<number, number | null>();

  constructor(readonly zone: string) {}

  wallClock(at: Date): Date {
    return new Date(at.getTime() + this.offsetMs(at.getTime()));
  }

  private offsetMs(t: number): number {
    const day = Math.floor(t / DAY_MS);
    let offset = this.days.get(day);
    if (offset === undefined) {
      if (this.days.size > 10_000) this.days.clear();
      const start = offsetAt(day * DAY_MS, this.zone);
      offset = start === offsetAt((day + 1) * DAY_MS - 1, this.zone) ? start : null;
      this.days.set(day, offset);
    }
    return offset ?? offsetAt(t, this.zone);
  }
}

/** One ZoneShift per usable zone (a bounded set), for the pages. */
const shifts = new Map<string, ZoneShift>();

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** The calendar day of an instant in a zone: "2026-11-30". */
export function dayIn(at: Date, zone?: string | null): string {
  const tz = usable(zone);
  let shift = shifts.get(tz);
  if (!shift) shifts.set(tz, (shift = new ZoneShift(tz)));
  const wall = shift.wallClock(at);
  const year = wall.getUTCFullYear();
  if (year < 1000 || year > 9999) return wall.toISOString().slice(0, 10);
  return `${year}-${two(wall.getUTCMonth() + 1)}-${two(wall.getUTCDate())}`;
}

export interface ZoneChoice {
  value: string;
  label: string;
  selected: boolean;
}

/**
 * Big cities whose zone IANA names after another city, so that a person in Mumbai finds their
 * time under M as well as under Kolkata: each is listed as a choice of its own, of that zone.
 * Spelled without accents, as a select's type-ahead matches what is typed.
 */
export const CITY_ZONES: Readonly<Record<string, string>> = {
  Abuja: 'Africa/Lagos',
  'Cape Town': 'Africa/Johannesburg',
  Durban: 'Africa/Johannesburg',
  Pretoria: 'Africa/Johannesburg',
  Alexandria: 'Africa/Cairo',
  Rabat: 'Africa/Casablanca',
  Mombasa: 'Africa/Nairobi',
  Washington: 'America/New_York',
  Boston: 'America/New_York',
  Philadelphia: 'America/New_York',
  Atlanta: 'America/New_York',
  Miami: 'America/New_York',
  Houston: 'America/Chicago',
  Dallas: 'America/Chicago',
  Austin: 'America/Chicago',
  'San Francisco': 'America/Los_Angeles',
  Seattle: 'America/Los_Angeles',
  'San Diego': 'America/Los_Angeles',
  Montreal: 'America/Toronto',
  Ottawa: 'America/Toronto',
  Guadalajara: 'America/Mexico_City',
  Puebla: 'America/Mexico_City',
  'Rio de Janeiro': 'America/Sao_Paulo',
  Brasilia: 'America/Sao_Paulo',
  'Belo Horizonte': 'America/Sao_Paulo',
  Curitiba: 'America/Sao_Paulo',
  'Porto Alegre': 'America/Sao_Paulo',
  Medellin: 'America/Bogota',
  Cali: 'America/Bogota',
  Quito: 'America/Guayaquil',
  Mumbai: 'Asia/Kolkata',
  'New Delhi': 'Asia/Kolkata',
  Delhi: 'Asia/Kolkata',
  Bengaluru: 'Asia/Kolkata',
  Bangalore: 'Asia/Kolkata',
  Chennai: 'Asia/Kolkata',
  Hyderabad: 'Asia/Kolkata',
  Pune: 'Asia/Kolkata',
  Ahmedabad: 'Asia/Kolkata',
  Lahore: 'Asia/Karachi',
  Islamabad: 'Asia/Karachi',
  Beijing: 'Asia/Shanghai',
  Shenzhen: 'Asia/Shanghai',
  Guangzhou: 'Asia/Shanghai',
  Osaka: 'Asia/Tokyo',
  Hanoi: 'Asia/Ho_Chi_Minh',
  Surabaya: 'Asia/Jakarta',
  Bandung: 'Asia/Jakarta',
  Cebu: 'Asia/Manila',
  Jeddah: 'Asia/Riyadh',
  Mecca: 'Asia/Riyadh',
  'Abu Dhabi': 'Asia/Dubai',
  'Tel Aviv': 'Asia/Jerusalem',
  Canberra: 'Australia/Sydney',
  Wellington: 'Pacific/Auckland',
  Frankfurt: 'Europe/Berlin',
  Munich: 'Europe/Berlin',
  Hamburg: 'Europe/Berlin',
  Cologne: 'Europe/Berlin',
  Geneva: 'Europe/Zurich',
  Manchester: 'Europe/London',
  Birmingham: 'Europe/London',
  Edinburgh: 'Europe/London',
  Barcelona: 'Europe/Madrid',
  Valencia: 'Europe/Madrid',
  Milan: 'Europe/Rome',
  Naples: 'Europe/Rome',
  Lyon: 'Europe/Paris',
  Marseille: 'Europe/Paris',
  Rotterdam: 'Europe/Amsterdam',
  'The Hague': 'Europe/Amsterdam',
  Porto: 'Europe/Lisbon',
  Krakow: 'Europe/Warsaw',
  Lviv: 'Europe/Kyiv',
  Ankara: 'Europe/Istanbul',
  Izmir: 'Europe/Istanbul',
  'Saint Petersburg': 'Europe/Moscow',
};

const regionOf = (zone: string) => (zone.includes('/') ? zone.slice(0, zone.indexOf('/')) : 'Universal');
const placeOf = (zone: string) =>
  (zone.includes('/') ? zone.slice(zone.indexOf('/') + 1) : zone).replaceAll('_', ' ').replaceAll('/', ' – ');

/**
 * The zones to choose from, grouped by region ("Europe", "America", …) with UTC first, each
 * labelled with its city and current offset ("Berlin (UTC+01:00)") and in order of that label:
 * a native select then jumps to a city as its first letters are typed. The cities of
 * CITY_ZONES are there too, each naming its zone's city ("Mumbai (Kolkata, UTC+05:30)"); the
 * zone's own entry is the one shown chosen.
 */
export function zoneChoices(now: Date, selected: string | null | undefined): { label: string; zones: ZoneChoice[] }[] {
  const chosen = selected && currentZoneName(selected);
  const groups = new Map<string, ZoneChoice[]>();
  const add = (value: string, label: string, selected: boolean) => {
    const list = groups.get(regionOf(value)) ?? [];
    list.push({ value, label, selected });
    groups.set(regionOf(value), list);
  };
  for (const value of ZONES) add(value, `${placeOf(value)} (UTC${utcOffset(now, value)})`, value === chosen);
  for (const [city, value] of Object.entries(CITY_ZONES)) add(value, `${city} (${placeOf(value)}, UTC${utcOffset(now, value)})`, false);
  return [...groups].map(([label, zones]) => ({ label, zones: zones.sort((a, b) => a.label.localeCompare(b.label, 'en')) }));
}
