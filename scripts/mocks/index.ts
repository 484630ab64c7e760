/**
 * Fake provider behaviour for the harness, one module per cloud. Each module
 * returns undefined for what it does not know; an invoke nobody knows is an
 * error, so the program cannot silently depend on an unmocked data source.
 */
import * as aws from "./aws";
import * as azure from "./azure";
import * as gcp from "./gcp";
import * as local from "./local";

type Outputs = (type: string, name: string, inputs: Record<string, any>) => Record<string, any> | undefined;
type Invoke = (token: string, inputs: Record<string, any>) => Record<string, any> | undefined;

const clouds: Array<{ outputs: Outputs; invoke: Invoke }> = [
    // First: it answers a skipPush image, which the AWS module would describe as pushed.
    { outputs: local.computedOutputs, invoke: local.invokeResult },
    { outputs: aws.computedOutputs, invoke: aws.invokeResult },
    { outputs: azure.computedOutputs, invoke: azure.invokeResult },
    { outputs: gcp.computedOutputs, invoke: gcp.invokeResult },
];

/** Outputs a provider would compute for a new resource; `name` as the default. */
export function computedOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    for (const cloud of clouds) {
        const out = cloud.outputs(type, name, inputs);
        if (out) return out;
    }
    return { name: inputs.name ?? `${name}-1a2b3c` };
}

export function invokeResult(token: string, inputs: Record<string, any>): Record<string, any> {
    for (const cloud of clouds) {
        const out = cloud.invoke(token, inputs);
        if (out) return out;
    }
    throw new Error(`unmocked invoke ${token}: add it to scripts/mocks/ if the program really needs it`);
}
