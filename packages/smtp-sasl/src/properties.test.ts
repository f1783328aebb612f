/**
 * Properties over every mechanism: round trips with arbitrary credentials, arbitrary bytes into
 * every server step, and secrets that never show up in anything printable.
 */
import { inspect } from "node:util";
import { fc, test } from "@fast-check/vitest";
import prep from "@mongodb-js/saslprep";
import { beforeAll, describe, expect } from "vitest";
import { createClientMechanism } from "./client.js";
import type { ClientCredentials } from "./credentials.js";
import { SaslError } from "./errors.js";
import { SUPPORTED_MECHANISMS } from "./mechanisms.js";
import { type DerivedScramCredentials, deriveScramCredentials } from "./scram-core.js";
import { Secret } from "./secret.js";
import { createServerMechanism } from "./server.js";
import { distinctSecret, tokenArb, trickyText } from "./test-support/arbitraries.js";
import { runExchange, type Transcript } from "./test-support/run-exchange.js";
import type { ChannelInfo, ClientMechanism } from "./types.js";
import type { ServerVerifiers } from "./verifiers.js";

const TLS: ChannelInfo = { encrypted: true };
const BOUND: ChannelInfo = {
  encrypted: true,
  channelBinding: { "tls-exporter": new Uint8Array(32).fill(1), "tls-server-end-point": new Uint8Array(32).fill(2) },
  clientCertificate: { subject: "CN=user" },
};

/** RFC 6750 §2.1 b64token, restated here from the grammar. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** SASLprep as a query string (RFC 5802 §5.1), straight from the library, or undefined. */
function queryPrep(name: string): string | undefined {
  try {
    const out = prep(name, { allowUnassigned: true });
    return out === "" ? undefined : out;
  } catch {
    return undefined;
  }
}

interface Case {
  /** The identity the server must report, or undefined when the mechanism cannot carry the credentials. */
  readonly expected: (user: string, secret: string) => string | undefined;
  readonly kind: "password" | "token";
  readonly channel: ChannelInfo;
}

/** Which credentials each mechanism can carry, from each RFC's grammar, and the identity that results. */
const CASES: Record<string, Case> = {
  PLAIN: { kind: "password", channel: TLS, expected: (u, p) => (u.includes("\0") || p.includes("\0") ? undefined : u) },
  LOGIN: { kind: "password", channel: TLS, expected: (u) => u },
  "CRAM-MD5": { kind: "password", channel: TLS, expected: (u) => u },
  "SCRAM-SHA-1": { kind: "password", channel: TLS, expected: (u) => (u.includes("\0") ? undefined : queryPrep(u)) },
  "SCRAM-SHA-256": { kind: "password", channel: TLS, expected: (u) => (u.includes("\0") ? undefined : queryPrep(u)) },
  "SCRAM-SHA-1-PLUS": { kind: "password", channel: BOUND, expected: (u) => (u.includes("\0") ? undefined : queryPrep(u)) },
  "SCRAM-SHA-256-PLUS": { kind: "password", channel: BOUND, expected: (u) => (u.includes("\0") ? undefined : queryPrep(u)) },
  XOAUTH2: { kind: "token", channel: TLS, expected: (u, t) => (u.includes("\x01") || !B64TOKEN.test(t) ? undefined : u) },
  OAUTHBEARER: { kind: "token", channel: TLS, expected: (u, t) => (u.includes("\0") || !B64TOKEN.test(t) ? undefined : u) },
};

/** Verifiers that know exactly one user with one password or token. */
async function verifiersFor(mechanism: string, user: string, secret: string): Promise<ServerVerifiers> {
  const scram = /^SCRAM-(SHA-1|SHA-256)/.exec(mechanism);
  let stored: DerivedScramCredentials | undefined;
  const prepared = queryPrep(user);
  if (scram !== null && prepared !== undefined) stored = await deriveScramCredentials(secret, { hash: scram[1] as "SHA-1" | "SHA-256" });
  return {
    verifyPassword: async (u, p) => u === user && p.equals(secret),
    lookupPassword: async (u) => (u === user ? new Secret(secret) : undefined),
    lookupScramCredentials: async (u) => (u === prepared ? stored : undefined),
    verifyToken: async (u, t) => u === user && t.equals(secret),
  };
}

