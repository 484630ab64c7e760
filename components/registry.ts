/**
 * Which clouds exist and how to load one. Each cloud's builders are loaded
 * only when a stack uses it, so an AWS stack never loads the Azure or GCP SDKs;
 * the descriptors (pure data) are always available.
 *
 * The registry imports the cloud folders; the cloud folders import only the
 * contract (./contract.ts), never this file: there is no import cycle.
 */
import { Cloud, CLOUDS, ConfigError, formatChoices } from "../sizing";
import { descriptor as aws } from "./aws/descriptor";
import { descriptor as azure } from "./azure/descriptor";
import { CloudDescriptor, CloudModule } from "./contract";
import { descriptor as gcp } from "./gcp/descriptor";
import { descriptor as local } from "./local/descriptor";

/** The builders of each cloud, loaded on first use. A cloud missing here is not available yet. */
const LOADERS: Partial<Record<Cloud, () => CloudModule>> = {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: a stack loads only its cloud's SDK
    aws: () => require("./aws").module,
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: a stack loads only its cloud's SDK
    azure: () => require("./azure").module,
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: a stack loads only its cloud's SDK
    gcp: () => require("./gcp").module,
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: a stack loads only its cloud's SDK
    local: () => require("./local").module,
};

/** Each cloud's facts (see CloudDescriptor). */
export const DESCRIPTORS: Readonly<Record<Cloud, CloudDescriptor>> = { aws, azure, gcp, local };

/** Clouds whose builders exist in this version. */
export const AVAILABLE_CLOUDS: readonly Cloud[] = CLOUDS.filter((c) => LOADERS[c] !== undefined);

function checkCloud(cloud: Cloud): void {
    if (!(CLOUDS as readonly string[]).includes(cloud)) {
        throw new ConfigError("mcp-infra:cloud", `unknown cloud "${cloud}"; allowed values: ${formatChoices(CLOUDS)}`);
    }
}

/** The facts about a cloud. */
export function cloudDescriptor(cloud: Cloud): CloudDescriptor {
    checkCloud(cloud);
    return DESCRIPTORS[cloud];
}

/** The cloud's builders (loads its provider packages on first use). */
export function cloudModule(cloud: Cloud): CloudModule {
    checkCloud(cloud);
    const load = LOADERS[cloud];
    if (!load) {
        throw new ConfigError(
            "mcp-infra:cloud",
            `cloud "${cloud}" is not available in this version yet; available: ${formatChoices(AVAILABLE_CLOUDS)}`,
        );
    }
    return load();
}
