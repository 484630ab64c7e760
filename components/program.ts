/**
 * The Pulumi program: stack config -> McpDeployment -> stack outputs.
 * index.ts exports `main`; tests and the offline plan call it under mocks.
 */
import { readStackConfig } from "./config";
import { McpDeployment } from "./McpDeployment";

export function main() {
    const settings = readStackConfig();
    const deployment = new McpDeployment("mcp", settings);
    return {
        cloud: settings.cloud,
        tier: settings.tier,
        mcpUrl: deployment.mcpUrl,
        serviceName: deployment.cluster.serviceName,
        apiKeySecret: deployment.cluster.apiKeySecret,
        databaseEndpoint: deployment.database.endpoint,
        databaseCredentialsSecret: deployment.database.credentialsSecret,
        cacheEndpoint: deployment.cache.endpoint,
        cacheAuthSecret: deployment.cache.authSecret,
        summary: deployment.summary,
    };
}
