/**
 * A scripted SMTP client for tests that need what no ready-made client does: pipelining exact
 * command groups, LMTP, a PROXY header, SCRAM through smtp-sasl, or a half-sent message when the
 * server is told to stop. Replies are read with smtp-codec's ReplyReader; every wait is bounded.
 */
import net from "node:net";
import { type Reply, ReplyReader } from "@smtpkit/smtp-codec";

const REPLY_TIMEOUT_MS = 15_000;

export class Talk {
  readonly #socket: net.Socket;
  readonly #reader = new ReplyReader();
  readonly #replies: Reply[] = [];
  #waiting: (() => void) | undefined;
  #closed = false;
  #error: Error | undefined;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => {
      try {
        this.#reader.push(chunk);
        for (let r = this.#reader.next(); r !== undefined; r = this.#reader.next()) this.#replies.push(r);
      } catch (error) {
        this.#error = error as Error;
      }
      this.#waiting?.();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#waiting?.();
    });
    socket.on("error", (error) => {
      this.#error = error;
      this.#waiting?.();
    });
  }

  /** Connect to 127.0.0.1:port; `first` is written before anything is read (e.g. a PROXY header). */
  static async connect(port: number, first?: string): Promise<Talk> {
    const socket = net.connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    if (first !== undefined) socket.write(first);
    return new Talk(socket);
  }

  /** Send raw text or octets. */
  send(data: string | Uint8Array): void {
    this.#socket.write(data);
  }

  /** The next `count` replies. */
  async replies(count: number): Promise<Reply[]> {
    const deadline = Date.now() + REPLY_TIMEOUT_MS;
    while (this.#replies.length < count) {
      if (this.#error !== undefined) throw this.#error;
      if (this.#closed) throw new Error(`connection closed after ${this.#replies.length} of ${count} replies`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${REPLY_TIMEOUT_MS} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiting = undefined;
    }
    return this.#replies.splice(0, count);
  }

  async reply(): Promise<Reply> {
    return (await this.replies(1))[0] as Reply;
  }

  /** Send a command line and return its reply. */
  async command(line: string): Promise<Reply> {
    this.send(`${line}\r\n`);
    return this.reply();
  }

  /** Resolves once the server has closed the connection (bounded). */
  async closed(): Promise<void> {
    const deadline = Date.now() + REPLY_TIMEOUT_MS;
    while (!this.#closed) {
      if (Date.now() > deadline) throw new Error("the server did not close the connection");
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.#socket.destroy();
  }
}
