// The mcp-infra Pulumi program: reads the stack's config (cloud, tier,
// overrides) and deploys the MCP server topology. Stack outputs are the
// object `main` returns.
import { main } from "./components/program";

export = main;
