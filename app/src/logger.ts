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

/** Bytes a buffered stdout collects before one write (a dozen request lines). */
const BUFFER_BYTES = 4096;
/** The longest a buffered line waits for its write, under light load. */
const FLUSH_MS = 250;

/**
 * Where logs go when no destination is given: stdout. Synchronous (`sync`: one write(2) per line,
 * each line out before the next request) or buffered: lines collect up to 4 KB and are written
 * together, at the latest 250 ms later, and at exit (pino flushes an asynchronous destination on
 * process exit). Buffered saves a system call per request (about 9 % of the server's CPU per call
 * in `node --cpu-prof`, see docs/server-protocol.md); what a SIGKILL can lose is the last
 * quarter-second of log lines, never an audit entry (those are committed before the answer).
 */
export function stdoutDestination(sync: boolean): DestinationStream {
    if (sync) return pino.destination({ dest: 1, sync: true });
    const dest = pino.destination({ dest: 1, sync: false, minLength: BUFFER_BYTES });
    setInterval(() => {
        try {
            dest.flush();
        } catch {
            /* a write still in progress: the next tick takes the rest */
        }
    }, FLUSH_MS).unref();
    return dest;
}

/** JSON logs on stdout (or `destination`), secrets censored. */
export function createLogger(level: string, destination?: DestinationStream, sync = false): Logger {
    return pino(
        {
            level,
            base: { service: "mcp-server" },
            redact: { paths: REDACT, censor: "[REDACTED]" },
            timestamp: pino.stdTimeFunctions.isoTime,
            formatters: { level: (label) => ({ level: label }) },
        },
        destination ?? stdoutDestination(sync),
    );
}
