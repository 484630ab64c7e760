/**
 * Runs the real Pulumi program under Pulumi's mocks (no CLI, no credentials,
 * no network) and records every resource with its inputs and every invoke.
 * Used by the offline plan and by the tests.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";

export interface RecordedResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
    custom: boolean;
    /** Top-level input names whose value was (or contained) a Pulumi secret. */
    secretInputs: string[];
}

export interface RecordedInvoke {
    token: string;
    inputs: Record<string, any>;
}

export interface ProgramRun {
    stack: string;
    config: Record<string, string>;
    resources: RecordedResource[];
    invokes: RecordedInvoke[];
    outputs: Record<string, any>;
}

import { computedOutputs, invokeResult } from "./mocks";

/** Pulumi's marker for a secret value in serialized inputs. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** The inputs with secret wrappers removed, and whether any secret was found. */
export function unwrapSecrets(value: any): { value: any; secret: boolean } {
    if (Array.isArray(value)) {
        const items = value.map(unwrapSecrets);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (value !== null && typeof value === "object") {
        if (value[SECRET_SIG] === SECRET_VALUE) return { value: unwrapSecrets(value.value).value, secret: true };
        const out: Record<string, any> = {};
        let secret = false;
        for (const [k, v] of Object.entries(value)) {
            const u = unwrapSecrets(v);
            out[k] = u.value;
            secret ||= u.secret;
        }
        return { value: out, secret };
    }
    return { value, secret: false };
}

class RecordingMocks implements pulumi.runtime.Mocks {
    readonly resources: RecordedResource[] = [];
    readonly invokes: RecordedInvoke[] = [];

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
        const inputs: Record<string, any> = {};
        const secretInputs: string[] = [];
        for (const [key, raw] of Object.entries(args.inputs ?? {})) {
            const { value, secret } = unwrapSecrets(raw);
            inputs[key] = value;
            if (secret) secretInputs.push(key);
        }
        this.resources.push({ type: args.type, name: args.name, inputs, custom: args.custom !== false, secretInputs });
        return { id: `${args.name}-id`, state: { ...args.inputs, ...computedOutputs(args.type, args.name, args.inputs) } };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        this.invokes.push({ token: args.token, inputs: unwrapSecrets(args.inputs).value });
        return invokeResult(args.token, args.inputs);
    }
}

/** The value inside an Output, once known. */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("output never resolved (unknown under mocks?)")), 20_000);
        pulumi.output(output).apply((v) => {
            clearTimeout(timer);
            resolve(v as T);
            return v;
        });
    });
}

/** Directory of the project's stack files. */
export const STACKS_DIR = path.resolve(__dirname, "..", "stacks");

/** Stack names found in stacks/ (Pulumi.<stack>.yaml). */
export function listStacks(dir = STACKS_DIR): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => !!s)
        .sort();
}

/** A stack file's config as Pulumi stores it: `namespace:key` -> string. */
export function readStackFile(stack: string, dir = STACKS_DIR): Record<string, string> {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new Error(`no stack "${stack}": ${file} does not exist; stacks: ${listStacks(dir).join(", ")}`);
    }
    const doc = parseYaml(fs.readFileSync(file, "utf8")) ?? {};
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        // Pulumi hands a list to the program as JSON text (config.getObject parses it back).
        if (Array.isArray(value)) {
            config[key] = JSON.stringify(value);
            continue;
        }
        if (value !== null && typeof value === "object") throw new Error(`${file}: ${key} must be a plain value or a list`);
        config[key] = String(value);
    }
    return config;
}

/**
 * Runs a program (by default this project's, index.ts) for one stack's config under mocks and returns
 * everything it declared. Errors the program raises, synchronously or inside
 * an output, are rethrown.
 */
export async function runProgram(
    stack: string,
    config: Record<string, string>,
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: the program is loaded only when a caller does not pass its own
    program: () => Record<string, pulumi.Input<any>> = require("../index"),
): Promise<ProgramRun> {
    const mocks = new RecordingMocks();
    const failures: unknown[] = [];
    const onRejection = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
        await pulumi.runtime.setMocks(mocks, "mcp-infra", stack, false);
        pulumi.runtime.setAllConfig(config);
        const exported = program();
        const outputs: Record<string, any> = {};
        for (const [key, value] of Object.entries(exported)) outputs[key] = await valueOf(value);
        await (pulumi.runtime as any).waitForRPCs?.();
        if (failures.length) throw failures[0];
        return { stack, config, resources: mocks.resources, invokes: mocks.invokes, outputs };
    } finally {
        process.off("unhandledRejection", onRejection);
    }
}

/** Runs a stack from its file in stacks/. */
export function runStack(stack: string): Promise<ProgramRun> {
    return runProgram(stack, readStackFile(stack));
}
