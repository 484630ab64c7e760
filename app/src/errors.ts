/** A configuration error a user can fix; the message names the variable and the allowed values. */
export class ConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

/** A dependency (audit store, session store) failed; safe to show to a client. */
export class DependencyError extends Error {
    constructor(
        readonly dependency: string,
        message: string,
    ) {
        super(message);
        this.name = "DependencyError";
    }
}

/** Wraps any failure of `fn` as a DependencyError naming `dependency`. */
export async function asDependency<T>(dependency: string, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn();
    } catch (err) {
        if (err instanceof DependencyError) throw err;
        throw new DependencyError(dependency, `${dependency} is unavailable`);
    }
}
