/**
 * A small, deliberately programmable SMTP server for tests only: correct enough by default that every
 * check passes (or is n/a) against it, and bent per test through `override` and the fault switches to
 * show that each check catches its weakness. Not a model of anything: smtp-server-core is the real one.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { TLSSocket } from "node:tls";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

const fixtures = fileURLToPath(new URL("../../test/fixtures/", import.meta.url));
export const TLS_FILES = {
  key: readFileSync(`${fixtures}server.key`),
  cert: readFileSync(`${fixtures}server.crt`),
};
export const CA = readFileSync(`${fixtures}ca.crt`);

export interface ToyState {
  helo: boolean;
  mail: boolean;
  rcpts: number;
  tls: boolean;
  /** Completed messages (what the probe must not cause without --deliver). */
  readonly messages: Buffer[];
  /** Write raw text to the client. */
  write(text: string): void;
  close(): void;
}

export interface ToyOptions {
  /** Greeting line(s) without CRLF. Default "220 toy.test ESMTP". */
  readonly greeting?: string;
  /** EHLO keywords after the first line. Default: PIPELINING, SIZE 1000000, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, DSN, CHUNKING, (STARTTLS). */
  readonly capabilities?: readonly string[];
  /** Offer and do STARTTLS with the test certificate. Default true. */
  readonly starttls?: boolean;
  /**
   * Called for every command line (without CRLF) before the default handling. Return a reply text
   * (CRLF added per line) to answer with it, `null` to answer nothing, or undefined for the default.
   */
  readonly override?: (line: string, state: ToyState) => string | string[] | null | undefined;
  /** Sequences that end DATA. Default only "\r\n.\r\n" (a smuggling fault adds e.g. "\n.\n"). */
  readonly dataEnds?: readonly string[];
  /** Keep bytes that arrived in clear after STARTTLS and run them inside TLS (CVE-2011-0411). */
  readonly starttlsKeepsBuffer?: boolean;
  /** Split command lines on LF alone too (default: only CRLF ends a command; a bare LF is 500). */
  readonly bareLfCommands?: boolean;
  /** Accept recipients in every domain (default: toy.test and postmaster only). */
  readonly openRelay?: boolean;
  /** The reply at the end of DATA (default "250 2.0.0 message stored"); a reply that is not 2xx stores nothing. */
  readonly dataReply?: string;
  /**
   * A command line over 1000 octets: "reject" (default) answers 500; "accept" runs it (override sees
   * it); "split" runs it as several commands of 512 octets each (the line-length fault); "close" drops
   * the connection without a reply.
   */
  readonly longLines?: "reject" | "accept" | "split" | "close";
  /**
   * Act on an unterminated command line as soon as it arrives (the PIPELINING "early reply" fault):
   * whatever sits in the buffer without a line end is run as a command at once.
   */
  readonly replyOnPartial?: boolean;
}

const servers: Server[] = [];
afterEach(async () => {
  const list = servers.splice(0);
  await Promise.all(list.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** Start a toy server on 127.0.0.1:0; closed after the test. */
export async function toyServer(options: ToyOptions = {}): Promise<{ port: number; messages: Buffer[] }> {
  const messages: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serveOne(socket, options, messages);
  });
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  }) as typeof server.close;
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as { port: number }).port, messages };
}

