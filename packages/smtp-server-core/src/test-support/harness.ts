/**
 * Test helpers: servers on 127.0.0.1 port 0 closed after each test, a raw line client with
 * bounded waits, and a hooks set that stores what onData received.
 */
import { readFileSync } from "node:fs";
import { type Socket, connect } from "node:net";
import type { Readable } from "node:stream";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";
import { createServer } from "../server.js";
import type { Envelope, Hooks, ServerOptions, Session, SmtpServer } from "../types.js";

const fixtures = fileURLToPath(new URL("../../test/fixtures/", import.meta.url));
export const fixture = (name: string): Buffer => readFileSync(fixtures + name);
export const TLS = { key: fixture("server.key"), cert: fixture("server.crt") };
export const CA = fixture("ca.crt");

const open: SmtpServer[] = [];
afterEach(async () => {
  const list = open.splice(0);
  await Promise.all(list.map((s) => s.close({ deadline: 200 })));
});

/** A server on an ephemeral port of 127.0.0.1, closed after the test. */
export async function serve(options: ServerOptions = {}, hooks: Hooks = {}): Promise<{ server: SmtpServer; port: number; ports: number[] }> {
  const server = createServer({ hostname: "mx.test", listen: [{ host: "127.0.0.1", port: 0 }], ...options }, hooks);
  open.push(server);
  const addrs = await server.listen();
  return { server, port: (addrs[0] as { port: number }).port, ports: addrs.map((a) => a.port) };
}

export interface Stored {
  readonly bytes: Buffer;
  readonly envelope: Envelope;
  readonly session: Session;
}

/**
 * Hooks that accept every recipient (unless `recipientPolicy` is false: then the server's default,
 * authenticated sessions only) and keep each message's bytes.
 */
export function sink(extra: Hooks = {}, recipientPolicy = true): { hooks: Hooks; messages: Stored[] } {
  const messages: Stored[] = [];
  const hooks: Hooks = {
    ...(recipientPolicy ? { onRcptTo() {} } : {}),
    async onData(message: Readable, session: Session) {
      const parts: Buffer[] = [];
      for await (const part of message) parts.push(part as Buffer);
      messages.push({ bytes: Buffer.concat(parts), envelope: session.envelope as Envelope, session });
    },
    ...extra,
  };
  return { hooks, messages };
}

const WAIT = 5000;

/** A line-level SMTP client that reads whole replies, for scripted transcripts. */
export class Raw {
  socket: Socket | TLSSocket;
  #buf = "";
  #closed = false;
  #waiter: (() => void) | undefined;

  private constructor(socket: Socket | TLSSocket) {
    this.socket = socket;
    this.#listen(socket);
  }

  #listen(socket: Socket | TLSSocket): void {
    socket.on("data", (d: Buffer) => {
      this.#buf += d.toString("latin1");
      this.#waiter?.();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#waiter?.();
    });
    socket.on("error", () => {});
  }

  static async connect(port: number, opts: { tls?: boolean; servername?: string; cert?: boolean } = {}): Promise<Raw> {
    const socket = opts.tls === true ? tlsConnect(tlsOptions(port, opts)) : connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.tls === true ? "secureConnect" : "connect", () => resolve());
      socket.once("error", reject);
    });
    return new Raw(socket);
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(data: string | Uint8Array): void {
    this.socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data);
  }

  /** Wait until `pred` holds on the buffered text, or fail after `timeout` ms. */
  async #wait(pred: () => boolean, what: string, timeout = WAIT): Promise<void> {
    const deadline = Date.now() + timeout;
    while (!pred()) {
      if (this.#closed) throw new Error(`connection closed while waiting for ${what}; buffered: ${JSON.stringify(this.#buf)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; buffered: ${JSON.stringify(this.#buf)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
  }

  /** The next complete reply, all its lines, CRLFs included. */
  async reply(timeout = WAIT): Promise<string> {
    let end = -1;
    await this.#wait(
      () => {
        end = replyEnd(this.#buf);
        return end !== -1;
      },
      "a reply",
      timeout,
    );
    const r = this.#buf.slice(0, end);
    this.#buf = this.#buf.slice(end);
    return r;
  }

  /** `n` replies; each is returned as its last line's text (code, enhanced code and text). */
  async replies(n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(lastLine(await this.reply()));
    return out;
  }

  /** Send a command line and return the last line of its reply. */
  async cmd(line: string): Promise<string> {
    this.send(`${line}\r\n`);
    return lastLine(await this.reply());
  }

  /** Wait for the server to close the connection; returns what it sent that was not read yet. */
  async waitClosed(timeout = WAIT): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      if (this.#closed) return resolve();
      const t = setTimeout(() => reject(new Error(`connection not closed; buffered: ${JSON.stringify(this.#buf)}`)), timeout);
      this.socket.once("close", () => {
        clearTimeout(t);
        resolve();
      });
    });
    const rest = this.#buf;
    this.#buf = "";
    return rest;
  }

  /** Switch to TLS over the same connection (after the server's 220 to STARTTLS). */
  async startTls(port: number, opts: { servername?: string; cert?: boolean } = {}): Promise<void> {
    const raw = this.socket as Socket;
    raw.removeAllListeners("data");
    raw.removeAllListeners("close");
    const secure = tlsConnect({ ...tlsOptions(port, opts), socket: raw });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", () => resolve());
      secure.once("error", reject);
    });
    this.socket = secure;
    this.#listen(secure);
  }

  /** The unread buffered text (for checks that nothing more was sent). */
  get buffered(): string {
    return this.#buf;
  }

  end(): void {
    this.socket.destroy();
  }
}

function tlsOptions(port: number, opts: { servername?: string; cert?: boolean }) {
  return {
    host: "127.0.0.1",
    port,
    ca: CA,
    servername: opts.servername ?? "localhost",
    ...(opts.cert === true ? { key: fixture("client.key"), cert: fixture("client.crt") } : {}),
  };
}

/** Index just after the last line of the first complete reply in `buf`, or -1. */
function replyEnd(buf: string): number {
  let start = 0;
  for (;;) {
    const nl = buf.indexOf("\r\n", start);
    if (nl === -1) return -1;
    if (buf.charAt(start + 3) !== "-") return nl + 2;
    start = nl + 2;
  }
}

export function lastLine(reply: string): string {
  const lines = reply.split("\r\n").filter((l) => l !== "");
  return lines[lines.length - 1] ?? "";
}

/** Connect and read the greeting. */
export async function session(port: number, ehlo: string | false = "EHLO client.test"): Promise<Raw> {
  const c = await Raw.connect(port);
  await c.reply();
  if (ehlo !== false) await c.cmd(ehlo);
  return c;
}

/** Wait until `pred()` or fail after `timeout` ms. */
export async function until(pred: () => boolean, what: string, timeout = WAIT): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
