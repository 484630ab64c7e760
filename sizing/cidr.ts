/**
 * IPv4 subnet layout for the cloud networks. Pure functions.
 */
import { ConfigError } from "./errors";

export interface SubnetLayout {
    /** One small subnet per zone for load balancers and NAT gateways. */
    public: string[];
    /** One large subnet per zone for the service, the database and the cache. */
    private: string[];
}

function parseCidr(cidr: string): { base: number; prefix: number } {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    const octets = m ? m.slice(1, 5).map(Number) : [];
    const prefix = m ? Number(m[5]) : NaN;
    if (!m || octets.some((o) => o > 255) || prefix > 32) {
        throw new ConfigError("cidr", `"${cidr}" is not an IPv4 CIDR block such as 10.0.0.0/16`);
    }
    const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    if ((base & mask) >>> 0 !== base) {
        throw new ConfigError("cidr", `"${cidr}" has host bits set; did you mean ${formatIp((base & mask) >>> 0)}/${prefix}?`);
    }
    return { base, prefix };
}

function formatIp(n: number): string {
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** The `index`-th subnet of `cidr` that is `extraBits` longer. */
export function subnetOf(cidr: string, extraBits: number, index: number): string {
    const { base, prefix } = parseCidr(cidr);
    const newPrefix = prefix + extraBits;
    if (newPrefix > 32 || index < 0 || index >= 2 ** extraBits) {
        throw new ConfigError("cidr", `${cidr} has no subnet #${index} of size /${newPrefix}`);
    }
    return `${formatIp((base + index * 2 ** (32 - newPrefix)) >>> 0)}/${newPrefix}`;
}

/**
 * Private subnets take the first sixteenths of the block (a /20 each in a
 * /16); public subnets take /24-sized slots from the top sixteenth, so the two
 * never overlap for up to 15 zones.
 */
export function subnetLayout(vpcCidr: string, zones: number): SubnetLayout {
    const { prefix } = parseCidr(vpcCidr);
    if (prefix > 20) throw new ConfigError("cidr", `${vpcCidr} is too small; use a /20 or larger block (e.g. 10.0.0.0/16)`);
    if (!Number.isInteger(zones) || zones < 1 || zones > 15) throw new ConfigError("zones", `must be 1 to 15, got ${zones}`);
    const indices = [...Array(zones).keys()];
    return {
        private: indices.map((i) => subnetOf(vpcCidr, 4, i)),
        public: indices.map((i) => subnetOf(vpcCidr, 8, 240 + i)),
    };
}