function credentials(kind: Case["kind"], user: string, secret: string): ClientCredentials {
  return kind === "password" ? { username: user, password: secret } : { username: user, token: secret };
}

async function outcome(run: Promise<unknown>): Promise<unknown> {
  try {
    return await run;
  } catch (error) {
    return error;
  }
}

describe("every client mechanism against its own server mechanism", () => {
  for (const [mechanism, c] of Object.entries(CASES)) {
    const scram = mechanism.startsWith("SCRAM");
    test.prop([trickyText(), c.kind === "token" ? tokenArb() : trickyText(16)], { numRuns: scram ? 40 : 150 })(
      `${mechanism}: the right identity with the right ${c.kind}, bad-credentials with a wrong one; unrepresentable credentials refused up front`,
      async (user, secret) => {
        const expected = c.expected(user, secret);
        const make = (s: string) => () => createClientMechanism(mechanism, credentials(c.kind, user, s), c.channel);
        if (expected === undefined) {
          const error = await outcome(Promise.resolve().then(make(secret)));
          expect(SaslError.isInstance(error) && error.code).toBe("unrepresentable");
          return;
        }
        const verifiers = await verifiersFor(mechanism, user, secret);
        const identity = await runExchange(make(secret)(), createServerMechanism(mechanism, verifiers, c.channel));
        expect(identity).toEqual({ mechanism, username: expected });

        // A wrong secret: one more character, which no normalisation removes.
        const wrong = c.kind === "token" ? `A${secret}` : `${secret}!`;
        const failed = await outcome(runExchange(make(wrong)(), createServerMechanism(mechanism, verifiers, c.channel)));
        expect(SaslError.isInstance(failed) && failed.code).toBe("bad-credentials");
      },
    );
  }

  test.prop([trickyText(), fc.boolean()], { numRuns: 100 })("EXTERNAL: the certificate's user, any authzid", async (authzid, allowed) => {
    const verifiers: ServerVerifiers = { verifyExternal: async () => ({ username: "user" }), authorize: async () => allowed };
    const make = () => createClientMechanism("EXTERNAL", { external: true, authzid }, BOUND);
    if (authzid.includes("\0")) {
      const error = await outcome(Promise.resolve().then(make));
      expect(SaslError.isInstance(error) && error.code).toBe("unrepresentable");
      return;
    }
    const result = await outcome(runExchange(make(), createServerMechanism("EXTERNAL", verifiers, BOUND)));
    if (authzid === "user") expect(result).toEqual({ mechanism: "EXTERNAL", username: "user" });
    else if (allowed) expect(result).toEqual({ mechanism: "EXTERNAL", username: "user", authzid });
    else expect(SaslError.isInstance(result) && result.code).toBe("not-authorized");
  });
});

