/**
 * The Pulumi program: stack config -> McpDeployment -> stack outputs.
 * index.ts exports `main`; tests and the offline plan call it under mocks.
 */
import { ResourceCapture, estimateOutputs } from "../pricing/capture";
import { readStackConfig } from "./config";
import { McpDeployment } from "./McpDeployment";

export function main() {
    const settings = readStackConfig();
    // Records every resource the deployment declares, to price them for the `costEstimate` output.
    const capture = new ResourceCapture();
    const deployment = new McpDeployment("mcp", settings, { transformations: [capture.transformation] });
    const estimate = capture.estimate(settings.usage);
    return {
        cloud: settings.cloud,
        tier: settings.tier,
        mcpUrl: deployment.mcpUrl,
        serviceName: deployment.cluster.serviceName,
        apiKeySecret: deployment.cluster.apiKeySecret,
        databaseEndpoint: deployment.database.endpoint,
        databaseCredentialsSecret: deployment.database.credentialsSecret,
        cacheEndpoint: deployment.cache?.endpoint,
        cacheAuthSecret: deployment.cache?.authSecret,
        summary: deployment.summary,
        /** Monthly cost at list prices, priced from the declared resources (see pricing/). */
        costEstimate: estimate.apply(estimateOutputs),
        monthlyBudgetUsd: settings.monthlyBudgetUsd,
    };
}
