import pino, { type DestinationStream, type Logger } from "pino";

/** Paths censored wherever they appear in a log object. */
const REDACT = [
    "authorization",
    "password",
    "token",
    "apiKey",
    "*.authorization",
    "*.password",
    "*.token",
    "*.apiKey",
    "headers.authorization",
    'headers["x-api-key"]',
    "req.headers.authorization",
    'req.headers["x-api-key"]',
    "req.headers.cookie",
];

/** JSON logs on stdout (or `destination`), secrets censored. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
    return pino(
        {
            level,
            base: { service: "mcp-server" },
            redact: { paths: REDACT, censor: "[REDACTED]" },
            timestamp: pino.stdTimeFunctions.isoTime,
            formatters: { level: (label) => ({ level: label }) },
        },
        destination,
    );
}
