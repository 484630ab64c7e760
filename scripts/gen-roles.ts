/**
 * Writes components/roles.ts: for each cloud and component, the roles of its
 * children, each typed with the provider's args type (for typed `transform`
 * hooks, see components/transforms.ts). The roles are read from what the
 * program really declares, over every stack in stacks/ and the variants below
 * (edge kinds, with and without a domain, NAT choices), so a role is in the
 * file exactly when some configuration creates it. Each component of
 * McpDeployment is found by its type token (`mcp-infra:index:<Kind>`), so a
 * new component needs no change here. Indexed roles (`replica-0`, `public-1`)
 * become template keys (`replica-${number}`).
 *
 *   npx ts-node --transpile-only scripts/gen-roles.ts
 *
 * Rerun it after adding or renaming a child; test/contract.test.ts fails when
 * a stack creates a role the file does not list.
 */
import * as fs from "fs";
import * as path from "path";
import { listStacks, ProgramRun, readStackFile, runProgram, RecordedResource } from "./harness";

/** The component kind of each component resource of a run, by its name (`mcp-network` -> `Network`); McpDeployment itself excluded. */
export function componentsOf(run: ProgramRun): Map<string, string> {
    const prefix = "mcp-infra:index:";
    return new Map(
        run.resources
            .filter((r) => r.custom === false && r.type.startsWith(prefix) && r.type !== `${prefix}McpDeployment`)
            .map((r) => [r.name, r.type.slice(prefix.length)]),
    );
}

/** Extra configurations per cloud, on top of each stack, that create other children. */
const VARIANTS: Record<string, Array<Record<string, string>>> = {
    aws: [
        { "mcp-infra:edgeKind": "loadBalancer" },
        { "mcp-infra:edgeKind": "payPerRequest", "mcp-infra:domain": "mcp.example.com" },
        { "mcp-infra:natGateways": "none" },
        { "mcp-infra:natGateways": "single" },
        { "mcp-infra:sessionStore": "managed", "mcp-infra:cacheMode": "nodes", "mcp-infra:maxReplicas": "2" },
        { "mcp-infra:sessionStore": "managed", "mcp-infra:cacheMode": "serverless", "mcp-infra:maxReplicas": "2" },
        { "mcp-infra:secretStore": "managed" },
        { "mcp-infra:secretStore": "platform" },
    ],
    azure: [
        { "mcp-infra:edgeKind": "loadBalancer" },
        { "mcp-infra:edgeKind": "loadBalancer", "mcp-infra:domain": "mcp.example.com" },
        { "mcp-infra:natGateways": "single" },
    ],
    gcp: [{ "mcp-infra:edgeKind": "loadBalancer" }, { "mcp-infra:edgeKind": "loadBalancer", "mcp-infra:domain": "mcp.example.com" }],
    local: [],
};

/** The role of a child of one of `components` (name -> kind), as a type key (`replica-${number}` for `replica-0`). */
export function roleOf(r: RecordedResource, components: Map<string, string>): { component: string; role: string } | undefined {
    if (r.custom === false) return undefined;
    // The longest component name that prefixes the child's name is its component.
    const owner = [...components.keys()].filter((n) => r.name.startsWith(`${n}-`)).sort((a, b) => b.length - a.length)[0];
    if (owner === undefined) return undefined;
    return { component: components.get(owner)!, role: r.name.slice(owner.length + 1).replace(/(^|-)\d+(?=-|$)/g, "$1${number}") };
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
            const components = componentsOf(run);
            for (const r of run.resources) {
                const found = roleOf(r, components);
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
    const used = new Set<string>();
    const body: string[] = [
        "/** The roles of each component's children, by cloud, each with the provider's args type of that child. */",
        "export interface RolesByCloud {",
    ];
    for (const [cloud, comps] of [...byCloud].sort(([a], [b]) => a.localeCompare(b))) {
        body.push(`    ${cloud}: {`);
        for (const [component, roles] of [...comps].sort(([a], [b]) => a.localeCompare(b))) {
            body.push(`        ${component}: {`);
            for (const role of [...roles.keys()].sort()) {
                const types = [...roles.get(role)!].sort();
                for (const t of types) used.add(t.split(".")[0]);
                const key = role.includes("${") ? `[role: \`${role}\`]` : /^[A-Za-z_$][\w$]*$/.test(role) ? role : JSON.stringify(role);
                body.push(`            ${key}: ${types.join(" | ")};`);
            }
            body.push("        };");
        }
        body.push("    };");
        console.log(`${cloud}: ${[...comps.values()].reduce((n, m) => n + m.size, 0)} roles in ${comps.size} components`);
    }
    body.push("}");
    const header = [
        "// Generated by scripts/gen-roles.ts from what the program declares; do not edit by hand.",
        "// Type-only imports: nothing here loads a provider package.",
        ...[...used].sort().map((u) => IMPORTS[u]),
        "",
    ];
    fs.writeFileSync(path.join(__dirname, "..", "components", "roles.ts"), [...header, ...body, ""].join("\n"));
}

if (require.main === module)
    main().catch((e) => {
        console.error(e);
        process.exit(1);
    });
