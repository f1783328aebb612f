/**
 * Fetching the MTA-STS policy file (RFC 8461 §3.3): the fetcher seam, the checks every response
 * goes through, and the default fetcher over `node:https`.
 */
import type { LookupAddress, LookupOptions } from "node:dns";
import { request as httpsRequest } from "node:https";
import { type AddressClass, parseAllowList, refusalOf } from "./address-policy.js";
import { parseIp } from "./ip.js";
import { createResolver, type DnsResolver, query } from "./resolver.js";
import { parseStsPolicy, type StsPolicy } from "./sts-policy.js";

/** What to fetch: `https://mta-sts.<domain>/.well-known/mta-sts.txt`. */
export interface StsFetchRequest {
  /** The policy domain (A-label form). */
  readonly domain: string;
  /** `mta-sts.<domain>`, the name the certificate must be valid for. */
  readonly host: string;
  readonly url: string;
}

/** The HTTP response, as far as the policy checks need it. */
export interface StsFetchResponse {
  readonly status: number;
  /** The Content-Type header, if any. */
  readonly contentType?: string | undefined;
  readonly body: string;
}

/**
 * Fetches a policy file. It must validate the certificate for `request.host`, must not follow
 * redirects, and should bound time and size; it rejects on a network or TLS failure. The default is
 * `createHttpsPolicyFetcher()`.
 */
export type StsPolicyFetcher = (request: StsFetchRequest) => Promise<StsFetchResponse>;

/** Largest policy body taken, in octets (64 KiB). */
export const MAX_STS_POLICY_BYTES = 65_536;

/** The well-known location of a domain's policy (RFC 8461 §3.2). */
export function stsPolicyRequest(domain: string): StsFetchRequest {
  const host = `mta-sts.${domain}`;
  return { domain, host, url: `https://${host}/.well-known/mta-sts.txt` };
}

/** The result of `checkStsResponse`: a policy, or whether the HTTP exchange or the body failed. */
export type StsResponseCheck =
  | { readonly ok: true; readonly policy: StsPolicy }
  | { readonly ok: false; readonly reason: "fetch-failed" | "invalid-policy"; readonly error: string };

/**
 * The checks on a fetched response, then the policy parser: "Policies fetched via HTTPS are only
 * valid if the HTTP response code is 200 (OK). HTTP 3xx redirects MUST NOT be followed" (RFC 8461
 * §3.3); "senders SHOULD validate that the media type is "text/plain"" and other Content-Type
 * parameters are ignored (§3.2); the body is at most `maxBytes` octets.
 */
export function checkStsResponse(response: StsFetchResponse, maxBytes = MAX_STS_POLICY_BYTES): StsResponseCheck {
  const fetchFailed = (error: string): StsResponseCheck => ({ ok: false, reason: "fetch-failed", error });
  if (response.status !== 200) {
    const why = response.status >= 300 && response.status < 400 ? " (redirects are not followed, RFC 8461 §3.3)" : "";
    return fetchFailed(`HTTP status ${response.status}${why}`);
  }
  const mediaType = (response.contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "text/plain") return fetchFailed(`media type ${JSON.stringify(response.contentType ?? null)} is not text/plain`);
  if (Buffer.byteLength(response.body, "utf8") > maxBytes) return fetchFailed(`policy larger than ${maxBytes} octets`);
  const parsed = parseStsPolicy(response.body);
  return parsed.ok ? parsed : { ok: false, reason: "invalid-policy", error: parsed.error };
}

