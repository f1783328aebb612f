/**
 * @smtpkit/smtp-dns-mx: from a recipient domain to a delivery plan — MX hosts in the order to try,
 * each with its addresses — or a typed verdict on why there is none, temporary or permanent.
 *
 * RFC 5321 §5.1 (MX lookup, implicit MX, ordering, self and loop rules), §4.1.3 (address literals),
 * RFC 7505 (null MX), RFC 2308 (negative caching), RFC 5890/UTS #46 (IDNA), RFC 6890 and RFC 4291
 * (special-purpose addresses), RFC 8461 (MTA-STS), RFC 3463 (enhanced status codes in the replies).
 */

// Resolving a domain
export { resolvePlan } from "./resolve-plan.js";
export type { MtaStsOptions, ResolvePlanOptions } from "./resolve-plan.js";
export type { DeliveryPlan, PlanHost, TlsPolicy } from "./plan.js";
export type { DropReason, DroppedHost, RandomSource } from "./mx-order.js";
export type { IpFamilies, PreferredFamily } from "./address-order.js";

// DNS: the resolver seam and the cache
export { createResolver } from "./resolver.js";
export type { AddressRecord, CreateResolverOptions, DnsResolver, MxRecord } from "./resolver.js";
export { DnsCache } from "./dns-cache.js";
export type { DnsCacheOptions } from "./dns-cache.js";

// MTA-STS
export { createHttpsPolicyFetcher, MAX_STS_POLICY_BYTES } from "./sts-fetch.js";
export type { HttpsPolicyFetcherOptions, StsFetchRequest, StsFetchResponse, StsPolicyFetcher } from "./sts-fetch.js";
export { StsPolicyCache } from "./sts-cache.js";
export type { CachedStsPolicy, StsPolicyCacheOptions } from "./sts-cache.js";
export type { StsHostVerdict, StsNoPolicyReason, StsVerdict } from "./mta-sts.js";
export type { StsMode, StsPolicy } from "./sts-policy.js";

// Errors
export { MxResolutionError } from "./errors.js";
export type { MxErrorCategory, MxResolutionErrorCode } from "./errors.js";

// ---- Integrator API: the pure rules resolvePlan composes, stable but lower level ----

export { cutAtSelf, orderByPreference, prepareMx, shuffle } from "./mx-order.js";
export type { MxCandidate, PreparedMx } from "./mx-order.js";
export { orderAddresses } from "./address-order.js";
export type { AddressOrderOptions } from "./address-order.js";
export { classifyAddress, parseAllowList, refusalOf, refusalOfText } from "./address-policy.js";
export type { AddressClass } from "./address-policy.js";
export { isHostName, normalizeDnsName, parseAddressLiteral, toAsciiDomain } from "./domain-name.js";
export type { AddressLiteral } from "./domain-name.js";
export { canonicalIp, cidrContains, formatIp, parseCidr, parseIp, sameIp } from "./ip.js";
export type { Cidr, IpAddress, IpFamily } from "./ip.js";
export { classifyDnsError, query } from "./resolver.js";
export type { DnsAnswers, DnsOutcome, DnsQueryType } from "./resolver.js";
export { MX_ERRORS } from "./errors.js";
export { discoverStsPolicy, stsVerdict } from "./mta-sts.js";
export type { StsDiscoveryContext, StsPolicyState } from "./mta-sts.js";
export { MAX_STS_MAX_AGE, matchesMxPattern, normalizeMxPattern, parseStsPolicy } from "./sts-policy.js";
export type { StsPolicyParseResult } from "./sts-policy.js";
export { parseStsRecord, selectStsRecord } from "./sts-record.js";
export type { StsRecord, StsRecordResult } from "./sts-record.js";
export { checkStsResponse, stsPolicyRequest } from "./sts-fetch.js";
export type { StsResponseCheck } from "./sts-fetch.js";
