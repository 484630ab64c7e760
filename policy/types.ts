/**
 * Pulumi type tokens of the resources the rules inspect: those the AWS, Azure
 * and GCP builders create, plus the other spellings of the same thing (legacy
 * security-group rule forms, the `alb` aliases of the `lb` module).
 * Everything else, Docker resources of the local stacks included, is ignored.
 */
export const T = {
    // AWS
    rdsInstance: "aws:rds/instance:Instance",
    rdsParams: "aws:rds/parameterGroup:ParameterGroup",
    cacheGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
    serverlessCache: "aws:elasticache/serverlessCache:ServerlessCache",
    lbListener: "aws:lb/listener:Listener",
    albListener: "aws:alb/listener:Listener",
    lb: "aws:lb/loadBalancer:LoadBalancer",
    apiDomain: "aws:apigatewayv2/domainName:DomainName",
    alb: "aws:alb/loadBalancer:LoadBalancer",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    // Azure (azure-native; versioned modules such as `dbforpostgresql/v20240801` are matched too)
    pgServer: "azure-native:dbforpostgresql:Server",
    pgConfiguration: "azure-native:dbforpostgresql:Configuration",
    redisCluster: "azure-native:redisenterprise:RedisEnterprise",
    redisDatabase: "azure-native:redisenterprise:Database",
    keyVault: "azure-native:keyvault:Vault",
    storageAccount: "azure-native:storage:StorageAccount",
    appGateway: "azure-native:network:ApplicationGateway",
    nsg: "azure-native:network:NetworkSecurityGroup",
    nsgRule: "azure-native:network:SecurityRule",
    containerApp: "azure-native:app:ContainerApp",
    containerJob: "azure-native:app:Job",
    appEnvironment: "azure-native:app:ManagedEnvironment",
    // GCP
    sqlInstance: "gcp:sql/databaseInstance:DatabaseInstance",
    redisInstance: "gcp:redis/instance:Instance",
    httpsProxy: "gcp:compute/targetHttpsProxy:TargetHttpsProxy",
    sslPolicy: "gcp:compute/sSLPolicy:SSLPolicy",
    firewall: "gcp:compute/firewall:Firewall",
    forwardingRule: "gcp:compute/globalForwardingRule:GlobalForwardingRule",
    cloudRun: "gcp:cloudrunv2/service:Service",
    serverlessNeg: "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup",
    backendService: "gcp:compute/backendService:BackendService",
} as const;

/** The type token without an azure-native API version (`azure-native:app/v20240301:ContainerApp` -> `azure-native:app:ContainerApp`). */
export function baseType(type: string): string {
    return type.replace(/^(azure-native:[A-Za-z0-9]+)\/v[0-9a-z]+:/, "$1:");
}