export interface HttpsPolicyFetcherOptions {
  /** Resolves the policy host; default `createResolver()`. `resolvePlan` passes its own resolver. */
  readonly resolver?: Pick<DnsResolver, "resolve4" | "resolve6">;
  /**
   * CIDR blocks the policy host may resolve into although they are not public. The policy host's
   * addresses go through the same address policy as MX hosts, so a hostile zone cannot point the
   * fetch at an internal web server.
   */
  readonly allowAddresses?: readonly string[];
  /** Milliseconds for the whole fetch, connect to last byte (default 60 000, RFC 8461 §3.3's suggestion). */
  readonly timeout?: number;
  /** Largest body in octets (default 64 KiB); a larger one aborts the download. */
  readonly maxBytes?: number;
  /** Extra trusted CA certificates in PEM (default: Node's bundled roots only). For tests and private PKIs. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** TCP port (default 443). For tests. */
  readonly port?: number;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function lookupError(message: string, code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/**
 * The default fetcher: one HTTPS GET with Node's certificate validation (chain to a trusted root,
 * not expired, name valid for `mta-sts.<domain>`: RFC 8461 §3.3), no redirects (a 3xx is returned
 * as it is, and `checkStsResponse` refuses it), no proxy, no connection reuse, a time limit for the
 * whole exchange and a size limit enforced while reading. The host is resolved through the given
 * DNS resolver — not the system's `getaddrinfo` — so the policy fetch sees the same DNS as the MX
 * lookups, and its addresses pass the address policy.
 */
export function createHttpsPolicyFetcher(options: HttpsPolicyFetcherOptions = {}): StsPolicyFetcher {
  const timeout = options.timeout ?? 60_000;
  const maxBytes = options.maxBytes ?? MAX_STS_POLICY_BYTES;
  const port = options.port ?? 443;
  const allow = parseAllowList(options.allowAddresses);
  let resolver = options.resolver;

  const lookup = (hostname: string, lookupOptions: LookupOptions, callback: LookupCallback): void => {
    resolver ??= createResolver();
    const r = resolver;
    const families: (4 | 6)[] = lookupOptions.family === 4 ? [4] : lookupOptions.family === 6 ? [6] : [6, 4];
    Promise.all(families.map((f) => query(r as DnsResolver, f === 4 ? "A" : "AAAA", hostname))).then((outcomes) => {
      const found: LookupAddress[] = [];
      const refused: AddressClass[] = [];
      outcomes.forEach((o, i) => {
        if (o.kind !== "answer") return;
        for (const rec of o.records) {
          const ip = parseIp(rec.address);
          const why = ip === undefined ? "reserved" : refusalOf(ip, allow);
          if (why === undefined) found.push({ address: rec.address, family: families[i] as 4 | 6 });
          else refused.push(why);
        }
      });
      if (found.length === 0) {
        const failure = outcomes.find((o) => o.kind === "failure");
        if (refused.length > 0) callback(lookupError(`${hostname} has only refused addresses (${refused.join(", ")})`, "EREFUSEDADDRESS"), "");
        else if (failure !== undefined && failure.kind === "failure") callback(lookupError(`${hostname}: DNS ${failure.code}`, failure.code), "");
        else callback(lookupError(`${hostname} has no address`, "ENOTFOUND"), "");
        return;
      }
      if (lookupOptions.all === true) callback(null, found);
      else callback(null, (found[0] as LookupAddress).address, (found[0] as LookupAddress).family);
    }, (error: unknown) => callback(lookupError(`${hostname}: ${String(error)}`, "EUNKNOWN"), ""));
  };

  return (request) =>
    new Promise<StsFetchResponse>((resolve, reject) => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error(`MTA-STS policy fetch timed out after ${timeout} ms`)), timeout);
      const done = (error: Error | undefined, response?: StsFetchResponse): void => {
        clearTimeout(timer);
        // An abort surfaces as a generic AbortError; the reason says it was the time limit.
        if (error !== undefined) reject(controller.signal.aborted ? (controller.signal.reason as Error) : error);
        else resolve(response as StsFetchResponse);
      };
      const req = httpsRequest(
        {
          host: request.host,
          port,
          path: "/.well-known/mta-sts.txt",
          method: "GET",
          servername: request.host,
          headers: { accept: "text/plain", "user-agent": "smtpkit-mta-sts" },
          lookup,
          agent: false,
          signal: controller.signal,
          rejectUnauthorized: true,
          ...(options.ca !== undefined ? { ca: options.ca as string | Buffer | (string | Buffer)[] } : {}),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const contentType = res.headers["content-type"];
          // Settle first: destroying the response emits "aborted" synchronously.
          if (status !== 200) {
            done(undefined, { status, contentType, body: "" });
            res.destroy();
            return;
          }
          const declared = Number(res.headers["content-length"]);
          if (Number.isFinite(declared) && declared > maxBytes) {
            done(new Error(`MTA-STS policy larger than ${maxBytes} octets (Content-Length ${declared})`));
            res.destroy();
            return;
          }
          const chunks: Buffer[] = [];
          let total = 0;
          res.on("data", (chunk: Buffer) => {
            total += chunk.length;
            if (total > maxBytes) {
              done(new Error(`MTA-STS policy larger than ${maxBytes} octets`));
              res.destroy();
              return;
            }
            chunks.push(chunk);
          });
          res.on("end", () => done(undefined, { status, contentType, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", (error) => done(error));
          res.on("aborted", () => done(new Error("MTA-STS policy response aborted")));
        },
      );
      req.on("error", (error) => done(error));
      req.end();
    });
}
