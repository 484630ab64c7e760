/**
 * A mistake in the user's configuration or component arguments.
 *
 * Thrown while the program is evaluated (so `pulumi preview` fails before any
 * resource reaches the cloud). The message always names the offending key and
 * the values that would have been accepted.
 */
export class ConfigError extends Error {
    /** The config key or component argument that was wrong, e.g. `mcp-infra:serviceMilliCpu`. */
    readonly key: string;

    constructor(key: string, message: string) {
        super(`${key}: ${message}`);
        this.name = "ConfigError";
        this.key = key;
    }
}

/** Formats a list of allowed values for an error message: `a, b or c`. */
export function formatChoices(values: readonly (string | number)[]): string {
    const shown = values.map(String);
    if (shown.length <= 1) return shown.join("");
    return `${shown.slice(0, -1).join(", ")} or ${shown[shown.length - 1]}`;
}

/**
 * The values of `valid` closest to `wanted`: the largest one below and the
 * smallest one above (either may be missing at the ends of the range).
 */
export function nearest(wanted: number, valid: readonly number[]): number[] {
    const sorted = [...new Set(valid)].sort((a, b) => a - b);
    const below = sorted.filter((v) => v < wanted).pop();
    const above = sorted.find((v) => v > wanted);
    const exact = sorted.find((v) => v === wanted);
    return [below, exact, above].filter((v): v is number => v !== undefined);
}
