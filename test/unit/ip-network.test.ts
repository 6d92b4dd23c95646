import { describe, expect, it } from 'vitest';
import { limitNetwork } from '../../src/common/ip-network';

describe('limitNetwork: what a per-IP limit counts', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['::FFFF:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:db8:0:0:1::', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['unknown', 'unknown'],
  ])('%s counts as %s', (ip, network) => {
    expect(limitNetwork(ip)).toBe(network);
  });

  it('counts every address of one /64 together, and two /64s apart', () => {
    expect(limitNetwork('2001:db8:aa:bb::1')).toBe(limitNetwork('2001:db8:aa:bb:dead:beef:0:1'));
    expect(limitNetwork('2001:db8:aa:bb::1')).not.toBe(limitNetwork('2001:db8:aa:bc::1'));
  });
});
