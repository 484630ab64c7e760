export * from "./errors";
export * from "./tiers";
export * from "./overrides";
export * as awsSkus from "./aws";
export * from "./cidr";
export * from "./alerts";
