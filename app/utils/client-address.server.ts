import ipaddr from "ipaddr.js";

/**
 * Which address a request came from. Behind a reverse proxy or CDN the socket address is the
 * proxy's, and the client is in X-Forwarded-For; but that header is just text anyone can send, so
 * it is believed only when the socket address is a proxy we were told to trust (TRUSTED_PROXIES).
 */

export type AddressRange = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Four decimal octets, 0–255, no leading zeros: what ipaddr.IPv4.isValidFourPartDecimal accepts. */
const DOTTED_QUAD = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * An IPv4 address in plain dotted-quad form or an IPv6 address, IPv4-mapped IPv6 unwrapped.
 * ipaddr.parse alone also accepts "1.2.3" and hex forms, which no proxy writes.
 */
export function parseAddress(value: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  let text = value.trim();
  // Node reports an IPv4 client of a dual-stack socket as "::ffff:a.b.c.d": every request's socket
  // address looks like this, so it is read directly (ipaddr.js would first try it as IPv4 and throw).
  if (text.startsWith("::ffff:") && DOTTED_QUAD.test(text.slice(7))) text = text.slice(7);
  if (DOTTED_QUAD.test(text)) return new ipaddr.IPv4(text.split(".").map(Number));
  if (!text.includes(":") || !ipaddr.IPv6.isValid(text)) return null;
  return ipaddr.process(text);
}

/** An address ("10.0.0.1", a /32 or /128) or a CIDR range ("10.0.0.0/8", "fd00::/8"); null if neither. */
export function parseAddressRange(value: string): AddressRange | null {
  const text = value.trim();
  const slash = text.indexOf("/");
  const address = parseAddress(slash === -1 ? text : text.slice(0, slash));
  if (!address) return null;
  const max = address.kind() === "ipv4" ? 32 : 128;
  if (slash === -1) return [address, max];
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > max) return null;
  return [address, Number(bitsText)];
}

/** The range as Postgres `inet` reads it, host bits cleared: "10.1.0.0/16". */
export function rangeToCidr([address, bits]: AddressRange): string {
  const network = address.kind() === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(`${address}/${bits}`) : ipaddr.IPv6.networkAddressFromCIDR(`${address}/${bits}`);
  return `${network.toString()}/${bits}`;
}

/** TRUSTED_PROXIES: a comma-separated list of addresses and CIDR ranges. Throws on a bad entry. */
export function parseTrustedProxies(value: string | undefined): AddressRange[] {
  if (!value?.trim()) return [];
  return value.split(",").map((entry) => {
    const range = parseAddressRange(entry);
    if (!range) throw new Error(`"${entry.trim()}" is not an IP address or CIDR range`);
    return range;
  });
}

function isTrusted(address: ipaddr.IPv4 | ipaddr.IPv6, trusted: AddressRange[]): boolean {
  return trusted.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
}

/**
 * The client's address. Walks X-Forwarded-For from the right (the entry our own proxy appended)
 * past every trusted proxy; the first address that is not one is the client. An entry that is
 * not an address stops the walk at the last address a trusted proxy vouched for.
 */
export function resolveClientAddress(socketAddress: string | undefined | null, forwardedFor: string | string[] | undefined, trusted: AddressRange[]): string | null {
  let current = socketAddress ? parseAddress(socketAddress) : null;
  if (!current) return null;
  if (trusted.length === 0 || !isTrusted(current, trusted)) return current.toString();
  const hops = ([] as string[])
    .concat(forwardedFor ?? [])
    .join(",")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseAddress(hops[i]!);
    if (!hop) break;
    current = hop;
    if (!isTrusted(hop, trusted)) break;
  }
  return current.toString();
}

/**
 * What rate limits count by: the address itself for IPv4, its /64 for IPv6 (one subscriber
 * usually holds a whole /64 and can pick any address in it).
 */
export function rateLimitSubject(address: string | null): string {
  const parsed = address ? parseAddress(address) : null;
  if (!parsed) return "unknown";
  return parsed.kind() === "ipv6" ? rangeToCidr([parsed, 64]) : parsed.toString();
}

/** Whether the request's socket peer is one of TRUSTED_PROXIES, whose X-Forwarded-* headers may be believed. */
export function fromTrustedProxy(socketAddress: string | undefined | null, trusted: AddressRange[]): boolean {
  const peer = socketAddress ? parseAddress(socketAddress) : null;
  return peer !== null && trusted.length > 0 && isTrusted(peer, trusted);
}

/**
 * Whether the request reached us over https: APP_URL is https (TLS may end anywhere in front of
 * us), or a trusted proxy says so in X-Forwarded-Proto. From anyone else the header is ignored.
 */
export function arrivedOverHttps(
  req: { socket: { remoteAddress?: string }; headers: Record<string, string | string[] | undefined> },
  config: { APP_URL: string; TRUSTED_PROXIES: AddressRange[] },
): boolean {
  if (config.APP_URL.startsWith("https://")) return true;
  if (!fromTrustedProxy(req.socket.remoteAddress, config.TRUSTED_PROXIES)) return false;
  const proto = req.headers["x-forwarded-proto"];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(",")[0]?.trim().toLowerCase();
  return first === "https";
}
