/**
 * The servers `docs/conformance.md` compares, each started on 127.0.0.1 in one documented
 * configuration (its `description`, printed in the document) and stopped again:
 *
 * - smtp-server-core: default options plus what any deployment has (a hostname, STARTTLS with a
 *   certificate, local recipients only, an onData that takes the message) — in this process;
 * - Postfix `smtp-sink`: default flags (it has no TLS) — its own process;
 * - Python aiosmtpd, the Sink handler, STARTTLS with the test certificate — its own process;
 * - Nodemailer smtp-server: STARTTLS, no reverse DNS, AUTH optional — in this process.
 *
 * Every peer uses the same test certificate (test/fixtures/server.{crt,key}); the path is the same
 * from src/doc and dist/doc.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { createServer, SmtpReplyError } from "@smtpkit/smtp-server-core";
import { SMTPServer } from "smtp-server";
import { HOST, spawnListening, STOP_TIMEOUT_MS, START_TIMEOUT_MS, within } from "./child.js";

/** A running peer. */
export interface Peer {
  /** The column heading in the document. */
  readonly name: string;
  /** One line: version and configuration. */
  readonly description: string;
  readonly host: string;
  readonly port: number;
  /** The server's own process; undefined when it runs inside this one. */
  readonly pid: number | undefined;
  /** Stops it and resolves once it is gone (bounded). */
  stop(): Promise<void>;
}

/** A peer that can be started. */
export interface PeerSpec {
  readonly name: string;
  /** A recipient this peer accepts, for `--rcpt`. */
  readonly rcpt: string;
  /**
   * Where checks that must complete a message deliver it (`--deliver`): a mailbox the peer accepts. Safe
   * here, since every peer discards what it receives, and it gives those checks a verdict instead of n/a.
   */
  readonly deliver: string;
  /** Why it cannot run on this machine; undefined when it can. */
  missing(): string | undefined;
  start(): Promise<Peer>;
}

const PACKAGE_ROOT = new URL("../../", import.meta.url);
const FIXTURES = new URL("test/fixtures/", PACKAGE_ROOT);
export const CERT_FILE = fileURLToPath(new URL("server.crt", FIXTURES));
export const KEY_FILE = fileURLToPath(new URL("server.key", FIXTURES));
/** The CA that issued the test certificate (for "localhost"): the probe trusts it, so the TLS rows show the server, not our fixture. */
export const CA_FILE = fileURLToPath(new URL("ca.crt", FIXTURES));
export const CERT_NAME = "localhost";

export const SMTP_SINK = "/usr/sbin/smtp-sink";
/** The system Python, whose aiosmtpd is Debian's python3-aiosmtpd (not whatever python3 is first on PATH). */
export const PYTHON = "/usr/bin/python3";

/** The hostname in the greeting of the peers that let us choose it: no machine name in the document. */
export const PEER_HOSTNAME = "mx.test";

