/**
 * The audit log's write-once checkpoint storage on AWS: an S3 bucket with
 * Object Lock in COMPLIANCE mode (nobody, the root user included, can delete
 * or overwrite a locked object version before its retention ends; the
 * default retention is the tier's `audit.anchorRetentionDays`), versioning
 * (Object Lock requires it), all four public access blocks, default
 * encryption, and a bucket policy that denies object deletes, changes of the
 * lock configuration and any request not made over TLS. The service's task
 * role gets PutObject/GetObject on the checkpoint prefix and ListBucket
 * restricted to it, nothing else (see docs/audit.md).
 *
 * Encryption is SSE-S3 (AES256, S3-managed keys), not SSE-KMS: the lock is
 * what makes the anchors trustworthy, and a customer-managed KMS key would add
 * a way around it (disable the key or schedule its deletion and every locked
 * checkpoint becomes unreadable) plus $1 a key-month and per-request KMS
 * charges; SSE-S3 costs nothing and needs no key permission on the task role.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TierSpec } from "../../sizing";
import { Scope } from "../base";
import { AuditAnchorsSummary } from "../types";
import { denyInsecureTransport, privateBucketControls } from "./s3";

/** The key prefix the server writes its checkpoint objects under. */
export const ANCHOR_PREFIX = "checkpoints/";

/** Object Lock mode: COMPLIANCE (GOVERNANCE lets a privileged principal shorten or lift the lock). */
export const ANCHOR_LOCK_MODE = "COMPLIANCE";

/** Actions the bucket policy denies to every principal. */
export const ANCHOR_DENIED_ACTIONS = ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutBucketObjectLockConfiguration"] as const;

export interface AwsAnchors {
    bucket: aws.s3.Bucket;
    /** MCP_AUDIT_ANCHORS: `s3://<bucket>/checkpoints/`. */
    location: pulumi.Output<string>;
    summary: pulumi.Output<AuditAnchorsSummary>;
    resources: Record<string, pulumi.Resource>;
}

export function createAnchorBucket(scope: Scope, spec: TierSpec): AwsAnchors {
    const retentionDays = spec.audit.anchorRetentionDays;
    if (!Number.isInteger(retentionDays) || retentionDays < 1) {
        throw new Error(
            `audit.anchorRetentionDays of tier ${spec.name} must be a whole number of days >= 1 (S3 Object Lock default retention), got ${retentionDays}`,
        );
    }
    const bucket = scope.child("audit-anchors", aws.s3.Bucket, {
        objectLockEnabled: true,
        // Locked versions cannot be deleted anyway; never let a destroy try to empty the bucket.
        forceDestroy: false,
    });
    const versioning = scope.child("audit-anchors-versioning", aws.s3.BucketVersioning, {
        bucket: bucket.id,
        versioningConfiguration: { status: "Enabled" },
    });
    const lock = scope.child(
        "audit-anchors-lock",
        aws.s3.BucketObjectLockConfiguration,
        {
            bucket: bucket.id,
            objectLockEnabled: "Enabled",
            rule: { defaultRetention: { mode: ANCHOR_LOCK_MODE, days: retentionDays } },
        },
        { dependsOn: [versioning] },
    );
    const { publicAccess, encryption } = privateBucketControls(scope, "audit-anchors", bucket);
    const policy = scope.child(
        "audit-anchors-policy",
        aws.s3.BucketPolicy,
        {
            bucket: bucket.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "DenyDeletesAndLockChanges",
                        Effect: "Deny",
                        Principal: "*",
                        Action: [...ANCHOR_DENIED_ACTIONS],
                        Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                    },
                    denyInsecureTransport(bucket.arn, pulumi.interpolate`${bucket.arn}/*`),
                ],
            }),
        },
        {
            // After the lock configuration: the policy denies PutBucketObjectLockConfiguration to everyone, this program included
            // (changing the default retention later means lifting that statement first; locked versions keep their own dates).
            dependsOn: [publicAccess, lock],
        },
    );

    // An S3 bucket's id is its name.
    const location = pulumi.interpolate`s3://${bucket.id}/${ANCHOR_PREFIX}`;
    const lockInputs = scope.inputs<aws.s3.BucketObjectLockConfigurationArgs>("audit-anchors-lock");
    const summary = pulumi.all([location, lockInputs.rule]).apply(([loc, rule]) => ({
        location: loc,
        writeOnce: rule?.defaultRetention?.mode === ANCHOR_LOCK_MODE,
        retentionDays: Number(rule?.defaultRetention?.days ?? 0),
        note: "S3 Object Lock in compliance mode (versioned, public access blocked, SSE-S3, deletes denied by bucket policy)",
    }));
    return {
        bucket,
        location,
        summary,
        resources: {
            anchorBucket: bucket,
            anchorVersioning: versioning,
            anchorLock: lock,
            anchorPublicAccess: publicAccess,
            anchorEncryption: encryption,
            anchorPolicy: policy,
        },
    };
}

/** The task role's only permissions: create and read checkpoint objects under the prefix, list the prefix. */
export function anchorWriterPolicy(bucketArn: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "CheckpointObjects",
                Effect: "Allow",
                Action: ["s3:PutObject", "s3:GetObject"],
                Resource: pulumi.interpolate`${bucketArn}/${ANCHOR_PREFIX}*`,
            },
            {
                Sid: "ListCheckpoints",
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: bucketArn,
                Condition: { StringLike: { "s3:prefix": [`${ANCHOR_PREFIX}*`] } },
            },
        ],
    });
}
