/** SMTP AUTH (RFC 4954) driven by an @smtpkit/smtp-sasl client mechanism. */
import { decodeBase64, encodeBase64, formatCommand, type Reply } from "@smtpkit/smtp-codec";
import {
  chooseMechanism,
  type ClientCredentials,
  createClientMechanism,
  isPlaintextMechanism,
  SaslError,
  Secret,
} from "@smtpkit/smtp-sasl";
import { hasControl, invalid } from "./addresses.js";
import { rejected, SmtpClientError } from "./errors.js";
import type { AuthOptions } from "./types.js";
import type { Wire } from "./wire.js";

export const DEFAULT_MAX_CHALLENGES = 10;

/** Checked before connecting: identities that would break the AUTH exchange or a log line. */
export function checkAuthOptions(auth: AuthOptions): void {
  for (const [what, v] of [
    ["username", auth.username],
    ["authzid", auth.authzid],
    ["mechanism", auth.mechanism],
  ] as const) {
    if (v !== undefined && hasControl(v)) throw invalid(`AUTH ${what} contains a control character`);
  }
  if (auth.maxChallenges !== undefined && !(Number.isInteger(auth.maxChallenges) && auth.maxChallenges > 0)) {
    throw new RangeError("auth.maxChallenges must be a positive integer");
  }
}

export interface AuthContext {
  readonly wire: Wire;
  readonly offered: readonly string[];
  readonly encrypted: boolean;
  readonly timeout: number;
}

async function credentials(auth: AuthOptions, refresh: boolean): Promise<ClientCredentials> {
  const token = typeof auth.token === "function" ? await auth.token({ refresh }) : auth.token;
  return {
    ...(auth.username === undefined ? {} : { username: auth.username }),
    ...(auth.password === undefined ? {} : { password: Secret.from(auth.password) }),
    ...(token === undefined ? {} : { token: Secret.from(token) }),
    ...(auth.authzid === undefined ? {} : { authzid: auth.authzid }),
  };
}

/** Authenticate; resolves with the mechanism name. Errors never carry the password or token. */
export async function authenticate(ctx: AuthContext, auth: AuthOptions): Promise<string> {
  const refreshable = typeof auth.token === "function";
  let creds = await credentials(auth, false);
  const name = pickMechanism(ctx, auth, creds);
  const first = await exchange(ctx, auth, name, creds);
  if (first === undefined) return name;
  // An OAuth error challenge (RFC 7628 §3.2.2) ends in 535/454: one retry with a fresh token.
  if (refreshable && first.oauth && (name === "XOAUTH2" || name === "OAUTHBEARER")) {
    creds = await credentials(auth, true);
    const second = await exchange(ctx, auth, name, creds);
    if (second === undefined) return name;
    throw second.error;
  }
  throw first.error;
}

function pickMechanism(ctx: AuthContext, auth: AuthOptions, creds: ClientCredentials): string {
  const allowPlaintext = auth.allowPlaintext ?? false;
  if (auth.mechanism !== undefined) {
    const name = auth.mechanism.toUpperCase();
    if (!ctx.offered.includes(name)) {
      throw new SmtpClientError("auth-unavailable", "auth", `the server does not offer AUTH ${name}`, { temporary: false });
    }
    if (!ctx.encrypted && !allowPlaintext && isPlaintextMechanism(name)) {
      throw new SmtpClientError("auth-unavailable", "auth", `refusing ${name} over a cleartext connection`, {
        temporary: false,
      });
    }
    return name;
  }
  let name: string | undefined;
  try {
    name = chooseMechanism(ctx.offered, creds, { encrypted: ctx.encrypted, allowPlaintext });
  } catch (e) {
    throw new SmtpClientError("auth-unavailable", "auth", saslMessage(e), { temporary: false, cause: e });
  }
  if (name === undefined) {
    const why = ctx.encrypted ? "" : " (plaintext mechanisms are refused over a cleartext connection)";
    throw new SmtpClientError(
      "auth-unavailable",
      "auth",
      `no usable AUTH mechanism among [${ctx.offered.join(" ")}]${why}`,
      { temporary: false },
    );
  }
  return name;
}

function saslMessage(e: unknown): string {
  return SaslError.isInstance(e) ? `SASL ${e.code}: ${e.message}` : "SASL failure";
}

interface Failure {
  readonly error: SmtpClientError;
  readonly oauth: boolean;
}

/** One AUTH exchange; undefined on success (235). */
async function exchange(
  ctx: AuthContext,
  auth: AuthOptions,
  name: string,
  creds: ClientCredentials,
): Promise<Failure | undefined> {
  const { wire, timeout } = ctx;
  const max = auth.maxChallenges ?? DEFAULT_MAX_CHALLENGES;
  let mech: ReturnType<typeof createClientMechanism>;
  let initial: Uint8Array | undefined;
  try {
    mech = createClientMechanism(name, creds, { encrypted: ctx.encrypted }, {
      allowPlaintext: auth.allowPlaintext ?? false,
      offered: ctx.offered,
    });
    initial = (await mech.start()).initialResponse;
  } catch (e) {
    throw new SmtpClientError("auth-unavailable", "auth", saslMessage(e), { temporary: false, cause: e });
  }
  // RFC 4954 §4: an initial response must keep the line within 512 octets, else wait for the 334.
  const line =
    initial !== undefined && encodeBase64(initial).length + name.length + 8 <= 510
      ? formatCommand({ verb: "AUTH", mechanism: name, initialResponse: initial })
      : formatCommand({ verb: "AUTH", mechanism: name });
  const pending = wire.expect("auth", timeout);
  await wire.write(line, "auth", timeout);
  let reply: Reply = await pending;
  let challenges = 0;
  while (reply.code === 334) {
    challenges++;
    if (challenges > max) {
      const p = wire.expect("auth", timeout);
      await wire.write("*\r\n", "auth", timeout);
      await p.catch(() => undefined);
      return {
        error: new SmtpClientError("auth-failed", "auth", `AUTH ${name}: more than ${max} challenges`, { temporary: false }),
        oauth: false,
      };
    }
    let response: Uint8Array;
    try {
      const text = reply.lines[0] ?? "";
      response = await mech.next(text === "" ? new Uint8Array(0) : decodeBase64(text));
    } catch (e) {
      const p = wire.expect("auth", timeout);
      await wire.write("*\r\n", "auth", timeout);
      await p.catch(() => undefined);
      return {
        error: new SmtpClientError("auth-failed", "auth", `AUTH ${name}: ${saslMessage(e)}`, { temporary: false, cause: e }),
        oauth: false,
      };
    }
    const p = wire.expect("auth", timeout);
    await wire.write(`${encodeBase64(response)}\r\n`, "auth", timeout);
    reply = await p;
  }
  if (reply.code === 235) {
    try {
      await mech.finish?.();
    } catch (e) {
      // The server could not prove it knows the password (SCRAM): treat the session as hostile.
      wire.fail(new SmtpClientError("auth-failed", "auth", `AUTH ${name}: ${saslMessage(e)}`, { temporary: false }));
      throw new SmtpClientError("auth-failed", "auth", `AUTH ${name}: ${saslMessage(e)}`, { temporary: false, cause: e });
    }
    return undefined;
  }
  const error = rejected("auth", reply, `AUTH ${name} failed`);
  return {
    error: new SmtpClientError("auth-failed", "auth", error.message, { reply }),
    oauth: mech.failure !== undefined || reply.code === 535,
  };
}
