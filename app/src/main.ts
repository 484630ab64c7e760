import { startApp } from "./app";
import { ConfigError, loadConfig } from "./config";

/** Entry point: configuration from the environment; SIGTERM/SIGINT drain; SIGHUP reloads API keys. */
async function main(): Promise<void> {
    let config;
    try {
        config = loadConfig(process.env);
    } catch (err) {
        if (err instanceof ConfigError) {
            process.stderr.write(`${JSON.stringify({ level: "fatal", msg: `configuration error: ${err.message}` })}\n`);
            process.exit(2);
        }
        throw err;
    }
    const app = await startApp(config);
    const stop = (signal: string) => {
        app.log.info({ signal }, "shutdown requested");
        app.shutdown().then(
            () => process.exit(0),
            (err: Error) => {
                app.log.error({ err: err.message }, "shutdown failed");
                process.exit(1);
            },
        );
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
    process.on("SIGHUP", () => {
        try {
            app.keys.reload();
            app.log.info({ keys: app.keys.size }, "API keys reloaded (SIGHUP)");
        } catch (err) {
            app.log.error({ err: (err as Error).message }, "API key file invalid; keeping the previous keys");
        }
    });
}

main().catch((err: Error) => {
    const message = err instanceof ConfigError ? `configuration error: ${err.message}` : `startup failed: ${err.message}`;
    process.stderr.write(`${JSON.stringify({ level: "fatal", msg: message })}\n`);
    process.exit(err instanceof ConfigError ? 2 : 1);
});
