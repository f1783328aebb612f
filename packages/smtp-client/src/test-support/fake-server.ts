/**
 * An in-memory scripted SMTP server over a Duplex pair, for transcript tests: it records every
 * client write (to check what went out in one write) and every byte, and answers by a small
 * rule set that each test can override line by line.
 */
import { Duplex } from "node:stream";
import { TLSSocket } from "node:tls";
import type { SocketFactory } from "../types.js";

export function duplexPair(): [Duplex, Duplex] {
  let a: Duplex | undefined;
  let b: Duplex | undefined;
  const make = (peer: () => Duplex | undefined) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        peer()?.push(chunk);
        cb();
      },
      final(cb) {
        peer()?.push(null);
        cb();
      },
      destroy(err, cb) {
        const p = peer();
        if (p !== undefined && !p.destroyed) p.push(null);
        cb(err);
      },
    });
  a = make(() => b);
  b = make(() => a);
  return [a, b];
}

export interface FakeOptions {
  /** The greeting; default "220 fake.test ESMTP". */
  greeting?: string;
  /** EHLO keywords after the first line. Default PIPELINING, 8BITMIME, SIZE 1000000, ENHANCEDSTATUSCODES. */
  ehlo?: string[];
  /** Answer a command line (without CRLF); return undefined for the default answer. */
  onCommand?: (line: string, server: FakeServer) => string | undefined;
  /**
   * Final reply after DATA's dot or BDAT LAST; a function gets the message's index (from 0) and may
   * return undefined for the default or "" for no reply at all.
   */
  dataReply?: string | ((index: number, server: FakeServer) => string | undefined);
  /** Offer STARTTLS with this key and certificate; `ehlo` then applies after TLS, `ehloBeforeTls` before. */
  tls?: { key: Buffer; cert: Buffer };
  ehloBeforeTls?: string[];
  /** Answer on a later turn of the event loop instead of during the client's write. */
  deferReplies?: boolean;
}

export class FakeServer {
  /** Each write the client made, as it made it. */
  readonly writes: Buffer[] = [];
  /** Command lines received (without CRLF). */
  readonly lines: string[] = [];
  /** Message bodies as received on the wire (DATA: up to and including CRLF.CRLF; BDAT: the chunks). */
  readonly bodies: Buffer[] = [];
  readonly bdatSizes: number[] = [];
  /** Both directions in order: "C: …" for each client write, "S: …" for each server write. */
  readonly transcript: string[] = [];
  socket: Duplex;
  secure = false;
  readonly client: Duplex;
  #buf = Buffer.alloc(0);
  #mode: "cmd" | "data" | { bdat: number; last: boolean } = "cmd";
  #body: Buffer[] = [];
  readonly #o: FakeOptions;

