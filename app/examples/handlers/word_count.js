"use strict";

/**
 * Handler for the word_count tool. A handler receives the validated arguments and a context
 * ({ clientId, requestId, signal, log }) and returns a string, a plain object (sent as JSON text
 * and structured content) or a full CallToolResult ({ content: [...] }).
 */
module.exports = async function wordCount({ text }) {
    const trimmed = text.trim();
    return {
        words: trimmed === "" ? 0 : trimmed.split(/\s+/u).length,
        lines: text === "" ? 0 : text.split(/\r?\n/).length,
        characters: [...text].length,
    };
};
