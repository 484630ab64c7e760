import * as assert from "node:assert/strict";
import { ProgramRun, RecordedResource } from "../scripts/harness";

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
