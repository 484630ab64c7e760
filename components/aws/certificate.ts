/** A public ACM certificate for the edge's domain, validated by DNS in the domain's Route 53 zone. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Scope } from "../base";

export interface DnsValidatedCertificate {
    /** The hosted zone that holds the domain (for the alias record). */
    zoneId: pulumi.Output<string>;
    certificate: aws.acm.Certificate;
    /** Resolves once ACM has issued the certificate: use its `certificateArn`. */
    validation: aws.acm.CertificateValidation;
}

/**
 * Creates `certificate`, its DNS validation record `certificate-record` in the
 * public zone `dnsZone`, and `certificate-validation`. Public ACM certificates are free.
 */
export function dnsValidatedCertificate(scope: Scope, domain: string, dnsZone: string): DnsValidatedCertificate {
    const zone = aws.route53.getZoneOutput({ name: dnsZone, privateZone: false }, { parent: scope.parent });
    const certificate = scope.child("certificate", aws.acm.Certificate, { domainName: domain, validationMethod: "DNS" });
    const option = certificate.domainValidationOptions[0];
    const validationRecord = scope.child("certificate-record", aws.route53.Record, {
        zoneId: zone.zoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 300,
        allowOverwrite: true,
    });
    const validation = scope.child("certificate-validation", aws.acm.CertificateValidation, {
        certificateArn: certificate.arn,
        validationRecordFqdns: [validationRecord.fqdn],
    });
    return { zoneId: zone.zoneId, certificate, validation };
}
