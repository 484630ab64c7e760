import * as pulumi from "@pulumi/pulumi";
import { Cloud, resolveTier, TierName, TierOverrides } from "../sizing";
import { componentType, Scope, Transforms } from "./base";
import { DatabaseImpl } from "./contract";
import { cloudModule } from "./registry";
import { TransformsFor } from "./transforms";
import { registerPart } from "./wiring";
import { Network } from "./Network";
import { DatabaseSummary } from "./types";

export interface AuditDatabaseArgs<C extends Cloud = Cloud> {
    /** The network the database lives in, privately. */
    network: Network<C>;
    /** Sizing tier. @default the network's tier */
    tier?: TierName;
    /**
     * Per-field overrides of the tier (dbVcpu, dbMemoryGiB, dbStorageGiB, dbInstanceClass).
     * @default {}
     * @example { dbInstanceClass: "db.t4g.medium", dbStorageGiB: 100 }
     */
    overrides?: TierOverrides;
    /** Hooks keyed by child role (`instance`, `params`, `replica-0`, ...). @default {} */
    transform?: TransformsFor<C, "AuditDatabase">;
}

/**
 * PostgreSQL for the server's hash-chained audit log: private, encrypted,
 * TLS required; HA, backups, deletion protection and read replicas per tier.
 * Cost (AWS, us-east-1): dev db.t4g.micro about $14 per month with storage;
 * prod Multi-AZ db.t4g.small about $58; enterprise Multi-AZ db.m7g.large and
 * a replica, about $800.
 */
export class AuditDatabase<C extends Cloud = Cloud> extends pulumi.ComponentResource {
    /** The cloud it runs on: its network's. */
    readonly cloud: C;
    /** Host name of the primary. */
    readonly endpoint: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    readonly databaseName: pulumi.Output<string>;
    /** Reference (ARN on AWS) to the secret holding username, password, host, port, dbname and url. */
    readonly credentialsSecret: pulumi.Output<string>;
    /** What was really provisioned, from the child resources' inputs. */
    readonly summary: pulumi.Output<DatabaseSummary>;
    readonly resources: DatabaseImpl["resources"];
    /** @internal */
    readonly impl: DatabaseImpl;

    constructor(name: string, args: AuditDatabaseArgs<C>, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("AuditDatabase"), name, {}, opts);
        this.cloud = args.network.cloud;
        registerPart(this, "AuditDatabase", name, args.network);
        const overrides = args.overrides ?? {};
        const spec = resolveTier(args.tier ?? args.network.tier, overrides);
        const scope = new Scope(this, name, args.transform as Transforms | undefined);
        this.impl = cloudModule(args.network.cloud).createDatabase(scope, {
            network: args.network.impl,
            spec,
            overrides,
        });
        scope.checkTransforms("AuditDatabase", args.network.cloud);
        this.endpoint = this.impl.endpoint;
        this.port = this.impl.port;
        this.databaseName = this.impl.databaseName;
        this.credentialsSecret = this.impl.credentialsSecret.id;
        this.summary = this.impl.summary;
        this.resources = this.impl.resources;
        this.registerOutputs({
            endpoint: this.endpoint,
            port: this.port,
            databaseName: this.databaseName,
            credentialsSecret: this.credentialsSecret,
            summary: this.summary,
        });
    }
}
