/**
 * The policy pack without the Pulumi engine: every stack's mock-run resources
 * are handed to every policy the way the engine hands them over (props behind
 * the engine's unknown-checking proxy, the resource's name and URN, the
 * stack's policy config from policy/config.ts), and must pass; then one
 * property of a real resource is broken per rule and the rule must name the
 * resource and the property.
 */
import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type {
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { parse as parseYaml } from "yaml";
import { DeclaredResource, estimateCost } from "../pricing";
import { ConfigError } from "../sizing";
import { listStacks, ProgramRun, RecordedResource, runStack } from "../scripts/harness";
import { declaredResources, overBudgetMessage } from "../policy/budget";
import { policyConfigFor, policyConfigForStack } from "../policy/config";
import { isModernAlbPolicy } from "../policy/encryption";
import { resolveTier, stackOfUrn } from "../policy/resilience";
import {
    costWithinBudget,
    dataStoresNotPublic,
    deletionProtectionAndBackups,
    edgeHttpsOnly,
    edgeTlsModern,
    encryptionAtRestAndInTransit,
    ingressOnlyWhereDesigned,
    noSecretsInPlainEnv,
    operationsSignals,
    policies,
    resourcePolicies,
    serviceBehindEdge,
    stackPolicies,
} from "../policy/rules";
import { T } from "../policy/types";
import { TypedValidation, UnknownValueError, unknownCheckingProxy } from "../policy/util";

/** The engine's marker for a string not known until the update (what a preview sends for computed values). */
const UNKNOWN: string = require("@pulumi/policy/proxy").unknownStringValue;

// ---- the engine, emulated -------------------------------------------------------------------

class NotApplicable extends Error {}

type Config = Record<string, any>;
type Resource = Pick<RecordedResource, "type" | "name" | "inputs">;

/** Recorded resources as the engine hands them to a stack policy (props behind its proxy). */
const asPolicyResources = (resources: Resource[]) =>
    resources.map((r) => ({ type: r.type, name: r.name, props: unknownCheckingProxy(structuredClone(r.inputs)) }));

const urnOf = (stack: string, r: Resource) => `urn:pulumi:${stack}::mcp-infra::${r.type}::${r.name}`;
const OPTS = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

function resourceArgs(stack: string, r: Resource, config: Config): ResourceValidationArgs {
    return {
        type: r.type,
        name: r.name,
        urn: urnOf(stack, r),
        props: unknownCheckingProxy(structuredClone(r.inputs)),
        opts: OPTS,
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <C extends object>() => config as C,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

/** The messages a resource policy reports for one resource. */
function check(policy: ResourceValidationPolicy, stack: string, r: Resource, config: Config = {}): string[] {
    const out: string[] = [];
    const report: ReportViolation = (message) => {
        out.push(message);
    };
    const validations = [policy.validateResource ?? []].flat();
    assert.ok(validations.length > 0, `${policy.name} validates resources`);
    for (const v of validations) v(resourceArgs(stack, r, config), report);
    return out;
}

interface StackResult {
    violations: Array<{ message: string; urn?: string }>;
    notApplicable?: string;
}

function checkStack(policy: StackValidationPolicy, stack: string, resources: Resource[], config: Config = {}): StackResult {
    const violations: StackResult["violations"] = [];
    const args: StackValidationArgs = {
        resources: resources.map((r) => ({
            type: r.type,
            name: r.name,
            urn: urnOf(stack, r),
            props: unknownCheckingProxy(structuredClone(r.inputs)),
            opts: OPTS,
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        })),
        stackTags: new Map(),
        getConfig: <C extends object>() => config as C,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
    try {
        policy.validateStack(args, (message, urn) => {
            violations.push({ message, urn });
        });
    } catch (e) {
        if (e instanceof NotApplicable) return { violations, notApplicable: e.message };
        throw e;
    }
    return { violations };
}

/** The stack's policy config, as CI writes it, for one policy. */
const configOf = (stack: string, policy: { name: string }): Config =>
    (policyConfigForStack(stack) as unknown as Record<string, Config>)[policy.name] ?? {};

// ---- the stacks -------------------------------------------------------------------------------

const STACKS = listStacks();
const runs = new Map<string, ProgramRun>();
const run = (stack: string) => {
    const r = runs.get(stack);
    assert.ok(r, `no run of ${stack}`);
    return r;
};
const isLocal = (stack: string) => stack.endsWith("-local");

function pick(stack: string, type: string, name?: string): RecordedResource {
    const found = run(stack).resources.filter((r) => r.type === type && (name === undefined || r.name === name));
    assert.ok(found.length >= 1, `${stack} has no ${type}${name ? ` named ${name}` : ""}`);
    return found[0];
}

describe("policy pack (policy/, without the engine)", function () {
    this.timeout(300_000);

    before(async () => {
        for (const stack of STACKS) runs.set(stack, await runStack(stack));
    });

    describe("every stack in stacks/ passes every policy", () => {
        for (const cloud of ["aws", "azure", "gcp"]) {
            it(`every resource policy checks resources of the ${cloud} stacks`, () => {
                const types = new Set(STACKS.filter((s) => s.endsWith(`-${cloud}`)).flatMap((s) => run(s).resources.map((r) => r.type)));
                assert.ok(types.size > 0, `no ${cloud} stack`);
                for (const policy of resourcePolicies) {
                    const covers = (policy.validateResource as TypedValidation).covers;
                    assert.ok(
                        covers.some((t) => types.has(t)),
                        `${policy.name} checks none of the ${cloud} resources`,
                    );
                }
            });
        }

        for (const stack of STACKS) {
            it(`${stack}: no resource policy reports anything`, () => {
                const found: string[] = [];
                for (const policy of resourcePolicies) {
                    for (const r of run(stack).resources)
                        found.push(...check(policy, stack, r, configOf(stack, policy)).map((m) => `${policy.name}: ${m}`));
                }
                assert.deepEqual(found, []);
            });

            if (isLocal(stack)) {
                it(`${stack}: no resource policy applies to its Docker resources`, () => {
                    const types = new Set(run(stack).resources.map((r) => r.type));
                    for (const policy of resourcePolicies) {
                        assert.deepEqual(
                            (policy.validateResource as TypedValidation).covers.filter((t) => types.has(t)),
                            [],
                            policy.name,
                        );
                    }
                });
            }

            it(`${stack}: the stack policies pass (the budget gate only where the stack sets a budget)`, () => {
                assert.deepEqual(checkStack(serviceBehindEdge, stack, run(stack).resources).violations, []);
                assert.deepEqual(checkStack(edgeHttpsOnly, stack, run(stack).resources, configOf(stack, edgeHttpsOnly)).violations, []);
                const budget = checkStack(costWithinBudget, stack, run(stack).resources, configOf(stack, costWithinBudget));
                assert.deepEqual(budget.violations, []);
                const declared = policyConfigForStack(stack)["cost-within-budget"].monthlyBudgetUsd;
                if (declared) assert.equal(budget.notApplicable, undefined, "a stack with a budget is checked");
                else assert.match(budget.notApplicable ?? "", /no monthlyBudgetUsd/);
                const ops = checkStack(operationsSignals, stack, run(stack).resources, configOf(stack, operationsSignals));
                assert.deepEqual(ops.violations, []);
                if (stack.startsWith("dev-")) assert.match(ops.notApplicable ?? "", /tier dev/);
                else assert.equal(ops.notApplicable, undefined, "prod and enterprise are checked");
            });
        }
    });

    describe("each rule fires on one broken property, naming the resource and the property", () => {
        interface Case {
            what: string;
            policy: ResourceValidationPolicy;
            stack: string;
            type: string;
            name?: string;
            /** A resource no stack creates (the design has none), built here. */
            make?: () => Resource;
            breakIt: (inputs: Record<string, any>) => void;
            /** What the message must say after `<name>: `. */
            says: RegExp;
            config?: Config;
        }
        const cases: Case[] = [
            // data stores never public
            {
                what: "a public RDS instance",
                policy: dataStoresNotPublic,
                stack: "prod-aws",
                type: T.rdsInstance,
                name: "mcp-audit-instance",
                breakIt: (i) => {
                    i.publiclyAccessible = true;
                },
                says: /^publiclyAccessible must be false/,
            },
            {
                what: "ElastiCache without a subnet group",
                policy: dataStoresNotPublic,
                stack: "enterprise-aws",
                type: T.cacheGroup,
                breakIt: (i) => {
                    delete i.subnetGroupName;
                },
                says: /^subnetGroupName must name a subnet group of private subnets/,
            },
            {
                what: "ElastiCache Serverless without a user group",
                policy: dataStoresNotPublic,
                stack: "prod-aws",
                type: T.serverlessCache,
                breakIt: (i) => {
                    delete i.userGroupId;
                },
                says: /^userGroupId must be set/,
            },
            {
                what: "ElastiCache Serverless outside the private subnets",
                policy: dataStoresNotPublic,
                stack: "prod-aws",
                type: T.serverlessCache,
                breakIt: (i) => {
                    delete i.subnetIds;
                },
                says: /^subnetIds must name private subnets/,
            },
            {
                what: "ElastiCache without an AUTH token",
                policy: dataStoresNotPublic,
                stack: "enterprise-aws",
                type: T.cacheGroup,
                breakIt: (i) => {
                    delete i.authToken;
                },
                says: /^authToken must be set/,
            },
            {
                what: "PostgreSQL Flexible Server with public access",
                policy: dataStoresNotPublic,
                stack: "prod-azure",
                type: T.pgServer,
                name: "mcp-audit-server",
                breakIt: (i) => {
                    i.network.publicNetworkAccess = "Enabled";
                },
                says: /^network\.publicNetworkAccess must be Disabled/,
            },
            {
                what: "a public Azure Managed Redis",
                policy: dataStoresNotPublic,
                stack: "enterprise-azure",
                type: T.redisCluster,
                breakIt: (i) => {
                    i.publicNetworkAccess = "Enabled";
                },
                says: /^publicNetworkAccess must be Disabled/,
            },
            {
                what: "the audit checkpoint account open to every network (its firewall's default Allow)",
                policy: dataStoresNotPublic,
                stack: "dev-azure",
                type: T.storageAccount,
                breakIt: (i) => {
                    i.networkRuleSet.defaultAction = "Allow";
                },
                says: /^networkRuleSet\.defaultAction must be Deny/,
            },
            {
                what: "the audit checkpoint account admitting an internet range beside the VNet",
                policy: dataStoresNotPublic,
                stack: "dev-azure",
                type: T.storageAccount,
                breakIt: (i) => {
                    i.networkRuleSet.ipRules = [{ iPAddressOrRange: "0.0.0.0/0", action: "Allow" }];
                },
                says: /^networkRuleSet\.ipRules must be empty/,
            },
            {
                what: "the audit checkpoint account accepting shared keys",
                policy: dataStoresNotPublic,
                stack: "prod-azure",
                type: T.storageAccount,
                breakIt: (i) => {
                    i.allowSharedKeyAccess = true;
                },
                says: /^allowSharedKeyAccess must be false/,
            },
            {
                what: "a public Key Vault",
                policy: dataStoresNotPublic,
                stack: "prod-azure",
                type: T.keyVault,
                name: "mcp-network-vault",
                breakIt: (i) => {
                    i.properties.publicNetworkAccess = "Enabled";
                    i.properties.networkAcls.defaultAction = "Allow";
                },
                says: /^properties\.publicNetworkAccess must be Disabled/,
            },
            {
                what: "Cloud SQL with a public IPv4",
                policy: dataStoresNotPublic,
                stack: "enterprise-gcp",
                type: T.sqlInstance,
                name: "mcp-audit-replica-0",
                breakIt: (i) => {
                    i.settings.ipConfiguration.ipv4Enabled = true;
                },
                says: /^settings\.ipConfiguration\.ipv4Enabled must be false/,
            },
            {
                what: "Cloud SQL with authorized networks",
                policy: dataStoresNotPublic,
                stack: "dev-gcp",
                type: T.sqlInstance,
                breakIt: (i) => {
                    i.settings.ipConfiguration.authorizedNetworks = [{ value: "0.0.0.0/0" }];
                },
                says: /^settings\.ipConfiguration\.authorizedNetworks must be empty/,
            },
            {
                what: "Memorystore by direct peering",
                policy: dataStoresNotPublic,
                stack: "prod-gcp",
                type: T.redisInstance,
                breakIt: (i) => {
                    i.connectMode = "DIRECT_PEERING";
                },
                says: /^connectMode must be PRIVATE_SERVICE_ACCESS/,
            },
            {
                what: "Memorystore without AUTH",
                policy: dataStoresNotPublic,
                stack: "prod-gcp",
                type: T.redisInstance,
                breakIt: (i) => {
                    i.authEnabled = false;
                },
                says: /^authEnabled must be true/,
            },
            // encryption
            {
                what: "unencrypted RDS storage",
                policy: encryptionAtRestAndInTransit,
                stack: "dev-aws",
                type: T.rdsInstance,
                breakIt: (i) => {
                    i.storageEncrypted = false;
                },
                says: /^storageEncrypted must be true/,
            },
            {
                what: "rds.force_ssl off",
                policy: encryptionAtRestAndInTransit,
                stack: "dev-aws",
                type: T.rdsParams,
                breakIt: (i) => {
                    i.parameters.find((p: any) => p.name === "rds.force_ssl").value = "0";
                },
                says: /^parameters must set rds\.force_ssl to 1 \(is 0\)/,
            },
            {
                what: "ElastiCache without at-rest encryption",
                policy: encryptionAtRestAndInTransit,
                stack: "enterprise-aws",
                type: T.cacheGroup,
                breakIt: (i) => {
                    i.atRestEncryptionEnabled = false;
                },
                says: /^atRestEncryptionEnabled must be true/,
            },
            {
                what: "ElastiCache without TLS",
                policy: encryptionAtRestAndInTransit,
                stack: "enterprise-aws",
                type: T.cacheGroup,
                breakIt: (i) => {
                    i.transitEncryptionEnabled = false;
                },
                says: /^transitEncryptionEnabled must be true/,
            },
            {
                what: "PostgreSQL accepting plain connections",
                policy: encryptionAtRestAndInTransit,
                stack: "dev-azure",
                type: T.pgConfiguration,
                name: "mcp-audit-require-tls",
                breakIt: (i) => {
                    i.value = "off";
                },
                says: /^value of require_secure_\w+ must be on/,
            },
            {
                what: "PostgreSQL accepting TLS 1.0",
                policy: encryptionAtRestAndInTransit,
                stack: "dev-azure",
                type: T.pgConfiguration,
                name: "mcp-audit-tls-version",
                breakIt: (i) => {
                    i.value = "TLSv1";
                },
                says: /^value of ssl_min_protocol_version must be TLSv1\.2 or TLSv1\.3/,
            },
            {
                what: "Azure Managed Redis accepting TLS 1.0",
                policy: encryptionAtRestAndInTransit,
                stack: "prod-azure",
                type: T.redisCluster,
                breakIt: (i) => {
                    i.minimumTlsVersion = "1.0";
                },
                says: /^minimumTlsVersion must be 1\.2 or later/,
            },
            {
                what: "Azure Managed Redis in plain text",
                policy: encryptionAtRestAndInTransit,
                stack: "prod-azure",
                type: T.redisDatabase,
                breakIt: (i) => {
                    i.clientProtocol = "Plaintext";
                },
                says: /^clientProtocol must be Encrypted/,
            },
            {
                what: "Cloud SQL allowing unencrypted connections",
                policy: encryptionAtRestAndInTransit,
                stack: "prod-gcp",
                type: T.sqlInstance,
                breakIt: (i) => {
                    i.settings.ipConfiguration.sslMode = "ALLOW_UNENCRYPTED_AND_ENCRYPTED";
                },
                says: /^settings\.ipConfiguration\.sslMode must be ENCRYPTED_ONLY/,
            },
            {
                what: "Memorystore without TLS",
                policy: encryptionAtRestAndInTransit,
                stack: "prod-gcp",
                type: T.redisInstance,
                breakIt: (i) => {
                    i.transitEncryptionMode = "DISABLED";
                },
                says: /^transitEncryptionMode must be SERVER_AUTHENTICATION/,
            },
            // modern TLS at the edge
            {
                what: "an ALB listener on the 2016 policy",
                policy: edgeTlsModern,
                stack: "enterprise-aws",
                type: T.lbListener,
                name: "mcp-edge-https",
                breakIt: (i) => {
                    i.sslPolicy = "ELBSecurityPolicy-2016-08";
                },
                says: /^sslPolicy ELBSecurityPolicy-2016-08 accepts TLS older than 1\.2/,
            },
            {
                what: "an ALB listener without a policy",
                policy: edgeTlsModern,
                stack: "enterprise-aws",
                type: T.lbListener,
                name: "mcp-edge-https",
                breakIt: (i) => {
                    delete i.sslPolicy;
                },
                says: /^sslPolicy must be set/,
            },
            {
                what: "Application Gateway on the 2015 policy",
                policy: edgeTlsModern,
                stack: "enterprise-azure",
                type: T.appGateway,
                breakIt: (i) => {
                    i.sslPolicy.policyName = "AppGwSslPolicy20150501";
                },
                says: /^sslPolicy\.policyName AppGwSslPolicy20150501 is not a TLS 1\.2\+ modern policy/,
            },
            {
                what: "an HTTPS proxy without an SSL policy",
                policy: edgeTlsModern,
                stack: "enterprise-gcp",
                type: T.httpsProxy,
                breakIt: (i) => {
                    delete i.sslPolicy;
                },
                says: /^sslPolicy must reference an SSL policy/,
            },
            {
                what: "an API Gateway custom domain on TLS 1.0",
                policy: edgeTlsModern,
                stack: "dev-aws",
                type: T.apiDomain,
                name: "mcp-edge-domain",
                make: () => ({
                    type: T.apiDomain,
                    name: "mcp-edge-domain",
                    inputs: {
                        domainName: "mcp.example.com",
                        domainNameConfiguration: { certificateArn: "arn:cert", endpointType: "REGIONAL", securityPolicy: "TLS_1_2" },
                    },
                }),
                breakIt: (i) => {
                    i.domainNameConfiguration.securityPolicy = "TLS_1_0";
                },
                says: /^domainNameConfiguration\.securityPolicy must be TLS_1_2/,
            },
            {
                what: "a COMPATIBLE SSL policy",
                policy: edgeTlsModern,
                stack: "enterprise-gcp",
                type: T.sslPolicy,
                breakIt: (i) => {
                    i.profile = "COMPATIBLE";
                },
                says: /^profile must be MODERN or RESTRICTED \(is COMPATIBLE\)/,
            },
            {
                what: "an SSL policy allowing TLS 1.0",
                policy: edgeTlsModern,
                stack: "enterprise-gcp",
                type: T.sslPolicy,
                breakIt: (i) => {
                    i.minTlsVersion = "TLS_1_0";
                },
                says: /^minTlsVersion must be TLS_1_2 or later/,
            },
            // deletion protection and backups (the stack's own tier from its policy config)
            {
                what: "RDS without deletion protection in prod",
                policy: deletionProtectionAndBackups,
                stack: "prod-aws",
                type: T.rdsInstance,
                name: "mcp-audit-instance",
                breakIt: (i) => {
                    i.deletionProtection = false;
                },
                says: /^deletionProtection must be true \(tier prod, from policy config\)/,
            },
            {
                what: "RDS with 1 day of backups in prod",
                policy: deletionProtectionAndBackups,
                stack: "prod-aws",
                type: T.rdsInstance,
                name: "mcp-audit-instance",
                breakIt: (i) => {
                    i.backupRetentionPeriod = 1;
                },
                says: /^backupRetentionPeriod must be at least 7 days \(tier prod/,
            },
            {
                what: "RDS with 7 days of backups in enterprise",
                policy: deletionProtectionAndBackups,
                stack: "enterprise-aws",
                type: T.rdsInstance,
                name: "mcp-audit-instance",
                breakIt: (i) => {
                    i.backupRetentionPeriod = 7;
                },
                says: /^backupRetentionPeriod must be at least 30 days \(tier enterprise/,
            },
            {
                what: "RDS skipping the final snapshot in prod",
                policy: deletionProtectionAndBackups,
                stack: "prod-aws",
                type: T.rdsInstance,
                name: "mcp-audit-instance",
                breakIt: (i) => {
                    i.skipFinalSnapshot = true;
                },
                says: /^skipFinalSnapshot must be false/,
            },
            {
                what: "an ALB without deletion protection in enterprise",
                policy: deletionProtectionAndBackups,
                stack: "enterprise-aws",
                type: T.lb,
                breakIt: (i) => {
                    i.enableDeletionProtection = false;
                },
                says: /^enableDeletionProtection must be true/,
            },
            {
                what: "Flexible Server with 3 days of backups in prod",
                policy: deletionProtectionAndBackups,
                stack: "prod-azure",
                type: T.pgServer,
                name: "mcp-audit-server",
                breakIt: (i) => {
                    i.backup.backupRetentionDays = 3;
                },
                says: /^backup\.backupRetentionDays must be at least 7/,
            },
            {
                what: "Cloud SQL without deletion protection in prod",
                policy: deletionProtectionAndBackups,
                stack: "prod-gcp",
                type: T.sqlInstance,
                breakIt: (i) => {
                    i.settings.deletionProtectionEnabled = false;
                },
                says: /^settings\.deletionProtectionEnabled must be true/,
            },
            {
                what: "Cloud SQL with Pulumi's deletion protection off in enterprise",
                policy: deletionProtectionAndBackups,
                stack: "enterprise-gcp",
                type: T.sqlInstance,
                name: "mcp-audit-replica-0",
                breakIt: (i) => {
                    i.deletionProtection = false;
                },
                says: /^deletionProtection must not be false/,
            },
            {
                what: "Cloud SQL without backups in prod",
                policy: deletionProtectionAndBackups,
                stack: "prod-gcp",
                type: T.sqlInstance,
                breakIt: (i) => {
                    i.settings.backupConfiguration.enabled = false;
                },
                says: /^settings\.backupConfiguration\.enabled must be true/,
            },
            // no secret in plain environment variables
            {
                what: "a plain DATABASE_URL in the ECS task",
                policy: noSecretsInPlainEnv,
                stack: "prod-aws",
                type: T.taskDefinition,
                breakIt: (i) => {
                    const defs = JSON.parse(i.containerDefinitions);
                    defs[0].environment.push({ name: "DATABASE_URL", value: "postgres://mcp_admin:hunter2@db:5432/mcp_audit" });
                    i.containerDefinitions = JSON.stringify(defs);
                },
                says: /^containerDefinitions\[0\]\.environment\[\d+\] \(DATABASE_URL\) is a plain value/,
            },
            {
                what: "a password inside an innocently named ECS variable",
                policy: noSecretsInPlainEnv,
                stack: "dev-aws",
                type: T.taskDefinition,
                breakIt: (i) => {
                    const defs = JSON.parse(i.containerDefinitions);
                    defs[0].environment.push({ name: "UPSTREAM", value: "rediss://:s3cret-token@cache:6379" });
                    i.containerDefinitions = JSON.stringify(defs);
                },
                says: /^containerDefinitions\[0\]\.environment\[\d+\] \(UPSTREAM\) holds a URL with a password in plain text/,
            },
            {
                what: "REDIS_URL as a value instead of a secretRef in the Container App",
                policy: noSecretsInPlainEnv,
                stack: "enterprise-azure",
                type: T.containerApp,
                breakIt: (i) => {
                    const e = i.template.containers[0].env.find((x: any) => x.name === "REDIS_URL");
                    delete e.secretRef;
                    e.value = "rediss://:key@mcp-cache.redis.azure.net:10000";
                },
                says: /^template\.containers\[0\]\.env\[\d+\] \(REDIS_URL\) is a plain value/,
            },
            {
                what: "a Key Vault reference without the identity that reads it",
                policy: noSecretsInPlainEnv,
                stack: "prod-azure",
                type: T.containerApp,
                breakIt: (i) => {
                    delete i.configuration.secrets[0].identity;
                },
                says: /^configuration\.secrets\[0\] \(\S+\) references Key Vault without the identity/,
            },
            {
                what: "a Container Apps secret with neither a Key Vault reference nor a value (secretStore platform)",
                policy: noSecretsInPlainEnv,
                stack: "dev-azure",
                type: T.containerApp,
                breakIt: (i) => {
                    delete i.configuration.secrets[0].value;
                },
                says: /^configuration\.secrets\[0\] \(\S+\) has neither a Key Vault reference nor a value/,
            },
            {
                what: "a secretRef naming no declared Container Apps secret",
                policy: noSecretsInPlainEnv,
                stack: "dev-azure",
                type: T.containerApp,
                breakIt: (i) => {
                    i.template.containers[0].env.find((x: any) => x.name === "DATABASE_URL").secretRef = "not-declared";
                },
                says: /^template\.containers\[0\]\.env\[\d+\] \(DATABASE_URL\) reads secret "not-declared"/,
            },
            {
                what: "the administrator's URL as a plain value in the audit:migrate job (secretStore platform)",
                policy: noSecretsInPlainEnv,
                stack: "dev-azure",
                type: T.containerJob,
                breakIt: (i) => {
                    const e = i.template.containers[0].env.find((x: any) => x.name === "DATABASE_ADMIN_URL");
                    delete e.secretRef;
                    e.value = "postgres://mcp_admin:hunter2@db:5432/mcp_audit";
                },
                says: /^template\.containers\[0\]\.env\[\d+\] \(DATABASE_ADMIN_URL\) is a plain value/,
            },
            {
                what: "MCP_API_KEYS as a value instead of a Secret Manager reference on Cloud Run",
                policy: noSecretsInPlainEnv,
                stack: "prod-gcp",
                type: T.cloudRun,
                breakIt: (i) => {
                    const e = i.template.containers[0].envs.find((x: any) => x.name === "MCP_API_KEYS");
                    delete e.valueSource;
                    e.value = "key-1,key-2";
                },
                says: /^template\.containers\[0\]\.envs\[\d+\] \(MCP_API_KEYS\) is a plain value/,
            },
            // ingress only at the edge
            {
                what: "PostgreSQL opened to the internet",
                policy: ingressOnlyWhereDesigned,
                stack: "enterprise-aws",
                type: T.ingressRule,
                name: "mcp-server-database-in-service",
                breakIt: (i) => {
                    delete i.referencedSecurityGroupId;
                    i.cidrIpv4 = "0.0.0.0/0";
                },
                says: /^cidrIpv4 0\.0\.0\.0\/0 opens tcp 5432 to the internet/,
            },
            {
                what: "all protocols open on the edge group",
                policy: ingressOnlyWhereDesigned,
                stack: "prod-aws",
                type: T.ingressRule,
                name: "mcp-edge-sg-in-80",
                breakIt: (i) => {
                    i.ipProtocol = "-1";
                    i.fromPort = 0;
                    i.toPort = 65535;
                },
                says: /^cidrIpv4 0\.0\.0\.0\/0 opens all protocols and ports to the internet/,
            },
            {
                what: "an inline world-open rule on a security group",
                policy: ingressOnlyWhereDesigned,
                stack: "prod-aws",
                type: T.securityGroup,
                name: "mcp-audit-sg",
                breakIt: (i) => {
                    i.ingress = [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }];
                },
                says: /^ingress\[0\]\.cidrBlocks 0\.0\.0\.0\/0 opens tcp 5432 to the internet/,
            },
            {
                what: "the database subnet open to the Internet tag",
                policy: ingressOnlyWhereDesigned,
                stack: "prod-azure",
                type: T.nsg,
                name: "mcp-network-database-nsg",
                breakIt: (i) => {
                    i.securityRules[0].sourceAddressPrefix = "Internet";
                },
                says: /^securityRules\[0\]\.sourceAddressPrefix Internet is allowed in on ports 5432/,
            },
            {
                what: "SSH on the gateway's internet rule",
                policy: ingressOnlyWhereDesigned,
                stack: "prod-azure",
                type: T.nsgRule,
                name: "mcp-edge-nsg-in-80",
                breakIt: (i) => {
                    i.destinationPortRanges = ["22"];
                },
                says: /^sourceAddressPrefix Internet is allowed in on ports 22/,
            },
            {
                what: "Container Apps ingress allowing plain HTTP",
                policy: ingressOnlyWhereDesigned,
                stack: "prod-azure",
                type: T.containerApp,
                breakIt: (i) => {
                    i.configuration.ingress.allowInsecure = true;
                },
                says: /^configuration\.ingress\.allowInsecure must be false/,
            },
            {
                what: "Container Apps ingress restricted to 0.0.0.0/0",
                policy: ingressOnlyWhereDesigned,
                stack: "prod-azure",
                type: T.containerApp,
                breakIt: (i) => {
                    i.configuration.ingress.ipSecurityRestrictions[0].ipAddressRange = "0.0.0.0/0";
                },
                says: /^configuration\.ingress\.ipSecurityRestrictions\[0\]\.ipAddressRange must not admit the whole internet/,
            },
            {
                what: "a world-open firewall rule (the design has none)",
                policy: ingressOnlyWhereDesigned,
                stack: "prod-gcp",
                type: T.firewall,
                name: "mcp-network-allow-postgres",
                make: () => ({
                    type: T.firewall,
                    name: "mcp-network-allow-postgres",
                    inputs: { network: "mcp-network-vpc-id", allows: [{ protocol: "tcp", ports: ["443"] }], sourceTags: ["lb"] },
                }),
                breakIt: (i) => {
                    delete i.sourceTags;
                    i.sourceRanges = ["0.0.0.0/0"];
                },
                says: /^sourceRanges admits the whole internet/,
            },
            {
                what: "a forwarding rule on port 8080",
                policy: ingressOnlyWhereDesigned,
                stack: "prod-gcp",
                type: T.forwardingRule,
                breakIt: (i) => {
                    i.portRange = "8080";
                },
                says: /^portRange 8080 is public; only 80 and 443 may be/,
            },
        ];

        for (const c of cases) {
            it(`${c.policy.name}: ${c.what} (${c.stack})`, () => {
                const original: Resource = c.make ? c.make() : pick(c.stack, c.type, c.name);
                const config = c.config ?? configOf(c.stack, c.policy);
                assert.deepEqual(check(c.policy, c.stack, original, config), [], "the resource as built passes");
                const broken = { ...original, inputs: structuredClone(original.inputs) };
                c.breakIt(broken.inputs);
                const messages = check(c.policy, c.stack, broken, config);
                const prefix = `${original.name}: `;
                assert.ok(
                    messages.some((m) => m.startsWith(prefix) && c.says.test(m.slice(prefix.length))),
                    `expected "${prefix}${c.says.source}", got ${JSON.stringify(messages)}`,
                );
                for (const other of resourcePolicies.filter((p) => p !== c.policy)) {
                    assert.ok(check(other, c.stack, original, configOf(c.stack, other)).length === 0);
                }
            });
        }

        it("every resource policy has at least one broken case above", () => {
            for (const p of resourcePolicies)
                assert.ok(
                    cases.some((c) => c.policy === p),
                    p.name,
                );
        });
    });

    describe("service-behind-edge (stack policy)", () => {
        const breakOne = (stack: string, type: string, fix: (i: Record<string, any>) => void) =>
            run(stack).resources.map((r) =>
                r.type === type
                    ? {
                          ...r,
                          inputs: (() => {
                              const i = structuredClone(r.inputs);
                              fix(i);
                              return i;
                          })(),
                      }
                    : r,
            );

        it("flags Cloud Run open to all traffic when a load balancer fronts it, naming the service and ingress", () => {
            const result = checkStack(
                serviceBehindEdge,
                "prod-gcp",
                breakOne("prod-gcp", T.cloudRun, (i) => {
                    i.ingress = "INGRESS_TRAFFIC_ALL";
                }),
            );
            assert.equal(result.violations.length, 1);
            assert.match(
                result.violations[0].message,
                /^mcp-server-service: ingress is INGRESS_TRAFFIC_ALL; must be INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER/,
            );
            assert.equal(result.violations[0].urn, urnOf("prod-gcp", pick("prod-gcp", T.cloudRun)));
        });
        it("lets Cloud Run be its own edge when the stack has no load balancer (the pay-per-request edge)", () => {
            const edgeless = breakOne("prod-gcp", T.cloudRun, (i) => {
                i.ingress = "INGRESS_TRAFFIC_ALL";
            }).filter((r) => r.type !== T.serverlessNeg && r.type !== T.backendService);
            assert.deepEqual(checkStack(serviceBehindEdge, "prod-gcp", edgeless).violations, []);
        });
        it("lets the Container App be its own edge when the stack has no Application Gateway (the pay-per-request edge)", () => {
            const open = run("prod-azure")
                .resources.filter((r) => r.type !== T.appGateway)
                .map((r) => {
                    const i = structuredClone(r.inputs);
                    if (r.type === T.appEnvironment) {
                        i.vnetConfiguration.internal = false;
                        i.publicNetworkAccess = "Enabled";
                    }
                    if (r.type === T.containerApp) delete i.configuration.ingress.ipSecurityRestrictions;
                    return { ...r, inputs: i };
                });
            assert.deepEqual(checkStack(serviceBehindEdge, "prod-azure", open).violations, []);
        });
        it("flags a Container App open to anyone behind the Application Gateway", () => {
            const result = checkStack(
                serviceBehindEdge,
                "prod-azure",
                breakOne("prod-azure", T.containerApp, (i) => {
                    i.configuration.ingress.ipSecurityRestrictions = [];
                }),
            );
            assert.deepEqual(
                result.violations.map((v) => v.message.split(" must")[0]),
                ["mcp-server-app: configuration.ingress.ipSecurityRestrictions"],
            );
        });
        it("flags a public Container Apps environment behind the Application Gateway", () => {
            const result = checkStack(
                serviceBehindEdge,
                "enterprise-azure",
                breakOne("enterprise-azure", T.appEnvironment, (i) => {
                    i.vnetConfiguration.internal = false;
                }),
            );
            assert.deepEqual(
                result.violations.map((v) => v.message),
                ["mcp-server-environment: vnetConfiguration.internal must be true: the Application Gateway is the only public entry"],
            );
        });
    });

    describe("tier: policy config, else the stack name, else prod", () => {
        it("resolves from config first, then a <tier>- stack name, then defaults to prod", () => {
            assert.deepEqual(resolveTier({ tier: "dev" }, "urn:pulumi:prod-aws::mcp-infra::t::n"), {
                tier: "dev",
                source: "policy config",
            });
            assert.deepEqual(resolveTier({}, "urn:pulumi:enterprise-gcp::mcp-infra::t::n"), { tier: "enterprise", source: "stack name" });
            assert.deepEqual(resolveTier({}, "urn:pulumi:production::mcp-infra::t::n"), { tier: "prod", source: "default" });
            assert.equal(stackOfUrn("urn:pulumi:dev-local::mcp-infra::docker:index/container:Container::x"), "dev-local");
            assert.throws(
                () => resolveTier({ tier: "staging" as any }, undefined),
                /policy config tier must be one of dev, prod, enterprise/,
            );
        });
        it("holds a dev stack to prod's rules when its config says prod, and to none when it says dev", () => {
            const db = pick("dev-aws", T.rdsInstance, "mcp-audit-instance");
            assert.deepEqual(check(deletionProtectionAndBackups, "dev-aws", db, { tier: "dev" }), []);
            const asProd = check(deletionProtectionAndBackups, "dev-aws", db, { tier: "prod" });
            assert.ok(
                asProd.includes("mcp-audit-instance: deletionProtection must be true (tier prod, from policy config)"),
                JSON.stringify(asProd),
            );
            assert.ok(
                asProd.some((m) => m.startsWith("mcp-audit-instance: backupRetentionPeriod must be at least 7 days")),
                JSON.stringify(asProd),
            );
        });
        it("without config, reads dev from a dev-* stack name and assumes prod for other names", () => {
            const db = pick("dev-gcp", T.sqlInstance);
            assert.deepEqual(check(deletionProtectionAndBackups, "dev-gcp", db), []);
            assert.ok(check(deletionProtectionAndBackups, "acme-mcp", db).some((m) => m.includes("(tier prod, from default)")));
        });
        it("takes minBackupRetentionDays from the config", () => {
            const db = pick("prod-aws", T.rdsInstance, "mcp-audit-instance");
            assert.deepEqual(check(deletionProtectionAndBackups, "prod-aws", db, { tier: "prod", minBackupRetentionDays: 7 }), []);
            assert.match(
                check(deletionProtectionAndBackups, "prod-aws", db, { tier: "prod", minBackupRetentionDays: 14 })[0],
                /backupRetentionPeriod must be at least 14 days/,
            );
        });
    });

    describe("the engine's own behaviour", () => {
        it("a value unknown at preview makes the rule throw the engine's UnknownValueError (reported as advisory, checked again at update)", () => {
            const task = pick("prod-aws", T.taskDefinition);
            assert.throws(
                () => check(noSecretsInPlainEnv, "prod-aws", { ...task, inputs: { ...task.inputs, containerDefinitions: UNKNOWN } }),
                (e: unknown) => e instanceof UnknownValueError,
            );
        });
        it("reports plain secret names before an unknown value stops the scan", () => {
            const app = pick("prod-azure", T.containerApp);
            const inputs = structuredClone(app.inputs);
            inputs.template.containers[0].env.push({ name: "API_TOKEN", value: "abc" }, { name: "UPSTREAM", value: UNKNOWN });
            const found: string[] = [];
            assert.throws(
                () =>
                    noSecretsInPlainEnv.validateResource &&
                    [noSecretsInPlainEnv.validateResource].flat()[0](resourceArgs("prod-azure", { ...app, inputs }, {}), (m) => {
                        found.push(m);
                    }),
                (e: unknown) => e instanceof UnknownValueError,
            );
            assert.equal(found.length, 1);
            assert.match(found[0], /^mcp-server-app: template\.containers\[0\]\.env\[\d+\] \(API_TOKEN\) is a plain value/);
        });
        it("accepts Container Apps secrets that hold their values (secretStore platform) read by secretRef, and Key Vault references", () => {
            for (const [stack, form] of [
                ["dev-azure", "value"],
                ["prod-azure", "keyVaultUrl"],
            ] as const) {
                for (const type of [T.containerApp, T.containerJob]) {
                    const r = pick(stack, type);
                    assert.ok(
                        r.inputs.configuration.secrets.every((s: any) => form in s),
                        `${stack} ${type} uses ${form}`,
                    );
                    assert.deepEqual(check(noSecretsInPlainEnv, stack, r), [], `${stack} ${type}`);
                }
            }
        });
        it("ignores Docker resources (the local stacks' throwaway database password)", () => {
            const container = {
                type: "docker:index/container:Container",
                name: "mcp-audit-postgres",
                inputs: { envs: ["POSTGRES_PASSWORD=postgres"], ports: [{ internal: 5432, external: 5432, ip: "0.0.0.0" }] },
            };
            for (const p of resourcePolicies) assert.deepEqual(check(p, "dev-local", container), [], p.name);
        });
        it("names every policy uniquely, never `all`, with no enforcementLevel in a config schema (the engine refuses those)", () => {
            const names = policies.map((p) => p.name);
            assert.equal(new Set(names).size, names.length);
            assert.ok(!names.includes("all"));
            for (const p of policies) assert.ok(!p.configSchema?.properties?.enforcementLevel, p.name);
            assert.deepEqual([...resourcePolicies, ...stackPolicies], policies);
        });
        it("has what the CLI needs to run the pack: PulumiPolicy.yaml (nodejs, main), package.json with a version", () => {
            const dir = path.join(__dirname, "..", "policy");
            const project = parseYaml(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8"));
            assert.equal(project.runtime, "nodejs");
            assert.ok(fs.existsSync(path.join(dir, project.main)), project.main);
            const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
            assert.match(pkg.version, /^\d+\.\d+\.\d+/);
            assert.ok(fs.existsSync(path.join(dir, pkg.main)));
            assert.match(fs.readFileSync(path.join(dir, project.main), "utf8"), /new PolicyPack\("mcp-infra", \{[\s\S]*policies,/);
        });
        it("accepts every TLS 1.2+ ALB policy family and refuses the older ones", () => {
            for (const ok of [
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
                "ELBSecurityPolicy-TLS13-1-3-2021-06",
                "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
            ]) {
                assert.ok(isModernAlbPolicy(ok), ok);
            }
            for (const bad of [
                "ELBSecurityPolicy-2016-08",
                "ELBSecurityPolicy-TLS13-1-0-2021-06",
                "ELBSecurityPolicy-TLS-1-1-2017-01",
                "ELBSecurityPolicy-FS-2018-06",
                undefined,
            ]) {
                assert.ok(!isModernAlbPolicy(bad), String(bad));
            }
        });
    });

    describe("through the engine's analyzer protocol (policy/ served by Pulumi's own policy-pack runner)", () => {
        // What `pulumi preview --policy-pack policy` starts: @pulumi/pulumi's run-policy-pack in policy/,
        // which compiles index.ts with ts-node (type-checked) and serves the Analyzer gRPC service.
        const grpc = require("@grpc/grpc-js");
        const pb = require("@pulumi/pulumi/proto/analyzer_pb");
        const service = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
        const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
        const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
        let pack: ChildProcess | undefined;
        let client: any;
        const call = (method: string, request: unknown) =>
            new Promise<any>((resolve, reject) => client[method](request, (e: unknown, r: unknown) => (e ? reject(e) : resolve(r))));
        const message = (cls: any, stack: string, r: Resource) => {
            const m = new cls();
            m.setType(r.type);
            m.setName(r.name);
            m.setUrn(urnOf(stack, r));
            m.setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(r.inputs))));
            m.setOptions(new pb.AnalyzerResourceOptions());
            return m;
        };
        const diagnostics = (response: any): Array<{ policy: string; mandatory: boolean; message: string }> =>
            response
                .getDiagnosticsList()
                // The engine prints "<policy description>\n<our message>".
                .map((d: any) => ({
                    policy: d.getPolicyname(),
                    mandatory: d.getEnforcementlevel() === pb.EnforcementLevel.MANDATORY,
                    message: String(d.getMessage()).split("\n").pop(),
                }));

        before(async function () {
            this.timeout(180_000);
            const root = path.join(__dirname, "..");
            pack = spawn(process.execPath, [path.join(root, "node_modules/@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:0", "."], {
                cwd: path.join(root, "policy"),
            });
            let stderr = "";
            pack.stderr!.on("data", (d) => {
                stderr += d;
            });
            const port = await new Promise<string>((resolve, reject) => {
                pack!.stdout!.once("data", (d) => resolve(String(d).trim()));
                pack!.once("exit", (code) => reject(new Error(`the policy pack exited (${code}): ${stderr}`)));
            });
            assert.match(port, /^\d+$/, "the pack prints the port it serves on, as the CLI expects");
            client = new service.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        });
        after(() => {
            client?.close();
            pack?.kill();
        });

        it("describes itself as mcp-infra with every policy of rules.ts", async () => {
            const info = await call("getAnalyzerInfo", new Empty());
            assert.equal(info.getName(), "mcp-infra");
            assert.deepEqual(
                info.getPoliciesList().map((p: any) => p.getName()),
                policies.map((p) => p.name),
            );
        });
        it("takes its config, then reports a broken resource (mandatory) and an unknown value at preview (advisory)", async () => {
            const config = new pb.ConfigureAnalyzerRequest();
            const set = (name: string, props: Config) => {
                const c = new pb.PolicyConfig();
                c.setEnforcementlevel(pb.EnforcementLevel.MANDATORY);
                c.setProperties(Struct.fromJavaScript(props));
                config.getPolicyconfigMap().set(name, c);
            };
            set(deletionProtectionAndBackups.name, { tier: "prod" });
            set(costWithinBudget.name, { monthlyBudgetUsd: 1 });
            await call("configure", config);

            const db = pick("prod-aws", T.rdsInstance, "mcp-audit-instance");
            assert.deepEqual(diagnostics(await call("analyze", message(pb.AnalyzeRequest, "prod-aws", db))), []);
            const broken = diagnostics(
                await call(
                    "analyze",
                    message(pb.AnalyzeRequest, "prod-aws", {
                        ...db,
                        inputs: { ...db.inputs, publiclyAccessible: true, deletionProtection: false },
                    }),
                ),
            );
            assert.deepEqual(
                broken.map((d) => [d.policy, d.mandatory, d.message]),
                [
                    [dataStoresNotPublic.name, true, "mcp-audit-instance: publiclyAccessible must be false"],
                    [
                        deletionProtectionAndBackups.name,
                        true,
                        "mcp-audit-instance: deletionProtection must be true (tier prod, from policy config)",
                    ],
                ],
            );
            const task = pick("prod-aws", T.taskDefinition);
            const preview = diagnostics(
                await call(
                    "analyze",
                    message(pb.AnalyzeRequest, "prod-aws", { ...task, inputs: { ...task.inputs, containerDefinitions: UNKNOWN } }),
                ),
            );
            assert.deepEqual(
                preview.map((d) => [d.policy, d.mandatory]),
                [[noSecretsInPlainEnv.name, false]],
            );
            assert.match(preview[0].message, /can't run policy 'no-secrets-in-plain-env'.* during preview/);
        });
        it("runs the stack policies on the whole stack: prod-aws over a $1 budget", async () => {
            const request = new pb.AnalyzeStackRequest();
            request.setResourcesList(run("prod-aws").resources.map((r) => message(pb.AnalyzerResource, "prod-aws", r)));
            const found = diagnostics(await call("analyzeStack", request));
            assert.deepEqual(
                found.map((d) => [d.policy, d.mandatory]),
                [[costWithinBudget.name, true]],
            );
            assert.match(found[0].message, /^estimated monthly cost \$\d+\.\d\d exceeds the budget of \$1\.00/);
        });
    });

    describe("operations-signals (stack policy)", () => {
        const without = (stack: string, drop: (r: RecordedResource) => boolean) => run(stack).resources.filter((r) => !drop(r));
        it("reports a prod stack without its uptime check, dashboard, budget or p95 alarm, naming what is missing and the tier", () => {
            const config = configOf("prod-aws", operationsSignals);
            const found = checkStack(
                operationsSignals,
                "prod-aws",
                without(
                    "prod-aws",
                    (r) =>
                        r.type === "aws:route53/healthCheck:HealthCheck" ||
                        r.type === "aws:cloudwatch/dashboard:Dashboard" ||
                        r.type === "aws:budgets/budget:Budget" ||
                        r.inputs.tags?.["mcp-infra:signal"] === "latency-p95",
                ),
                config,
            ).violations.map((v) => v.message);
            assert.equal(found.length, 4, found.join("\n"));
            assert.match(found.join("\n"), /no alarm for the signals latency-p95 .*tier prod, from policy config/);
            assert.match(found.join("\n"), /no external uptime check/);
            assert.match(found.join("\n"), /no dashboard/);
            assert.match(found.join("\n"), /monthlyBudgetUsd is 250 but no cloud budget/);
        });
        it("reports an enterprise GCP stack that notifies nobody, unless it opted out", () => {
            const noChannel = without("enterprise-gcp", (r) => r.type === "gcp:monitoring/notificationChannel:NotificationChannel");
            const config = configOf("enterprise-gcp", operationsSignals);
            assert.match(
                checkStack(operationsSignals, "enterprise-gcp", noChannel, config).violations[0]?.message ?? "",
                /no notification target/,
            );
            assert.deepEqual(
                checkStack(operationsSignals, "enterprise-gcp", noChannel, { ...config, alertsOptedOut: true }).violations,
                [],
            );
        });
    });

    describe("cost-within-budget (stack policy, pricing/)", () => {
        const asDeclared = (r: RecordedResource): DeclaredResource => ({ type: r.type, name: r.name, inputs: r.inputs, custom: r.custom });

        for (const stack of STACKS) {
            it(`${stack}: prices the stack as the plan does, passes a budget above the estimate and fails one below it`, () => {
                const config = configOf(stack, costWithinBudget);
                const { monthlyBudgetUsd: _budget, ...usage } = config;
                const plan = estimateCost(run(stack).resources.map(asDeclared), usage);
                const policyView = estimateCost(declaredResources(asPolicyResources(run(stack).resources)), usage);
                assert.equal(policyView.totalMonthlyUsd, plan.totalMonthlyUsd);
                if (config.monthlyBudgetUsd) assert.ok(plan.totalMonthlyUsd <= config.monthlyBudgetUsd, `${stack} is over its own budget`);

                const above = Math.ceil(plan.totalMonthlyUsd) + 1;
                assert.deepEqual(
                    checkStack(costWithinBudget, stack, run(stack).resources, { ...config, monthlyBudgetUsd: above }).violations,
                    [],
                );
                if (plan.totalMonthlyUsd < 1) return; // nothing billable (local Docker): no budget is too small
                const below = Math.max(0.5, Math.floor(plan.totalMonthlyUsd / 2));
                const result = checkStack(costWithinBudget, stack, run(stack).resources, { ...config, monthlyBudgetUsd: below });
                assert.equal(result.violations.length, 1);
                const { message, urn } = result.violations[0];
                assert.equal(urn, undefined, "the stack as a whole is over budget");
                assert.ok(
                    message.startsWith(
                        `estimated monthly cost $${plan.totalMonthlyUsd.toFixed(2)} exceeds the budget of $${below.toFixed(2)}`,
                    ),
                    message,
                );
                assert.ok(message.includes(plan.components[0].component), "names the largest component");
            });
        }

        it("a tiny budget fails with the total and the budget in the message", () => {
            const result = checkStack(costWithinBudget, "prod-aws", run("prod-aws").resources, { monthlyBudgetUsd: 1 });
            assert.equal(result.violations.length, 1);
            assert.match(
                result.violations[0].message,
                /^estimated monthly cost \$\d+\.\d\d exceeds the budget of \$1\.00 by \$\d+\.\d\d \(aws; largest: mcp-/,
            );
        });
        it("uses the usage assumptions of the config", () => {
            const resources = run("prod-gcp").resources;
            const quiet = estimateCost(declaredResources(asPolicyResources(resources)), { monthlyRequests: 1000 }).totalMonthlyUsd;
            const busy = estimateCost(declaredResources(asPolicyResources(resources)), { monthlyRequests: 500_000_000 }).totalMonthlyUsd;
            assert.ok(busy > quiet, `${busy} > ${quiet}`);
            const budget = Math.ceil(quiet) + 1;
            assert.deepEqual(
                checkStack(costWithinBudget, "prod-gcp", resources, { monthlyBudgetUsd: budget, monthlyRequests: 1000 }).violations,
                [],
            );
            assert.equal(
                checkStack(costWithinBudget, "prod-gcp", resources, { monthlyBudgetUsd: budget, monthlyRequests: 500_000_000 }).violations
                    .length,
                1,
            );
        });
        it("is not applicable without a budget", () => {
            assert.match(
                checkStack(costWithinBudget, "prod-aws", run("prod-aws").resources, {}).notApplicable ?? "",
                /no monthlyBudgetUsd/,
            );
            assert.match(
                checkStack(costWithinBudget, "prod-aws", run("prod-aws").resources, { monthlyBudgetUsd: 0 }).notApplicable ?? "",
                /no monthlyBudgetUsd/,
            );
        });
        it("prices around values unknown at preview and skips the engine's bookkeeping resources", () => {
            const resources = run("prod-aws").resources;
            const known = estimateCost(declaredResources(asPolicyResources(resources))).totalMonthlyUsd;
            const previewed = [
                ...resources.map((r) =>
                    r.type === T.rdsInstance ? { ...r, inputs: { ...r.inputs, password: UNKNOWN, dbSubnetGroupName: UNKNOWN } } : r,
                ),
                { type: "pulumi:pulumi:Stack", name: "mcp-infra-prod-aws", inputs: {}, custom: false, secretInputs: [] },
                { type: "pulumi:providers:aws", name: "default_7_48_0", inputs: { region: "us-east-1" }, custom: true, secretInputs: [] },
            ];
            const declared = declaredResources(asPolicyResources(previewed));
            assert.equal(declared.length, resources.length);
            const db = declared.find((r) => r.type === T.rdsInstance)!;
            assert.ok(!("password" in db.inputs) && db.inputs.instanceClass, "unknown inputs are left out, known ones kept");
            assert.equal(estimateCost(declared).totalMonthlyUsd, known);
        });
        it("lists what it could not price in the message", () => {
            const estimate = estimateCost([
                { type: "aws:sagemaker/endpoint:Endpoint", name: "x", inputs: {} },
                ...declaredResources(asPolicyResources(run("prod-aws").resources)),
            ]);
            assert.match(overBudgetMessage(estimate, 1), /not priced \(so the real cost is higher\): aws:sagemaker\/endpoint:Endpoint x1/);
        });
    });

    describe("policy config from the stack files (policy/config.ts)", () => {
        it("takes the tier, the budget and the usage keys from the stack", () => {
            assert.deepEqual(
                policyConfigFor({
                    "mcp-infra:cloud": "aws",
                    "mcp-infra:tier": "prod",
                    "mcp-infra:monthlyBudgetUsd": "250",
                    "mcp-infra:monthlyRequests": "5000000",
                    "mcp-infra:alertEmails": '["oncall@example.com"]',
                }),
                {
                    "deletion-protection-and-backups": { tier: "prod" },
                    "cost-within-budget": { monthlyBudgetUsd: 250, monthlyRequests: 5_000_000 },
                    "edge-https-only": { tier: "prod" },
                    "operations-signals": { tier: "prod", alertsOptedOut: false, monthlyBudgetUsd: 250 },
                },
            );
            assert.deepEqual(policyConfigFor({ "mcp-infra:cloud": "gcp" }), {
                "deletion-protection-and-backups": { tier: "dev" },
                "cost-within-budget": { monthlyBudgetUsd: 0 },
                "edge-https-only": { tier: "dev" },
                "operations-signals": { tier: "dev", alertsOptedOut: false, monthlyBudgetUsd: 0 },
            });
        });
        it("matches every stack file's own tier", () => {
            for (const stack of STACKS) {
                const tier = parseYaml(fs.readFileSync(path.join(__dirname, "..", "stacks", `Pulumi.${stack}.yaml`), "utf8")).config[
                    "mcp-infra:tier"
                ];
                assert.equal(policyConfigForStack(stack)["deletion-protection-and-backups"].tier, tier, stack);
            }
        });
        it("refuses a stack config the program would refuse", () => {
            assert.throws(
                () => policyConfigFor({ "mcp-infra:tier": "staging" }),
                (e: unknown) => e instanceof ConfigError && /mcp-infra:tier/.test(String(e)),
            );
        });
    });
});