function serveOne(raw: Socket, o: ToyOptions, messages: Buffer[]): void {
  let socket: Socket = raw;
  let buf = Buffer.alloc(0);
  let mode: "cmd" | "data" | "bdat" = "cmd";
  let bdatLeft = 0;
  let bdatLast = false;
  let body: Buffer[] = [];
  const ends = (o.dataEnds ?? ["\r\n.\r\n"]).map((e) => Buffer.from(e, "latin1"));
  const state: ToyState = {
    helo: false,
    mail: false,
    rcpts: 0,
    tls: false,
    messages,
    write: (text) => {
      if (!socket.destroyed) socket.write(text);
    },
    close: () => socket.destroy(),
  };
  const reply = (...lines: string[]): void => state.write(lines.map((l) => `${l}\r\n`).join(""));
  const reset = (): void => {
    state.mail = false;
    state.rcpts = 0;
    body = [];
  };
  const caps = (): string[] => [
    ...(o.capabilities ?? ["PIPELINING", "SIZE 1000000", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "DSN", "CHUNKING"]),
    ...(o.starttls !== false && !state.tls ? ["STARTTLS"] : []),
  ];

  const command = (line: string) => {
    const custom = o.override?.(line, state);
    if (custom === null) return;
    if (custom !== undefined) return reply(...(Array.isArray(custom) ? custom : [custom]));
    const verb = (line.split(" ")[0] ?? "").toUpperCase();
    const arg = line.slice(verb.length).trim();
    switch (verb) {
      case "EHLO": {
        if (arg === "") return reply("501 5.5.4 EHLO needs a domain");
        state.helo = true;
        reset();
        const list = caps();
        return reply(...["toy.test greets you", ...list].map((l, i) => `250${i === list.length ? " " : "-"}${l}`));
      }
      case "HELO":
        if (arg === "") return reply("501 5.5.4 HELO needs a domain");
        state.helo = true;
        reset();
        return reply("250 toy.test");
      case "MAIL": {
        if (!state.helo) return reply("503 5.5.1 EHLO first");
        if (state.mail) return reply("503 5.5.1 nested MAIL");
        const m = /^FROM:<([^<>]*)>((?: [A-Za-z0-9-]+(?:=\S+)?)*)$/i.exec(arg);
        if (m === null) return reply("501 5.5.4 syntax: MAIL FROM:<address>");
        const size = /\bSIZE=(\d+)/i.exec(m[2] ?? "");
        if (size !== null && Number(size[1]) > 1_000_000) return reply("552 5.3.4 message too big");
        if (/\bREQUIRETLS\b/i.test(m[2] ?? "") && !state.tls) return reply("530 5.7.10 REQUIRETLS needs TLS");
        state.mail = true;
        return reply("250 2.1.0 ok");
      }
      case "RCPT": {
        if (!state.mail) return reply("503 5.5.1 MAIL first");
        const m = /^TO:<([^<>]*)>(?: .*)?$/i.exec(arg);
        if (m === null) return reply("501 5.5.4 syntax: RCPT TO:<address>");
        const to = (m[1] ?? "").toLowerCase();
        if (!o.openRelay && to !== "postmaster" && !to.endsWith("@toy.test")) return reply("554 5.7.1 relay denied");
        state.rcpts++;
        return reply("250 2.1.5 ok");
      }
      case "DATA":
        if (arg !== "") return reply("501 5.5.4 DATA takes no argument");
        if (state.rcpts === 0) return reply("503 5.5.1 RCPT first");
        mode = "data";
        return reply("354 go ahead");
      case "BDAT": {
        const m = /^(\d+)( LAST)?$/i.exec(arg);
        if (m === null) return reply("501 5.5.4 syntax: BDAT size [LAST]");
        if (state.rcpts === 0) return reply("503 5.5.1 RCPT first");
        bdatLeft = Number(m[1]);
        bdatLast = m[2] !== undefined;
        mode = "bdat";
        return;
      }
      case "RSET":
        reset();
        return reply("250 2.0.0 ok");
      case "NOOP":
        return reply("250 2.0.0 ok");
      case "VRFY":
        return reply("252 2.1.5 cannot verify, but will accept");
      case "EXPN":
        return reply("502 5.5.1 EXPN not available");
      case "QUIT":
        reply("221 2.0.0 bye");
        return void socket.end();
      case "STARTTLS": {
        if (o.starttls === false || state.tls) return reply("502 5.5.1 not available");
        reply("220 2.0.0 go ahead");
        const keep = o.starttlsKeepsBuffer === true ? buf : Buffer.alloc(0);
        buf = Buffer.alloc(0);
        socket.removeAllListeners("data");
        const secure = new TLSSocket(socket, { isServer: true, ...TLS_FILES });
        socket = secure;
        state.tls = true;
        state.helo = false;
        reset();
        secure.on("data", onData);
        secure.on("error", () => secure.destroy());
        if (keep.length > 0) secure.once("secure", () => onData(keep));
        return;
      }
      default:
        return reply("500 5.5.2 unknown command");
    }
  };

  const onData = (chunk: Buffer): void => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (mode === "bdat") {
        const take = Math.min(bdatLeft, buf.length);
        body.push(buf.subarray(0, take));
        buf = buf.subarray(take);
        bdatLeft -= take;
        if (bdatLeft > 0) return;
        mode = "cmd";
        if (bdatLast) {
          messages.push(Buffer.concat(body));
          reset();
          reply("250 2.0.0 message stored");
        } else {
          reply("250 2.0.0 chunk received");
        }
        continue;
      }
      if (mode === "data") {
        let at = -1;
        let len = 0;
        for (const e of ends) {
          // The first data line may end the message without a leading line end.
          const i = Buffer.concat([Buffer.from("\r\n"), buf]).indexOf(e);
          if (i >= 0 && (at < 0 || i < at)) {
            at = i;
            len = e.length;
          }
        }
        if (at < 0) return;
        const stop = Math.max(0, at - 2 + len);
        const answer = o.dataReply ?? "250 2.0.0 message stored";
        if (answer.startsWith("2")) messages.push(Buffer.from(buf.subarray(0, Math.max(0, at - 2))));
        buf = buf.subarray(stop);
        mode = "cmd";
        reset();
        reply(answer);
        continue;
      }
      const crlf = buf.indexOf("\r\n");
      const lf = buf.indexOf("\n");
      if (lf < 0 && o.replyOnPartial === true && buf.length > 0 && !buf.includes("\r")) {
        const partial = buf.toString("utf8");
        buf = Buffer.alloc(0);
        command(partial);
        return;
      }
      if (lf < 0) return;
      if (crlf < 0 || crlf + 1 !== lf) {
        // A bare LF ends this "line".
        const line = buf.subarray(0, lf).toString("utf8");
        buf = buf.subarray(lf + 1);
        if (o.bareLfCommands === true) command(line);
        else reply("500 5.5.2 bare LF in a command line");
        continue;
      }
      const line = buf.subarray(0, crlf).toString("utf8");
      buf = buf.subarray(crlf + 2);
      if (line.length > 1000 && o.longLines !== "accept") {
        if (o.longLines === "close") return void socket.destroy();
        if (o.longLines === "split") {
          // Bounded: a line is at most what one buffer holds, cut into 512-octet commands.
          for (let at = 0; at < line.length; at += 512) command(line.slice(at, at + 512));
          continue;
        }
        reply("500 5.5.6 line too long");
        continue;
      }
      command(line);
    }
  };

  socket.on("data", onData);
  socket.on("error", () => socket.destroy());
  reply(o.greeting ?? "220 toy.test ESMTP");
}
