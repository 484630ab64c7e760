/**
 * Helpers the rules share: how a violation message is worded, how props are
 * read the way the policy engine hands them over, and the predicates several
 * clouds need (world-open sources, web-only ports, secret-looking variables).
 * Pure functions: no engine, no Pulumi runtime.
 */
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import * as policyRuntime from "@pulumi/policy";
import { baseType } from "./types";

/**
 * `@pulumi/policy` exports these at run time, but its typings of `./proxy`
 * are empty, so they are declared here. During `pulumi preview` the engine
 * wraps props in `unknownCheckingProxy`: reading a value that is not known
 * yet throws `UnknownValueError`, which the engine turns into an advisory
 * "can't run policy during preview" note; the check then runs at `pulumi up`.
 */
const runtime = policyRuntime as unknown as {
    UnknownValueError: new (...args: any[]) => Error;
    unknownCheckingProxy<T extends object>(value: T): T;
};
export const UnknownValueError = runtime.UnknownValueError;
export const unknownCheckingProxy = runtime.unknownCheckingProxy;

/** Reports `<resource>: <property path> <what is wrong>`. */
export function violation(report: ReportViolation, resource: string, path: string, text: string): void {
    report(`${resource}: ${path} ${text}`);
}

/** A resource validation bound to a set of Pulumi type tokens (the rest pass untouched). */
export type TypedCheck = (props: Record<string, any>, args: ResourceValidationArgs, report: ReportViolation) => void;

/**
 * A resource validation that dispatches on `args.type`; types without a check
 * (Docker, random, components ...) pass untouched. `covers` lists the types,
 * so tests can tell that a rule really saw resources of every stack.
 */
export interface TypedValidation {
    (args: ResourceValidationArgs, report: ReportViolation): void;
    covers: string[];
}

export function byType(checks: Record<string, TypedCheck>): TypedValidation {
    const validate = (args: ResourceValidationArgs, report: ReportViolation) => {
        const check = checks[baseType(args.type)];
        if (check) check(args.props, args, report);
    };
    return Object.assign(validate, { covers: Object.keys(checks) });
}

/**
 * A deep plain copy of props with every value that is unknown at preview left
 * out (the pricing engine reads plain objects and treats missing values as
 * absent). Works on the engine's proxied props and on plain objects alike.
 */
export function knownPlain(value: any): any {
    if (value === null || typeof value !== "object") return value;
    const read = (key: string | number): { ok: boolean; value?: any } => {
        try {
            return { ok: true, value: knownPlain(value[key]) };
        } catch (e) {
            if (e instanceof UnknownValueError) return { ok: false };
            throw e;
        }
    };
    if (Array.isArray(value)) {
        const out: any[] = [];
        for (let i = 0; i < value.length; i++) {
            const item = read(i);
            if (item.ok) out.push(item.value);
        }
        return out;
    }
    const out: Record<string, any> = {};
    for (const key of Object.keys(value)) {
        const item = read(key);
        if (item.ok && item.value !== undefined) out[key] = item.value;
    }
    return out;
}

/** A property that may be a list, one value or absent, as a list. */
export function asList(value: unknown): any[] {
    return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

/** Sources that mean "anyone on the internet" in AWS, Azure and GCP rules. */
const WORLD = new Set(["0.0.0.0/0", "::/0", "*", "internet", "any", "0.0.0.0"]);

/** True when a source CIDR, prefix or service tag admits the whole internet. */
export function isWorld(source: unknown): boolean {
    return typeof source === "string" && WORLD.has(source.trim().toLowerCase());
}

/** The only ports the design opens to the internet: the edge's HTTP and HTTPS listeners. */
export const WEB_PORTS: readonly number[] = [80, 443];

/** True when an Azure/GCP port spec ("80", "443", "1-65535", "*") is exactly one web port. */
export function isWebPortSpec(spec: unknown): boolean {
    return WEB_PORTS.map(String).includes(String(spec).trim());
}

/** Names of variables that hold secrets (credentials, keys, connection strings). */
export const SECRET_NAME =
    /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY|DATABASE_(?:ADMIN_)?URL|REDIS_URL|CONNECTION_?STRING|_DSN$/i;

/** Values that are secrets whatever the variable is called. */
const SECRET_VALUES: Array<[RegExp, string]> = [
    [/^[a-z][a-z0-9+.-]*:\/\/[^\s/@]*:[^\s/@]+@/i, "a URL with a password"],
    [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
    [/\bAKIA[0-9A-Z]{16}\b/, "an AWS access key"],
];

/** What kind of secret a plain value is, or undefined when it looks harmless. */
export function secretValueKind(value: unknown): string | undefined {
    if (typeof value !== "string") return undefined;
    return SECRET_VALUES.find(([re]) => re.test(value))?.[1];
}

/**
 * Checks a list of `{ name, value }` environment entries: first every name
 * (names are literals, known even at preview), then every value (a value
 * computed from other resources is unknown at preview and throws, after the
 * name findings are reported). `isReference` says an entry takes its value
 * from a secret store instead of a literal.
 */
export function checkEnvironment(
    report: ReportViolation,
    resource: string,
    path: string,
    entries: unknown,
    isReference: (entry: any) => boolean = () => false,
): void {
    if (!Array.isArray(entries)) return;
    // `in` does not read the value, so it never throws on an unknown one.
    const literal = (e: any) => !!e && typeof e === "object" && "value" in e && !isReference(e);
    entries.forEach((e: any, i: number) => {
        if (literal(e) && SECRET_NAME.test(String(e.name))) {
            violation(
                report,
                resource,
                `${path}[${i}] (${e.name})`,
                "is a plain value; a secret must come from the secret store, not the environment",
            );
        }
    });
    entries.forEach((e: any, i: number) => {
        if (!literal(e) || SECRET_NAME.test(String(e.name))) return;
        const kind = secretValueKind(e.value);
        if (kind)
            violation(report, resource, `${path}[${i}] (${e.name})`, `holds ${kind} in plain text; reference the secret store instead`);
    });
}
