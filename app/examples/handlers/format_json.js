"use strict";

function sortKeys(value) {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
        Object.keys(value)
            .sort()
            .map((k) => [k, sortKeys(value[k])]),
    );
}

/**
 * Handler for the format_json tool. An error whose name is "ToolError" (or that has
 * expose: true) is shown to the caller as a tool error with its message and optional code;
 * any other error is reported as an internal error and its details stay in the server log.
 */
exports.handler = async function formatJson({ json, indent = 2 }, { signal }) {
    signal.throwIfAborted();
    let parsed;
    try {
        parsed = JSON.parse(json);
    } catch (err) {
        const e = new Error(`not valid JSON: ${err.message}`);
        e.name = "ToolError";
        e.code = "invalid_json";
        throw e;
    }
    return { content: [{ type: "text", text: JSON.stringify(sortKeys(parsed), null, indent) }] };
};
