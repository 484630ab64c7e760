import { getOAuthProtectedResourceMetadataUrl } from "@modelcontextprotocol/server";
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import type { IncomingHttpHeaders } from "node:http";
import type { OAuthConfig } from "../config";
import { KeyRing, sha256Hex } from "./apiKeys";

export type AuthResult =
    /** `scopes` is set for OAuth tokens only; API keys and open mode are not scoped. */
    | { ok: true; clientId: string; method: "api-key" | "oauth" | "none"; scopes?: string[] }
    /**
     * `error` is absent when the request carried no usable credentials (none at all, or another
     * scheme than Bearer): RFC 6750 section 3.1 says such a 401 carries no error code.
     */
    | { ok: false; status: 401 | 503; error?: "invalid_token" | "temporarily_unavailable"; description: string };

/** Asymmetric algorithms only: a JWKS never carries shared secrets. */
const JWT_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const SAFE_ID = /^[A-Za-z0-9._@:|-]{1,128}$/;

/** URL of the Protected Resource Metadata for a resource URL (RFC 9728 section 3.1), by the SDK's helper. */
export function resourceMetadataUrl(resourceUrl: string): string {
    return getOAuthProtectedResourceMetadataUrl(new URL(resourceUrl));
}

/** OAuth scopes of a token: `scope` (space-separated, RFC 9068 / RFC 8693) or an `scp` array. */
function tokenScopes(payload: JWTPayload): string[] {
    if (typeof payload.scope === "string") return payload.scope.split(" ").filter((s) => s !== "");
    if (Array.isArray(payload.scp)) return payload.scp.filter((s): s is string => typeof s === "string");
    return [];
}

function quoted(value: string): string {
    return value.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, " ");
}

function describeJwtError(err: unknown, oauth: OAuthConfig): AuthResult {
    const fail = (description: string): AuthResult => ({ ok: false, status: 401, error: "invalid_token", description });
    if (err instanceof joseErrors.JWTExpired) return fail("token expired");
    if (err instanceof joseErrors.JWTClaimValidationFailed) {
        if (err.claim === "aud") return fail(`token audience is not ${oauth.audience}`);
        if (err.claim === "iss") return fail(`token issuer is not ${oauth.issuer}`);
        if (err.claim === "nbf") return fail("token is not valid yet");
        if (err.claim === "exp") return fail("token has no exp (expiry) claim; tokens without an expiry are refused");
        return fail(`token claim "${err.claim}" is invalid`);
    }
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) return fail("token signature is invalid");
    if (err instanceof joseErrors.JWKSNoMatchingKey) return fail("token is signed with a key the issuer does not publish");
    if (err instanceof joseErrors.JOSEAlgNotAllowed) return fail("token signing algorithm is not allowed");
    if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid || (err as Error).name === "TypeError") {
        return { ok: false, status: 503, error: "temporarily_unavailable", description: "the issuer's signing keys cannot be fetched" };
    }
    if (err instanceof joseErrors.JOSEError) return fail("token is malformed or invalid");
    return { ok: false, status: 503, error: "temporarily_unavailable", description: "token could not be checked" };
}

/**
 * Authenticates /mcp requests by API key (`Authorization: Bearer <key>` or `X-API-Key`) and,
 * in OAuth resource-server mode, by bearer JWT checked against the issuer's JWKS.
 */
export class Authenticator {
    private readonly jwks?: JWTVerifyGetKey;

    constructor(
        readonly keys: KeyRing,
        readonly oauth?: OAuthConfig,
        readonly allowUnauthenticated = false,
    ) {
        if (oauth !== undefined) {
            this.jwks = createRemoteJWKSet(new URL(oauth.jwksUrl), {
                timeoutDuration: 3000,
                cooldownDuration: 30_000,
                cacheMaxAge: 600_000,
            });
        }
    }

