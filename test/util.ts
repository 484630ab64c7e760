import * as assert from "node:assert/strict";
import { ProgramRun, readStackFile, RecordedResource, runProgram } from "../scripts/harness";
import { ConfigError } from "../sizing";

/** Running `stack` with `extra` config fails at preview with a ConfigError naming `key` and saying each of `mentions`. */
export async function rejectsConfig(stack: string, extra: Record<string, string>, key: string, ...mentions: RegExp[]) {
    await assert.rejects(runProgram(stack, { ...readStackFile(stack), ...extra }), (e: unknown) => {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
        assert.equal(e.key, key);
        for (const m of mentions) assert.match(e.message, m);
        return true;
    });
}

/** Every recorded resource of a type. */
export function all(run: ProgramRun, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type);
}

/** The one resource of a type whose name is `name` (exact). */
export function named(run: ProgramRun, type: string, name: string): RecordedResource {
    const found = run.resources.filter((r) => r.type === type && r.name === name);
    assert.equal(found.length, 1, `expected one ${type} named ${name}, found ${found.length}`);
    return found[0];
}

/** The mock id of a resource (the harness gives every resource the id `<name>-id`). */
export function idOf(r: RecordedResource): string {
    return `${r.name}-id`;
}

/** Parses the JSON container definitions of an ECS task definition. */
export function containers(taskDef: RecordedResource): any[] {
    return JSON.parse(taskDef.inputs.containerDefinitions);
}