  constructor(o: FakeOptions = {}) {
    this.#o = o;
    const [client, server] = duplexPair();
    this.client = client;
    this.socket = server;
    const write = client.write.bind(client);
    client.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      this.writes.push(Buffer.from(chunk as Uint8Array));
      this.transcript.push(`C: ${Buffer.from(chunk as Uint8Array).toString("latin1")}`);
      return write(chunk, ...rest);
    }) as typeof client.write;
    server.on("data", (d: Buffer) => this.#receive(d));
    server.on("error", () => {});
    client.on("error", () => {});
    queueMicrotask(() => this.send(`${o.greeting ?? "220 fake.test ESMTP"}\r\n`));
  }

  /** A socket factory that hands out this server's client end. */
  get factory(): SocketFactory {
    return () => this.client;
  }

  send(text: string): void {
    const out = () => {
      this.transcript.push(`S: ${text}`);
      if (!this.socket.destroyed) this.socket.write(text);
    };
    if (this.#o.deferReplies === true) setImmediate(out);
    else out();
  }

  get wire(): string {
    return Buffer.concat(this.writes).toString("latin1");
  }

  #receive(d: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, d]);
    for (;;) {
      if (this.#mode === "cmd") {
        const i = this.#buf.indexOf("\r\n");
        if (i === -1) return;
        const line = this.#buf.subarray(0, i).toString("utf8");
        this.#buf = this.#buf.subarray(i + 2);
        this.lines.push(line);
        this.#command(line);
      } else if (this.#mode === "data") {
        const i = this.#buf.indexOf("\r\n.\r\n");
        const start = this.#buf.subarray(0, 3).toString() === ".\r\n";
        if (i === -1 && !start) return;
        const end = start ? 3 : i + 5;
        this.bodies.push(Buffer.from(this.#buf.subarray(0, end)));
        this.#buf = this.#buf.subarray(end);
        this.#mode = "cmd";
        this.#final();
      } else {
        const m = this.#mode;
        if (this.#buf.length < m.bdat) return;
        this.#body.push(Buffer.from(this.#buf.subarray(0, m.bdat)));
        this.#buf = this.#buf.subarray(m.bdat);
        this.#mode = "cmd";
        if (m.last) {
          this.bodies.push(Buffer.concat(this.#body));
          this.#body = [];
          this.#final();
        } else this.send("250 2.0.0 chunk ok\r\n");
      }
    }
  }

  #final(): void {
    const d = this.#o.dataReply;
    const text = typeof d === "function" ? d(this.bodies.length - 1, this) : d;
    if (typeof d === "function" && text === "") return;
    this.send(`${text ?? "250 2.0.0 Ok: queued as FAKE123"}\r\n`);
  }

  #command(line: string): void {
    const custom = this.#o.onCommand?.(line, this);
    if (custom !== undefined) {
      if (custom !== "") this.send(custom);
      const v = line.toUpperCase();
      if (v === "DATA" && custom.startsWith("354")) this.#mode = "data";
      return;
    }
    const verb = (line.split(" ")[0] ?? "").toUpperCase();
    switch (verb) {
      case "STARTTLS": {
        const tls = this.#o.tls;
        if (tls === undefined || this.secure) {
          this.send("502 5.5.2 no\r\n");
          return;
        }
        this.send("220 2.0.0 Ready to start TLS\r\n");
        const raw = this.socket;
        raw.removeAllListeners("data");
        const secure = new TLSSocket(raw, { isServer: true, key: tls.key, cert: tls.cert });
        secure.on("error", () => {});
        secure.on("data", (d: Buffer) => this.#receive(d));
        this.socket = secure;
        this.secure = true;
        this.#buf = Buffer.alloc(0);
        return;
      }
      case "EHLO":
      case "LHLO": {
        const before = this.#o.tls !== undefined && !this.secure;
        const ext = before
          ? (this.#o.ehloBeforeTls ?? ["STARTTLS", "PIPELINING"])
          : (this.#o.ehlo ?? ["PIPELINING", "8BITMIME", "SIZE 1000000", "ENHANCEDSTATUSCODES"]);
        const all = ["fake.test greets you", ...ext];
        this.send(all.map((l, i) => `250${i === all.length - 1 ? " " : "-"}${l}\r\n`).join(""));
        return;
      }
      case "HELO":
        this.send("250 fake.test\r\n");
        return;
      case "MAIL":
        this.send("250 2.1.0 Ok\r\n");
        return;
      case "RCPT":
        this.send(/reject/i.test(line) ? "550 5.1.1 No such user\r\n" : "250 2.1.5 Ok\r\n");
        return;
      case "DATA":
        this.#mode = "data";
        this.send("354 End data with <CR><LF>.<CR><LF>\r\n");
        return;
      case "BDAT": {
        const [, n, last] = line.split(" ");
        this.bdatSizes.push(Number(n));
        this.#mode = { bdat: Number(n), last: last?.toUpperCase() === "LAST" };
        return;
      }
      case "RSET":
      case "NOOP":
        this.send("250 2.0.0 Ok\r\n");
        return;
      case "QUIT":
        this.send("221 2.0.0 Bye\r\n");
        this.socket.end();
        return;
      default:
        this.send("502 5.5.2 Error: command not recognized\r\n");
    }
  }
}
