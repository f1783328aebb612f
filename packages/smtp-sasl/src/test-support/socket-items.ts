/**
 * Test-only: what a decoder (smtp-codec's LineReader or ReplyReader) makes of a socket's bytes,
 * one item at a time, each wait bounded — the reading half of the test responder and of the test
 * client transport.
 */
import type { Socket } from "node:net";

export interface Decoder<T> {
  push(chunk: Uint8Array): void;
  next(): T | undefined;
}

/** The next item, or why there is none. */
export type Received<T> = { readonly item: T } | { readonly error: Error } | { readonly end: "closed" | "timeout" };

export class SocketItems<T> {
  readonly #decoder: Decoder<T>;
  readonly #timeoutMs: number;
  #wake: (() => void) | undefined;
  #ended = false;
  #error: Error | undefined;

  constructor(socket: Socket, decoder: Decoder<T>, timeoutMs: number) {
    this.#decoder = decoder;
    this.#timeoutMs = timeoutMs;
    socket.on("data", (chunk: Buffer) => {
      decoder.push(chunk);
      this.#wake?.();
    });
    const end = () => {
      this.#ended = true;
      this.#wake?.();
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", (error) => {
      this.#error = error;
      this.#wake?.();
    });
  }

  /** Items already decoded come first; then a socket error, the end of the stream, or the timeout. */
  async next(): Promise<Received<T>> {
    const deadline = Date.now() + this.#timeoutMs;
    for (;;) {
      const item = this.#decoder.next();
      if (item !== undefined) return { item };
      if (this.#error !== undefined) return { error: this.#error };
      if (this.#ended) return { end: "closed" };
      const left = deadline - Date.now();
      if (left <= 0) return { end: "timeout" };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          this.#wake = undefined;
          resolve();
        };
      });
    }
  }
}
