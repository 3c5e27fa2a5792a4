import { describe, expect, it } from "vitest";
import {
  addressRange,
  clientNetwork,
  isPublicAddress,
  type Resolver,
  resolvePublicHost,
} from "./address";

describe("isPublicAddress", () => {
  it.each([
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "172.15.255.255",
    "172.32.0.1",
    "100.63.255.255",
    "100.128.0.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82a::200e",
    "[2001:4860:4860::8888]",
  ])("%s is public", (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each([
    // [address, range]
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "linkLocal"],
    ["100.64.0.1", "carrierGradeNat"],
    ["100.127.255.255", "carrierGradeNat"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["255.255.255.255", "broadcast"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["192.0.2.1", "reserved"],
    ["198.18.0.1", "reserved"],
    ["198.51.100.7", "reserved"],
    ["203.0.113.9", "reserved"],
    ["240.0.0.1", "reserved"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["::", "unspecified"],
    ["fc00::1", "uniqueLocal"],
    ["fd12:3456:789a::1", "uniqueLocal"],
    ["fe80::1", "linkLocal"],
    ["fe80::1%eth0", "linkLocal"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "reserved"],
    ["fec0::1", "deprecatedSiteLocal"],
    // IPv4-mapped IPv6 is judged by its IPv4 address.
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.1.2.3", "private"],
    ["::ffff:169.254.169.254", "linkLocal"],
    // IPv6 forms that carry or tunnel to IPv4 somewhere else.
    ["64:ff9b::a00:1", "rfc6052"],
    ["2002:7f00:1::1", "6to4"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "teredo"],
    ["::ffff:0:7f00:1", "rfc6145"],
    // Deprecated IPv4-compatible ::a.b.c.d: outside 2000::/3.
    ["::127.0.0.1", "reserved"],
    ["::8.8.8.8", "reserved"],
    ["::7f00:1", "reserved"],
    ["100::1", "discard"],
  ])("%s is not public (%s)", (address, range) => {
    expect(addressRange(address)).toBe(range);
    expect(isPublicAddress(address)).toBe(false);
  });

  it("::ffff: mapping of a public IPv4 address is public", () => {
    expect(isPublicAddress("::ffff:93.184.216.34")).toBe(true);
  });

  it.each([
    "localhost",
    "example.com",
    "",
    "127.1",
    "0x7f.0.0.1",
    "2130706433",
    "1.2.3.4.5",
    "::g",
  ])("%j is not an IP address", (text) => {
    expect(addressRange(text)).toBeUndefined();
    expect(isPublicAddress(text)).toBe(false);
  });
});

describe("resolvePublicHost", () => {
  const table: Record<string, string[]> = {
    "public.test": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "evil.test": ["127.0.0.1"],
    "mixed.test": ["93.184.216.34", "10.0.0.5"],
    "metadata.test": ["169.254.169.254"],
    "mapped.test": ["::ffff:127.0.0.1"],
    "empty.test": [],
  };
  const calls: string[] = [];
  const resolver: Resolver = async (host) => {
    calls.push(host);
    const found = table[host];
    if (found === undefined) throw new Error("ENOTFOUND");
    return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

  it("gives the first address of a public host", async () => {
    await expect(
      resolvePublicHost("public.test", { allowPrivate: false, resolver }),
    ).resolves.toEqual({
      ok: true,
      address: { address: "93.184.216.34", family: 4 },
    });
  });

  it.each([
    ["evil.test", "127.0.0.1", "loopback"],
    ["mixed.test", "10.0.0.5", "private"],
    ["metadata.test", "169.254.169.254", "linkLocal"],
    ["mapped.test", "::ffff:127.0.0.1", "loopback"],
  ])("refuses %s, which resolves to %s", async (host, address, range) => {
    await expect(resolvePublicHost(host, { allowPrivate: false, resolver })).resolves.toEqual({
      ok: false,
      reason: "not_public",
      address,
      range,
    });
  });

  it("allows private targets when told to", async () => {
    await expect(resolvePublicHost("evil.test", { allowPrivate: true, resolver })).resolves.toEqual(
      {
        ok: true,
        address: { address: "127.0.0.1", family: 4 },
      },
    );
  });

  it("does not resolve IP literals, and checks them the same way", async () => {
    calls.length = 0;
    await expect(
      resolvePublicHost("10.1.2.3", { allowPrivate: false, resolver }),
    ).resolves.toMatchObject({
      ok: false,
      range: "private",
    });
    await expect(
      resolvePublicHost("[::1]", { allowPrivate: false, resolver }),
    ).resolves.toMatchObject({
      ok: false,
      range: "loopback",
    });
    await expect(resolvePublicHost("[::1]", { allowPrivate: true, resolver })).resolves.toEqual({
      ok: true,
      address: { address: "::1", family: 6 },
    });
    await expect(resolvePublicHost("8.8.8.8", { allowPrivate: false, resolver })).resolves.toEqual({
      ok: true,
      address: { address: "8.8.8.8", family: 4 },
    });
    expect(calls).toEqual([]);
  });

  it("treats an IPv4 literal in a form Node does not take as IP as a name to resolve", async () => {
    calls.length = 0;
    await expect(resolvePublicHost("127.1", { allowPrivate: false, resolver })).resolves.toEqual({
      ok: false,
      reason: "not_found",
    });
    expect(calls).toEqual(["127.1"]);
  });

  it("reports names that do not resolve", async () => {
    await expect(
      resolvePublicHost("nowhere.test", { allowPrivate: false, resolver }),
    ).resolves.toEqual({
      ok: false,
      reason: "not_found",
    });
    await expect(
      resolvePublicHost("empty.test", { allowPrivate: true, resolver }),
    ).resolves.toEqual({
      ok: false,
      reason: "not_found",
    });
  });

  it("uses the system resolver by default", async () => {
    await expect(resolvePublicHost("localhost", { allowPrivate: false })).resolves.toMatchObject({
      ok: false,
      reason: "not_public",
      range: "loopback",
    });
  });
});

describe("clientNetwork", () => {
  it("keeps an IPv4 address whole, also when it comes IPv4-mapped", () => {
    expect(clientNetwork("203.0.113.7")).toBe("203.0.113.7");
    expect(clientNetwork("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(clientNetwork("203.0.113.8")).not.toBe(clientNetwork("203.0.113.7"));
  });

  it("folds every address of an IPv6 /64 into one network, however it is written", () => {
    const one = clientNetwork("2001:db8:1:2::1");
    expect(clientNetwork("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe(one);
    expect(clientNetwork("2001:0DB8:0001:0002:0:0:0:abcd")).toBe(one);
    expect(clientNetwork("[2001:db8:1:2::9]")).toBe(one);
    expect(clientNetwork("2001:db8:1:3::1")).not.toBe(one);
  });

  it("passes through what is not an address", () => {
    expect(clientNetwork("unknown")).toBe("unknown");
  });
});
