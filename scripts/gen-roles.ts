/**
 * Writes components/<cloud>/roles.ts: for each component, the roles of its
 * children on that cloud, each typed with the provider's args type (for typed
 * `transform` hooks). The roles are read from what the program really
 * declares, over every stack in stacks/ and the variants below (edge kinds,
 * with and without a domain, NAT choices, CPU architecture), so a role exists
 * in the file exactly when some configuration creates it. Indexed roles
 * (`replica-0`, `public-1`) become template keys (`replica-${number}`).
 *
 *   npx ts-node --transpile-only scripts/gen-roles.ts
 *
 * Rerun it after adding or renaming a child; test/contract.test.ts fails when
 * a stack creates a role the file does not list.
 */
import * as fs from "fs";
import * as path from "path";
import { listStacks, readStackFile, runProgram, RecordedResource } from "./harness";

/** Component name prefixes McpDeployment gives its parts (see components/McpDeployment.ts). */
export const COMPONENT_OF_PREFIX: Record<string, string> = {
    "mcp-network": "Network", "mcp-image": "ServerImage", "mcp-audit": "AuditDatabase",
    "mcp-cache": "SessionCache", "mcp-edge": "EdgeLB", "mcp-server": "McpCluster",
};
export const COMPONENTS = ["Network", "ServerImage", "AuditDatabase", "SessionCache", "EdgeLB", "McpCluster"] as const;

/** Extra configurations per cloud, on top of each stack, that create other children. */
const VARIANTS: Record<string, Array<Record<string, string>>> = {
    aws: [{ "mcp-infra:edgeKind": "loadBalancer" }, { "mcp-infra:edgeKind": "payPerRequest", "mcp-infra:domain": "mcp.example.com" },
        { "mcp-infra:natGateways": "none" }, { "mcp-infra:natGateways": "single" }],
    azure: [{ "mcp-infra:edgeKind": "loadBalancer" }, { "mcp-infra:edgeKind": "loadBalancer", "mcp-infra:domain": "mcp.example.com" }],
    gcp: [{ "mcp-infra:edgeKind": "loadBalancer" }, { "mcp-infra:edgeKind": "loadBalancer", "mcp-infra:domain": "mcp.example.com" }],
    local: [],
};

/** The role of a child of McpDeployment's parts, as a type key (`replica-${number}` for `replica-0`). */
export function roleOf(r: RecordedResource): { component: string; role: string } | undefined {
    if (r.custom === false) return undefined;
    for (const [prefix, component] of Object.entries(COMPONENT_OF_PREFIX)) {
        if (r.name.startsWith(`${prefix}-`)) return { component, role: r.name.slice(prefix.length + 1).replace(/(^|-)\d+(?=-|$)/g, "$1${number}") };
    }
    return undefined;
}

/** The provider's args type of a resource type token, as this file's imports spell it. */
export function argsType(token: string): string {
    const [pkg, mod, cls] = token.split(":");
    const ns = { aws: "aws", gcp: "gcp", "azure-native": "azure", docker: "docker", random: "random" }[pkg];
    if (!ns) throw new Error(`no args type for ${token}`);
    const module = mod.split("/")[0];
    return module === "index" ? `${ns}.${cls}Args` : `${ns}.${module}.${cls}Args`;
}

const IMPORTS: Record<string, string> = {
    aws: 'import type * as aws from "@pulumi/aws";',
    gcp: 'import type * as gcp from "@pulumi/gcp";',
    azure: 'import type * as azure from "@pulumi/azure-native";',
    docker: 'import type * as docker from "@pulumi/docker";',
    random: 'import type * as random from "@pulumi/random";',
};

async function main() {
    const byCloud = new Map<string, Map<string, Map<string, Set<string>>>>();
    for (const stack of listStacks()) {
        const base = readStackFile(stack);
        const cloud = base["mcp-infra:cloud"];
        for (const extra of [{}, ...(VARIANTS[cloud] ?? [])]) {
            let run;
            try {
                run = await runProgram(stack, { ...base, ...extra });
            } catch {
                continue; // a variant this tier refuses (e.g. a pay-per-request edge where the tier has a WAF)
            }
            for (const r of run.resources) {
                const found = roleOf(r);
                if (!found) continue;
                const comps = byCloud.get(cloud) ?? new Map();
                byCloud.set(cloud, comps);
                const roles = comps.get(found.component) ?? new Map();
                comps.set(found.component, roles);
                const types = roles.get(found.role) ?? new Set();
                roles.set(found.role, types);
                types.add(argsType(r.type));
            }
        }
    }
    for (const [cloud, comps] of byCloud) {
        const used = new Set<string>();
        const body: string[] = [];
        const name = { aws: "Aws", azure: "Azure", gcp: "Gcp", local: "Local" }[cloud]!;
        body.push(`/** The roles of each component's children on ${cloud}, each with the provider's args type of that child. */`);
        body.push(`export interface ${name}Roles {`);
        for (const component of COMPONENTS) {
            const roles = comps.get(component) ?? new Map();
            body.push(`    ${component}: {`);
            for (const role of [...roles.keys()].sort()) {
                const types = [...roles.get(role)!].sort();
                for (const t of types) used.add(t.split(".")[0]);
                const key = role.includes("${") ? `[role: \`${role}\`]` : JSON.stringify(role);
                body.push(`        ${key}: ${types.join(" | ")};`);
            }
            body.push("    };");
        }
        body.push("}");
        const header = [
            "// Generated by scripts/gen-roles.ts from what the program declares; do not edit by hand.",
            ...[...used].sort().map((u) => IMPORTS[u]),
            "",
        ];
        fs.writeFileSync(path.join(__dirname, "..", "components", cloud, "roles.ts"), [...header, ...body, ""].join("\n"));
        console.log(`components/${cloud}/roles.ts: ${[...comps.values()].reduce((n, m) => n + m.size, 0)} roles`);
    }
}

if (require.main === module) main().catch((e) => { console.error(e); process.exit(1); });
