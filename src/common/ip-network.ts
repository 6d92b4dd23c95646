import { isIP } from 'node:net';

/**
 * The network a per-IP limit counts: an IPv4 address as it is, an IPv6 address by its /64
 * prefix. One subscriber gets a whole /64, so counting each of its addresses apart would give
 * it 2^64 allowances. An IPv4 address mapped into IPv6 (`::ffff:192.0.2.1`) is the IPv4 one.
 */
export function limitNetwork(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped && isIP(mapped) === 4) return mapped;
  const address = ip.split('%')[0];
  if (isIP(address) !== 6) return ip;
  const [head, tail] = address.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const first = tail === undefined ? groups(head) : [...groups(head), ...Array<string>(8).fill('0')];
  return `${first
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
