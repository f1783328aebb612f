/**
 * A server loop over a whole SMTP session, for the hand-off tests of DataDecoder and BdatReader:
 * command lines through a LineReader; after a command that starts a body (DATA, BDAT n), the
 * following octets through a body reader until it is done; then back to lines.
 * Test-only: not exported from the package.
 */
import { LineReader } from "../line-reader.js";
import { concatBytes, str } from "./chunks.js";

/** What a body reader makes of one chunk: the body octets in it and, once done, the octets after the body. */
export type BodyChunk =
  | { readonly data: readonly Uint8Array[]; readonly done: false }
  | { readonly data: readonly Uint8Array[]; readonly done: true; readonly rest: Uint8Array };

/** One body in progress: takes every chunk after the command that started it until it is done. */
export type BodyReader = (chunk: Uint8Array) => BodyChunk;

/**
 * Feed `chunks` through the loop. `bodyAfter(command)` gives the reader for the body that
 * `command` starts, or `undefined` when it starts none. Returns the command lines and each body.
 */
export function serveSession(
  chunks: readonly Uint8Array[],
  bodyAfter: (command: string) => BodyReader | undefined,
): { commands: string[]; bodies: string[] } {
  const commands: string[] = [];
  const bodies: string[] = [];
  const lines = new LineReader();
  let body: BodyReader | undefined;
  let current: Uint8Array[] = [];
  const feed = (chunk: Uint8Array): void => {
    let forLines = chunk;
    if (body !== undefined) {
      const r = body(chunk);
      current.push(...r.data);
      if (!r.done) return;
      bodies.push(str(concatBytes(current)));
      body = undefined;
      current = [];
      forLines = r.rest;
    }
    lines.push(forLines);
    for (let l = lines.next(); l !== undefined; l = lines.next()) {
      const command = str(l.line);
      commands.push(command);
      body = bodyAfter(command);
      if (body !== undefined) {
        feed(lines.takeRest());
        return;
      }
    }
  };
  for (const chunk of chunks) feed(chunk);
  return { commands, bodies };
}
