// ESLint for the whole repository (infra, policy pack, scripts, tests and the server in app/):
// ESLint's and typescript-eslint's recommended rules; formatting is prettier's alone
// (eslint-config-prettier switches off every rule it would fight with).
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

const nodeGlobals = {
    process: "readonly",
    console: "readonly",
    require: "readonly",
    module: "writable",
    exports: "writable",
    __dirname: "readonly",
    Buffer: "readonly",
    setTimeout: "readonly",
    clearTimeout: "readonly",
};

export default defineConfig(
    { ignores: ["node_modules/", "**/node_modules/", "bin/", "app/dist/", "app/data/", ".scratch/", "app/.scratch/", "**/*.d.ts"] },
    js.configs.recommended,
    tseslint.configs.recommended,
    {
        languageOptions: { globals: nodeGlobals },
        linterOptions: { reportUnusedDisableDirectives: "error" },
        rules: {
            // `_`-prefixed names mark parameters a signature needs but the body does not use.
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
        },
    },
    {
        // Tests, the plan/harness scripts and the policy pack read provider inputs as the mocks and
        // the policy engine hand them over: untyped JSON, so `any` is the honest type there; tests
        // also require() modules afresh under Pulumi's mocks.
        files: ["test/**", "app/test/**", "scripts/**", "policy/**", "bench/**"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
    {
        files: ["test/**", "app/test/**"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        // The example tool handlers are CommonJS modules the server loads with require().
        files: ["app/examples/**/*.js"],
        languageOptions: { sourceType: "commonjs" },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    prettier,
);