describe("arbitrary bytes into any server step give a result or a SaslError, nothing else", () => {
  let verifiers: ServerVerifiers;
  /** Each mechanism's client messages of a successful exchange, to mutate. */
  const valid = new Map<string, Uint8Array[]>();

  beforeAll(async () => {
    const sha1 = await deriveScramCredentials("pencil", { hash: "SHA-1" });
    const sha256 = await deriveScramCredentials("pencil", { hash: "SHA-256" });
    verifiers = {
      verifyPassword: async (u, p) => u === "user" && p.equals("pencil"),
      lookupPassword: async (u) => (u === "user" ? new Secret("pencil") : undefined),
      lookupScramCredentials: async (u, hash) => (u === "user" ? (hash === "SHA-1" ? sha1 : sha256) : undefined),
      verifyToken: async (u, t) => u === "user" && t.equals("token"),
      verifyExternal: async () => ({ username: "user" }),
      authorize: async () => true,
    };
    for (const name of SUPPORTED_MECHANISMS) {
      // A client with binding data would say "y" to a plain SCRAM, which this binding server refuses.
      const clientChannel = name.startsWith("SCRAM") && !name.endsWith("-PLUS") ? TLS : BOUND;
      const client = createClientMechanism(name, { username: "user", password: "pencil", token: "token", external: true }, clientChannel, {
        nonce: () => "clientnonce",
      });
      const transcript: Transcript[] = [];
      await runExchange(client, createServerMechanism(name, verifiers, BOUND, { nonce: () => "servernonce" }), {}, transcript);
      valid.set(
        name,
        transcript.filter((t) => t.from === "C").map((t) => t.data),
      );
    }
  });

  type Mutation = { readonly at: number; readonly op: "flip" | "delete" | "insert" | "truncate"; readonly byte: number };
  const mutation = fc.record({ at: fc.nat(), op: fc.constantFrom("flip", "delete", "insert", "truncate"), byte: fc.constantFrom(0, 1, 0x2c, 0x3d, 0x20, 0xff, 0x41) }) as fc.Arbitrary<Mutation>;

  function mutate(message: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
    let out = Array.from(message);
    for (const m of mutations) {
      const at = m.at % (out.length + 1);
      if (m.op === "flip" && at < out.length) out[at] = (out[at] as number) ^ m.byte;
      if (m.op === "delete") out.splice(at, 1);
      if (m.op === "insert") out.splice(at, 0, m.byte);
      if (m.op === "truncate") out = out.slice(0, at);
    }
    return new Uint8Array(out);
  }

  /** One response: the valid message of this step, a mutation of it, or random bytes. */
  const response = fc.oneof(
    { weight: 2, arbitrary: fc.constant<"valid">("valid") },
    { weight: 4, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 4 }) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 300 }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

  test.prop([fc.constantFrom(...SUPPORTED_MECHANISMS), fc.array(response, { minLength: 1, maxLength: 5 })], { numRuns: 1500 })(
    "every mechanism, every step",
    async (name, plan) => {
      const server = createServerMechanism(name, verifiers, BOUND, { nonce: () => "servernonce" });
      const messages = valid.get(name) ?? [];
      for (const [i, item] of plan.entries()) {
        const base = messages[i] ?? new Uint8Array(0);
        const bytes = item === "valid" ? base : Array.isArray(item) ? mutate(base, item) : item;
        try {
          const step = await server.next(bytes);
          if (step.done) return;
        } catch (error) {
          expect(SaslError.isInstance(error), String(error)).toBe(true);
          return;
        }
      }
    },
  );
});

describe("secrets never appear in errors, mechanisms or results", () => {
  const printed = (value: unknown): string => {
    const parts = [inspect(value, { depth: 8, showHidden: true, getters: true }), JSON.stringify(value) ?? ""];
    if (value instanceof Error) parts.push(String(value), value.message, value.stack ?? "");
    return parts.join("\n");
  };

  for (const [mechanism, c] of Object.entries(CASES)) {
    test.prop([distinctSecret(), distinctSecret()], { numRuns: mechanism.startsWith("SCRAM") ? 10 : 40 })(
      `${mechanism}: right and wrong ${c.kind}`,
      async (secret, wrong) => {
        const verifiers = await verifiersFor(mechanism, "user", secret);
        const seen: unknown[] = [];
        for (const attempt of [secret, wrong]) {
          const client: ClientMechanism = createClientMechanism(mechanism, credentials(c.kind, "user", attempt), c.channel);
          const server = createServerMechanism(mechanism, verifiers, c.channel);
          seen.push(client, server, await outcome(runExchange(client, server)), client.failure);
        }
        for (const value of seen) {
          const text = printed(value);
          expect(text).not.toContain(secret);
          expect(text).not.toContain(wrong);
        }
      },
    );
  }
});
