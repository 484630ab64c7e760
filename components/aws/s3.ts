/** What every bucket the AWS components create shares: no public access, SSE-S3, HTTPS only. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Scope } from "../base";

/**
 * Blocks every form of public access to `bucket` and encrypts it with SSE-S3 (AES256), as the
 * children `<prefix>-public-access` and `<prefix>-encryption`. SSE-S3, not SSE-KMS: ALB log
 * delivery writes to SSE-S3 buckets only, and the anchors bucket needs no key of its own.
 */
export function privateBucketControls(
    scope: Scope,
    prefix: string,
    bucket: aws.s3.Bucket,
): { publicAccess: aws.s3.BucketPublicAccessBlock; encryption: aws.s3.BucketServerSideEncryptionConfiguration } {
    const publicAccess = scope.child(`${prefix}-public-access`, aws.s3.BucketPublicAccessBlock, {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
    });
    const encryption = scope.child(`${prefix}-encryption`, aws.s3.BucketServerSideEncryptionConfiguration, {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    return { publicAccess, encryption };
}

/** The bucket-policy statement that refuses any request to the bucket or its objects made without TLS. */
export function denyInsecureTransport(bucketArn: pulumi.Input<string>, objectsArn: pulumi.Input<string>) {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, objectsArn],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}
