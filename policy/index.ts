/**
 * The mcp-infra policy pack: `pulumi preview --policy-pack policy` from the
 * repository root. Constructing the PolicyPack starts the server the Pulumi
 * engine talks to, so nothing but the engine should import this file; tests
 * import ./rules.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./rules";

new PolicyPack("mcp-infra", {
    description:
        "mcp-infra security baseline (private data stores, encryption, modern edge TLS, deletion protection and backups, no plain secrets, ingress only at the edge) the monthly budget gate, and operations (alarms on the seeds' signals, uptime check, dashboard, budget, a notification target) in prod and enterprise.",
    enforcementLevel: "mandatory",
    policies,
});
