/**
 * What every session of one server shares: resolved options, hooks, the coarse clock, the EHLO
 * reply cache and the connection accounting. Built once by createServer.
 */
import type { CommandCompat } from "@smtpkit/smtp-codec";
import type { Cidr } from "./cidr.js";
import type { ResolvedLimits } from "./limits.js";
import type { TlsConfig } from "./tls.js";
import type { Reply } from "@smtpkit/smtp-codec";
import type { Wire } from "./pipeline.js";
import type { Hooks, Logger } from "./types.js";

export interface ResolvedExtensions {
  readonly pipelining: boolean;
  readonly size: boolean;
  readonly eightBitMime: boolean;
  readonly smtputf8: boolean;
  readonly enhancedStatusCodes: boolean;
  readonly dsn: boolean;
  readonly chunking: boolean;
  readonly starttls: boolean;
  readonly requireTls: boolean;
}

export interface ServerContext {
  readonly hooks: Hooks;
  readonly limits: ResolvedLimits;
  readonly logger: Logger;
  readonly hostname: string;
  readonly lmtp: boolean;
  readonly ext: ResolvedExtensions;
  readonly tls: TlsConfig | undefined;
  readonly proxyTrusted: readonly Cidr[];
  readonly bareLineEndings: "reject" | "normalize";
  readonly earlyTalkers: "reject" | "ignore";
  readonly compat: CommandCompat | undefined;
  readonly auth: { readonly mechanisms: readonly string[] | undefined; readonly allowInsecure: boolean; readonly required: boolean };
  /** The greeting, formatted once. */
  readonly greeting: Wire;
  /** Coarse clock (ms), refreshed by the server's tick; cheaper than Date.now() per chunk. */
  now: number;
  /** EHLO replies by session shape (secure, mechanisms), and the HELO reply. */
  readonly ehloCache: Map<string, Wire>;
  /** Shutting down: idle sessions get 421 4.3.2 at their next opportunity. */
  shuttingDown: boolean;
  /** Count the session against the per-address limit; a reply means refuse it. */
  admit(address: string): Reply | undefined;
  /** The session is gone. */
  release(address: string | undefined, session: object): void;
  nextId(): string;
}