    /** True when neither keys nor OAuth are configured (every caller is "anonymous"). */
    get open(): boolean {
        return this.keys.size === 0 && this.oauth === undefined && !this.keys.hasFile;
    }

    async authenticate(headers: IncomingHttpHeaders): Promise<AuthResult> {
        if (this.open) return { ok: true, clientId: "anonymous", method: "none" };
        const authz = headers.authorization;
        const apiKeyHeader = headers["x-api-key"];
        let token: string | undefined;
        if (typeof authz === "string" && authz !== "") {
            const m = /^Bearer\s+(\S+)\s*$/i.exec(authz);
            if (m === null) return { ok: false, status: 401, description: 'Authorization header must be "Bearer <token>"' };
            token = m[1];
        } else if (typeof apiKeyHeader === "string" && apiKeyHeader !== "") {
            token = apiKeyHeader.trim();
        }
        if (token === undefined) {
            return { ok: false, status: 401, description: "missing credentials: send Authorization: Bearer <token>" };
        }
        const keyClient = this.keys.match(token);
        if (keyClient !== undefined) return { ok: true, clientId: keyClient, method: "api-key" };
        if (this.oauth !== undefined && this.jwks !== undefined && JWT_SHAPE.test(token)) {
            try {
                const { payload } = await jwtVerify(token, this.jwks, {
                    issuer: this.oauth.issuer,
                    audience: this.oauth.audience,
                    algorithms: JWT_ALGORITHMS,
                    clockTolerance: 30,
                    requiredClaims: ["exp"],
                });
                const subject =
                    typeof payload.sub === "string" ? payload.sub : typeof payload.client_id === "string" ? payload.client_id : undefined;
                if (subject === undefined)
                    return { ok: false, status: 401, error: "invalid_token", description: "token has no sub or client_id claim" };
                return {
                    ok: true,
                    clientId: SAFE_ID.test(subject) ? subject : `sub-${sha256Hex(subject).slice(0, 16)}`,
                    method: "oauth",
                    scopes: tokenScopes(payload),
                };
            } catch (err) {
                return describeJwtError(err, this.oauth);
            }
        }
        return { ok: false, status: 401, error: "invalid_token", description: this.oauth ? "invalid API key or token" : "invalid API key" };
    }

    /** WWW-Authenticate value for a 401; points at the Protected Resource Metadata in OAuth mode. */
    challenge(result?: Extract<AuthResult, { ok: false }>): string {
        const parts = [this.oauth ? `resource_metadata="${resourceMetadataUrl(this.oauth.resourceUrl)}"` : 'realm="mcp"'];
        // No credentials (or another scheme): no error code and no description (RFC 6750 section 3.1).
        if (result?.error === "invalid_token") {
            parts.push(`error="${result.error}"`, `error_description="${quoted(result.description)}"`);
        }
        return `Bearer ${parts.join(", ")}`;
    }

    /** WWW-Authenticate value for a 403 insufficient_scope (RFC 6750 section 3.1, MCP SEP-835). */
    scopeChallenge(scopes: readonly string[], description: string): string {
        const parts = [
            this.oauth ? `resource_metadata="${resourceMetadataUrl(this.oauth.resourceUrl)}"` : 'realm="mcp"',
            'error="insufficient_scope"',
            `scope="${quoted(scopes.join(" "))}"`,
            `error_description="${quoted(description)}"`,
        ];
        return `Bearer ${parts.join(", ")}`;
    }

    /** RFC 9728 Protected Resource Metadata (OAuth mode only). */
    protectedResourceMetadata(scopesSupported: readonly string[] = []): Record<string, unknown> | undefined {
        if (this.oauth === undefined) return undefined;
        return {
            resource: this.oauth.resourceUrl,
            authorization_servers: [this.oauth.issuer],
            bearer_methods_supported: ["header"],
            ...(scopesSupported.length > 0 ? { scopes_supported: [...scopesSupported] } : {}),
            resource_name: "MCP server",
        };
    }
}
