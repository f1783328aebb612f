/**
 * Test-only: the least SMTP client that can run AUTH with one of our client mechanisms against a
 * real server over a socket — greeting, EHLO, AUTH with 334 continuations (RFC 4954 §4), QUIT.
 * Framing comes from @smtpkit/smtp-codec (ReplyReader, formatCommand, base64). Every wait is
 * bounded by a timeout.
 */
import { connect, type Socket } from "node:net";
import { type Capabilities, decodeBase64, encodeBase64, formatCommand, parseCapabilities, type Reply, ReplyReader } from "@smtpkit/smtp-codec";
import type { ClientMechanism } from "../types.js";
import { SocketItems } from "./socket-items.js";

class ReplyStream {
  readonly #socket: Socket;
  readonly #items: SocketItems<Reply>;
  readonly #timeoutMs: number;

  constructor(socket: Socket, timeoutMs: number) {
    this.#socket = socket;
    this.#items = new SocketItems(socket, new ReplyReader(), timeoutMs);
    this.#timeoutMs = timeoutMs;
  }

  async next(): Promise<Reply> {
    const received = await this.#items.next();
    if ("item" in received) return received.item;
    if ("error" in received) throw received.error;
    throw new Error(received.end === "closed" ? "connection closed before a reply" : `no reply within ${this.#timeoutMs} ms`);
  }

  write(text: string): void {
    this.#socket.write(text);
  }
}

export interface ClientAuthOptions {
  /** Send the initial response on the AUTH line when the mechanism has one (default true). */
  readonly initialResponse?: boolean;
  /** Bound on each wait for the server, in ms (default 5000). */
  readonly timeoutMs?: number;
}

export interface ClientAuthOutcome {
  /** The reply that ended the exchange (235, 535, ...). */
  readonly reply: Reply;
  readonly capabilities: Capabilities;
  /** Every 334 challenge, decoded. */
  readonly challenges: readonly Uint8Array[];
  /** The error `finish()` rejected with after a 235, if it did. */
  readonly finishError?: unknown;
}

/**
 * Connect to 127.0.0.1:`port`, EHLO, authenticate with the mechanism `choose` returns for the
 * server's AUTH list, then QUIT. The socket is always closed before this resolves or rejects.
 */
export async function authenticateOverSmtp(
  port: number,
  choose: (offered: readonly string[]) => ClientMechanism,
  options: ClientAuthOptions = {},
): Promise<ClientAuthOutcome> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const socket = connect({ host: "127.0.0.1", port });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("connect timed out")), timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const replies = new ReplyStream(socket, timeoutMs);
    const greeting = await replies.next();
    if (greeting.code !== 220) throw new Error(`greeting ${greeting.code}`);
    replies.write(formatCommand({ verb: "EHLO", domain: "client.example" }));
    const ehlo = await replies.next();
    if (ehlo.code !== 250) throw new Error(`EHLO answered ${ehlo.code}`);
    const capabilities = parseCapabilities(ehlo);

    const mechanism = choose(capabilities.auth);
    const { initialResponse } = await mechanism.start();
    const sendIr = options.initialResponse !== false && initialResponse !== undefined;
    replies.write(formatCommand({ verb: "AUTH", mechanism: mechanism.name, ...(sendIr ? { initialResponse } : {}) }));
    const challenges: Uint8Array[] = [];
    let reply = await replies.next();
    for (let n = 0; reply.code === 334; n++) {
      if (n > 10) throw new Error("too many challenges");
      const challenge = decodeBase64(reply.lines[0] ?? "");
      challenges.push(challenge);
      let line: string;
      try {
        line = encodeBase64(await mechanism.next(challenge));
      } catch {
        line = "*"; // RFC 4954 §4: the client cancels
      }
      replies.write(`${line}\r\n`);
      reply = await replies.next();
    }
    let finishError: unknown;
    if (reply.code === 235) {
      try {
        await mechanism.finish?.();
      } catch (error) {
        finishError = error;
      }
    }
    replies.write(formatCommand({ verb: "QUIT" }));
    await replies.next();
    return finishError === undefined ? { reply, capabilities, challenges } : { reply, capabilities, challenges, finishError };
  } finally {
    socket.destroy();
  }
}
