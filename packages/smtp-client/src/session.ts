/** Opening a session: socket, greeting, EHLO/HELO/LHLO, STARTTLS, AUTH. */
import { connect as netConnect } from "node:net";
import type { Duplex } from "node:stream";
import { type Capabilities, formatCommand, parseCapabilities, type Reply } from "@smtpkit/smtp-codec";
import { checkHeloName } from "./addresses.js";
import { authenticate, checkAuthOptions } from "./auth.js";
import { rejected, SmtpClientError } from "./errors.js";
import { upgrade } from "./starttls.js";
import { resolveTimeouts } from "./timeouts.js";
import type { ConnectOptions, Timeouts } from "./types.js";
import { Wire } from "./wire.js";

/** What `open` hands to a Connection. */
export interface OpenSession {
  readonly wire: Wire;
  readonly capabilities: Capabilities;
  readonly secure: boolean;
  readonly authenticated?: string;
  readonly timeouts: Timeouts;
  readonly host: string;
}

/**
 * The capabilities of a server that answered HELO: nothing beyond RFC 5321. Only the first line is
 * read, so nothing a HELO reply says after it can pose as an extension.
 */
export function heloCapabilities(reply: Reply): Capabilities {
  return parseCapabilities({ code: 250, lines: [reply.lines[0] ?? ""] });
}

function rawSocket(o: ConnectOptions, host: string, port: number, timeout: number, signal: AbortSignal): Promise<Duplex> {
  return new Promise<Duplex>((resolve, reject) => {
    const timer = setTimeout(() => {
      ac.abort();
      reject(new SmtpClientError("timeout", "connect", `could not connect in ${timeout} ms`));
    }, timeout);
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    };
    const fail = (e: unknown) => {
      done();
      if (SmtpClientError.isInstance(e)) return reject(e);
      if (signal.aborted) return reject(new SmtpClientError("aborted", "connect", "aborted", { cause: e }));
      const msg = e instanceof Error ? e.message : "socket factory failed";
      reject(new SmtpClientError("connect-failed", "connect", `cannot connect to ${host}:${port}: ${msg}`, { cause: e }));
    };
    if (o.socket !== undefined) {
      Promise.resolve()
        .then(() => o.socket?.({ host, port, signal: ac.signal }) as Duplex | Promise<Duplex>)
        .then((s) => {
          done();
          resolve(s);
        }, fail);
      return;
    }
    const s = netConnect({
      host,
      port,
      signal: ac.signal,
      ...(o.localAddress === undefined ? {} : { localAddress: o.localAddress }),
    });
    s.setNoDelay(true);
    s.once("error", fail);
    s.once("connect", () => {
      s.off("error", fail);
      done();
      resolve(s);
    });
  });
}

async function hello(wire: Wire, name: string, lmtp: boolean, t: Timeouts): Promise<Capabilities> {
  const verb = lmtp ? "LHLO" : "EHLO";
  let p = wire.expect("ehlo", t.command);
  await wire.write(formatCommand({ verb, domain: name }), "ehlo", t.command);
  let reply = await p;
  if (reply.code === 250) return parseCapabilities(reply);
  // RFC 5321 §3.2: a server that does not know EHLO answers 500/502; HELO then. LMTP has no HELO.
  if (!lmtp && (reply.code === 500 || reply.code === 502)) {
    p = wire.expect("ehlo", t.command);
    await wire.write(formatCommand({ verb: "HELO", domain: name }), "ehlo", t.command);
    reply = await p;
    if (reply.code === 250) return heloCapabilities(reply);
  }
  throw rejected("ehlo", reply, `${verb} refused`);
}

/** Connect, read the greeting, say hello, secure and authenticate as `o` says. */
export async function open(o: ConnectOptions): Promise<OpenSession> {
  const t = resolveTimeouts(o.timeouts);
  const host = o.host ?? "localhost";
  const mode = o.tls ?? "opportunistic";
  const name = o.name ?? "localhost";
  const lmtp = o.lmtp ?? false;
  // Everything the caller gave is checked before a byte is written.
  checkHeloName(name);
  if (o.auth !== undefined) checkAuthOptions(o.auth);
  if (mode === "implicit" && lmtp) throw new RangeError("LMTP over implicit TLS is not supported");
  const port = o.port ?? (mode === "implicit" ? 465 : 25);
  const signal = o.signal ?? new AbortController().signal;
  if (signal.aborted) throw new SmtpClientError("aborted", "connect", "aborted");

  let socket = await rawSocket(o, host, port, t.connect, signal);
  let secure = false;
  if (mode === "implicit") {
    socket = await upgrade(socket, host, o.tlsOptions, t.connect);
    secure = true;
  }
  const wireOptions = {
    signal,
    ...(o.maxReplyLineLength === undefined ? {} : { maxReplyLineLength: o.maxReplyLineLength }),
  };
  let wire = new Wire(socket, wireOptions);
  try {
    const greeting = await wire.expect("greeting", t.greeting);
    if (greeting.code !== 220) throw rejected("greeting", greeting, "the server refused the session");
    let caps = await hello(wire, name, lmtp, t);
    if (!secure && (mode === "required" || mode === "opportunistic")) {
      if (!caps.startTls) {
        if (mode === "required") {
          throw new SmtpClientError("tls-unavailable", "tls", "STARTTLS is required but the server does not offer it", {
            temporary: true,
          });
        }
      } else {
        const p = wire.expect("tls", t.command, true);
        await wire.write(formatCommand({ verb: "STARTTLS" }), "tls", t.command);
        const reply = await p;
        if (reply.code !== 220) {
          // 454 and friends: never carry on in plaintext once we asked for TLS.
          const e = rejected("tls", reply, "STARTTLS refused");
          throw new SmtpClientError("tls-unavailable", "tls", e.message, { reply });
        }
        const rest = wire.detach();
        if (rest.length > 0) {
          // RFC 3207 §5 / CVE-2011-0411: bytes before the handshake are an injection attempt.
          throw new SmtpClientError("tls-injection", "tls", `${rest.length} octets after the 220 to STARTTLS`, {
            temporary: true,
          });
        }
        socket = await upgrade(socket, host, o.tlsOptions, t.command);
        secure = true;
        wire = new Wire(socket, wireOptions);
        // Capabilities only from the EHLO on the protected channel.
        caps = await hello(wire, name, lmtp, t);
      }
    }
    let authenticated: string | undefined;
    if (o.auth !== undefined) {
      authenticated = await authenticate(
        { wire, offered: caps.auth, encrypted: secure, timeout: t.command },
        o.auth,
      );
    }
    // Never the credentials: only which mechanism was used.
    o.logger?.info({ host, port, secure, lmtp, auth: authenticated ?? null }, "smtp-client session open");
    return {
      wire,
      capabilities: caps,
      secure,
      timeouts: t,
      host,
      ...(authenticated === undefined ? {} : { authenticated }),
    };
  } catch (e) {
    const err = SmtpClientError.isInstance(e)
      ? e
      : new SmtpClientError("connection-lost", "connect", e instanceof Error ? e.message : "failure", { cause: e });
    wire.fail(err);
    socket.destroy();
    o.logger?.warn({ host, port, code: err.code, phase: err.phase }, err.message);
    throw err;
  }
}