function packageVersion(name: string): string {
  const file = new URL(`node_modules/${name}/package.json`, PACKAGE_ROOT);
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

function run(file: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync(file, args, { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

/** `postconf -d` reads no main.cf; dpkg-query is the fallback where postconf is absent or unhappy. */
function postfixVersion(): string {
  const postconf = run("/usr/sbin/postconf", ["-d", "mail_version"]);
  const m = postconf === undefined ? null : /^mail_version\s*=\s*(\S+)/.exec(postconf);
  if (m?.[1] !== undefined) return m[1];
  // "postfix\t3.7.11-0+deb12u1": the upstream version is what postconf would have said.
  const dpkg = run("dpkg-query", ["-W", "postfix"])?.split(/\s+/)[1]?.replace(/-[^-]*$/, "");
  return dpkg !== undefined && dpkg !== "" ? dpkg : "(version unknown)";
}

function aiosmtpdVersion(): string | undefined {
  if (!existsSync(PYTHON)) return undefined;
  return run(PYTHON, ["-c", "import aiosmtpd; print(aiosmtpd.__version__)"]);
}

const tlsFiles = (): { key: Buffer; cert: Buffer } => ({ key: readFileSync(KEY_FILE), cert: readFileSync(CERT_FILE) });

const smtpServerCore: PeerSpec = {
  name: "smtp-server-core",
  rcpt: "postmaster",
  deliver: `postmaster@${PEER_HOSTNAME}`,
  missing: () => undefined,
  async start() {
    const server = createServer(
      { hostname: PEER_HOSTNAME, listen: [{ host: HOST, port: 0 }], tls: tlsFiles() },
      {
        // One account, as a server that takes submissions has: AUTH is then offered (after TLS only).
        onAuth: {
          async verifyPassword(username, password) {
            return username === "alice" && password.reveal() === "a long test password";
          },
        },
        // Local recipients only, as any deployment has: anything else is relaying, refused.
        onRcptTo(to) {
          const local = "postmaster" in to || to.domain.toLowerCase() === PEER_HOSTNAME;
          if (!local) throw new SmtpReplyError({ code: 554, enhanced: { cls: 5, subject: 7, detail: 1 }, lines: ["relay access denied"] });
        },
        async onData(message: Readable) {
          for await (const _ of message) {
            // drained and dropped: the document needs the server's behaviour, not the messages
          }
        },
      },
    );
    const addrs = await within(server.listen(), START_TIMEOUT_MS, "smtp-server-core listen");
    const port = (addrs[0] as AddressInfo).port;
    return {
      name: this.name,
      description:
        `@smtpkit/smtp-server-core ${packageVersion("@smtpkit/smtp-server-core")}: default options, hostname ${PEER_HOSTNAME}, ` +
        `STARTTLS with the test certificate, one AUTH account, accepts \`postmaster\` and \`*@${PEER_HOSTNAME}\` only (554 5.7.1 otherwise), onData drains the message`,
      host: HOST,
      port,
      pid: undefined,
      stop: () => within(server.close({ deadline: 1_000 }), STOP_TIMEOUT_MS, "smtp-server-core close"),
    };
  },
};

const smtpSink: PeerSpec = {
  name: "Postfix smtp-sink",
  rcpt: "postmaster",
  deliver: `postmaster@${PEER_HOSTNAME}`,
  missing: () => (existsSync(SMTP_SINK) ? undefined : `${SMTP_SINK} is missing (Debian package postfix)`),
  async start() {
    // As root, smtp-sink refuses to run without dropping to a user (-u) after it binds.
    const asRoot = process.getuid?.() === 0 ? ["-u", "nobody"] : [];
    const child = await spawnListening("smtp-sink", (port) => [SMTP_SINK, ...asRoot, `${HOST}:${port}`, "64"], /^220 smtp-sink /);
    return {
      name: this.name,
      description:
        `Postfix ${postfixVersion()} \`smtp-sink 127.0.0.1:<port> 64\` (as \`nobody\` when started by root): default flags, ` +
        "no TLS (smtp-sink has none), accepts every recipient and discards the message",
      host: HOST,
      port: child.port,
      pid: child.pid,
      stop: child.stop,
    };
  },
};

const aiosmtpd: PeerSpec = {
  name: "aiosmtpd",
  rcpt: "postmaster",
  deliver: `postmaster@${PEER_HOSTNAME}`,
  missing: () =>
    aiosmtpdVersion() === undefined ? `${PYTHON} cannot import aiosmtpd (Debian package python3-aiosmtpd)` : undefined,
  async start() {
    const version = aiosmtpdVersion() ?? "(version unknown)";
    // -n: stay the user that started it (the setuid to nobody works only for root); Sink: accept and
    // drop, nothing on stdout.
    // --no-requiretls: an MX must not require STARTTLS before accepting local mail (RFC 3207 §4),
    // and the other peers do not either.
    const argv = (port: number): string[] => [
      PYTHON,
      "-m",
      "aiosmtpd",
      "-n",
      "-c",
      "aiosmtpd.handlers.Sink",
      "-l",
      `${HOST}:${port}`,
      "--tlscert",
      CERT_FILE,
      "--tlskey",
      KEY_FILE,
      "--no-requiretls",
    ];
    const child = await spawnListening("aiosmtpd", argv, /^220 .*Python SMTP/);
    return {
      name: this.name,
      description:
        `aiosmtpd ${version} \`python3 -m aiosmtpd -n -c aiosmtpd.handlers.Sink --tlscert … --tlskey … --no-requiretls\`: ` +
        "STARTTLS with the test certificate, STARTTLS not required, the Sink handler accepts every recipient (its default behaviour) and discards the message",
      host: HOST,
      port: child.port,
      pid: child.pid,
      stop: child.stop,
    };
  },
};

const nodemailer: PeerSpec = {
  name: "Nodemailer smtp-server",
  rcpt: "postmaster",
  deliver: `postmaster@${PEER_HOSTNAME}`,
  missing: () => undefined,
  async start() {
    const server = new SMTPServer({
      name: PEER_HOSTNAME,
      // Else every connection sends a reverse DNS query off the machine.
      disableReverseLookup: true,
      ...tlsFiles(),
      // Else MAIL needs AUTH first and no transaction could be probed.
      authOptional: true,
      logger: false,
      onData(stream, _session, callback) {
        stream.on("end", () => callback());
        stream.resume();
      },
    });
    // A socket error in a session must not take the generator down; the probe sees its effect.
    server.on("error", () => undefined);
    await within(
      new Promise<void>((resolve, reject) => {
        server.server.once("error", reject);
        server.listen(0, HOST, () => resolve());
      }),
      START_TIMEOUT_MS,
      "smtp-server listen",
    );
    const port = (server.server.address() as AddressInfo).port;
    return {
      name: this.name,
      description:
        `Nodemailer smtp-server ${packageVersion("smtp-server")}: \`disableReverseLookup\`, \`authOptional\`, name ${PEER_HOSTNAME}, ` +
        "STARTTLS with the test certificate, onData drains the message, other options default (accepts every recipient)",
      host: HOST,
      port,
      pid: undefined,
      stop: () => within(new Promise<void>((resolve) => server.close(() => resolve())), STOP_TIMEOUT_MS, "smtp-server close"),
    };
  },
};

/** The peers, in the document's column order. */
export const PEERS: readonly PeerSpec[] = Object.freeze([smtpServerCore, smtpSink, aiosmtpd, nodemailer]);
