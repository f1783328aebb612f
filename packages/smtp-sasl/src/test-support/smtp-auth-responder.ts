/**
 * Test-only: the least SMTP server that can run AUTH with our server mechanisms against a real
 * client — greeting, EHLO (advertising `serverMechanismNames`), AUTH with 334 continuations and `*`
 * cancellation (RFC 4954 §4), QUIT. Framing comes from @smtpkit/smtp-codec (LineReader,
 * parseCommand, formatReply, base64). Listens on 127.0.0.1 only; `close()` ends every connection.
 */
import { createServer, type Server, type Socket } from "node:net";
import { decodeBase64, encodeBase64, formatReply, LineReader, parseCommand, SmtpSyntaxError } from "@smtpkit/smtp-codec";
import { cancelled, isCancel, SaslError, saslErrorReply } from "../errors.js";
import { createServerMechanism, type ServerOptions, serverMechanismNames } from "../server.js";
import type { AuthIdentity, ChannelInfo } from "../types.js";
import type { ServerVerifiers } from "../verifiers.js";
import { SocketItems } from "./socket-items.js";

export interface AuthAttempt {
  readonly mechanism: string;
  readonly identity?: AuthIdentity;
  readonly error?: SaslError;
  /** The reply sent at the end: 235, or what `saslErrorReply` gave. */
  readonly code: number;
}

export interface ResponderOptions {
  readonly verifiers: ServerVerifiers;
  readonly channel?: ChannelInfo;
  readonly serverOptions?: ServerOptions;
  /** Bound on each wait for a client line, in ms (default 5000). */
  readonly timeoutMs?: number;
}

/** Lines from a socket, one at a time, each wait bounded; `undefined` once there are no more. */
class LineStream {
  readonly #items: SocketItems<Uint8Array>;

  constructor(socket: Socket, timeoutMs: number) {
    const reader = new LineReader({ maxLineLength: 16384 });
    this.#items = new SocketItems(socket, { push: (chunk) => reader.push(chunk), next: () => reader.next()?.line }, timeoutMs);
  }

  async next(): Promise<Uint8Array | undefined> {
    const received = await this.#items.next();
    return "item" in received ? received.item : undefined;
  }
}

export class AuthResponder {
  readonly attempts: AuthAttempt[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #options: ResponderOptions;

  private constructor(options: ResponderOptions) {
    this.#options = options;
    this.#server = createServer((socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
      socket.on("error", () => socket.destroy());
      this.#session(socket).catch(() => socket.destroy());
    });
  }

  static async listen(options: ResponderOptions): Promise<AuthResponder> {
    const responder = new AuthResponder(options);
    await new Promise<void>((resolve, reject) => {
      responder.#server.once("error", reject);
      responder.#server.listen(0, "127.0.0.1", () => resolve());
    });
    return responder;
  }

  get port(): number {
    const address = this.#server.address();
    if (address === null || typeof address === "string") throw new Error("not listening");
    return address.port;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  get #channel(): ChannelInfo {
    return this.#options.channel ?? { encrypted: false };
  }

  async #session(socket: Socket): Promise<void> {
    const lines = new LineStream(socket, this.#options.timeoutMs ?? 5000);
    const send = (text: string) => socket.write(text);
    send("220 localhost ESMTP smtp-sasl test responder\r\n");
    for (;;) {
      const line = await lines.next();
      if (line === undefined) break;
      let command: ReturnType<typeof parseCommand>;
      try {
        command = parseCommand(line);
      } catch (error) {
        if (!SmtpSyntaxError.isInstance(error)) throw error;
        send(formatReply(error.reply));
        continue;
      }
      switch (command.verb) {
        case "EHLO": {
          const names = serverMechanismNames(this.#options.verifiers, this.#channel, this.#options.serverOptions);
          send(`250-localhost\r\n250-ENHANCEDSTATUSCODES\r\n250 AUTH ${names.join(" ")}\r\n`);
          break;
        }
        case "AUTH":
          await this.#auth(command.mechanism, command.initialResponse, lines, send);
          break;
        case "QUIT":
          send("221 2.0.0 Bye\r\n");
          socket.end();
          return;
        case "NOOP":
        case "RSET":
          send("250 2.0.0 OK\r\n");
          break;
        default:
          send("502 5.5.1 Command not implemented\r\n");
      }
    }
    socket.destroy();
  }

  async #auth(name: string, initialResponse: Uint8Array | undefined, lines: LineStream, send: (text: string) => void): Promise<void> {
    try {
      const mechanism = createServerMechanism(name, this.#options.verifiers, this.#channel, this.#options.serverOptions);
      let step = await mechanism.next(initialResponse);
      while (!step.done) {
        send(`334 ${encodeBase64(step.challenge)}\r\n`);
        const line = await lines.next();
        if (line === undefined) throw new SaslError("cancelled", "connection closed during AUTH");
        if (isCancel(line)) throw cancelled();
        let response: Uint8Array;
        try {
          response = decodeBase64(Buffer.from(line).toString("latin1"));
        } catch {
          throw new SaslError("malformed", "response is not base64");
        }
        step = await mechanism.next(response);
      }
      this.attempts.push({ mechanism: name, identity: step.identity, code: 235 });
      send("235 2.7.0 Authentication succeeded\r\n");
    } catch (error) {
      const reply = saslErrorReply(error);
      this.attempts.push({ mechanism: name, ...(SaslError.isInstance(error) ? { error } : {}), code: reply.code });
      send(formatReply(reply));
    }
  }
}
