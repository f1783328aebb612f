/**
 * The smallest faithful harness around smtp-server (Nodemailer) 3.21.6: its own code, driven the
 * way an `SMTPConnection` drives it, with no socket and no network.
 *
 * smtp-server has no standalone command parser. Parsing is spread over `SMTPConnection`:
 * `_onCommand` turns the line Buffer into a string, takes the verb and looks up the handler; the
 * handlers then parse their arguments (`_parseAddressCommand` for MAIL/RCPT, a whitespace split for
 * EHLO). `parseLine` below runs exactly those steps, calling smtp-server's own methods on a real
 * `SMTPConnection` built over a server that never listens.
 */
import type { Socket } from "node:net";
import { SMTPServer } from "smtp-server";
import { SMTPConnection } from "smtp-server/lib/smtp-connection.js";
import { SMTPStream } from "smtp-server/lib/smtp-stream.js";

/** What smtp-server made of one line, for checking results before timing. */
export interface PeerParsed {
  readonly verb: string;
  /** EHLO/HELO argument as the handler splits it. */
  readonly domain?: string;
  /** MAIL/RCPT: the address (`""` for `<>`) and the parameters (keyword upper-cased, value xtext-decoded). */
  readonly address?: string;
  readonly args?: Readonly<Record<string, string | boolean>>;
}

// Parameters that need a value: smtp-server keeps these lists private (MAIL_VALUE_PARAMS and
// RCPT_VALUE_PARAMS) and passes them to `_rejectInvalidParams` from handler_MAIL / handler_RCPT.
const MAIL_VALUE_KEYWORDS = ["BODY", "SIZE", "RET", "ENVID"];
const RCPT_VALUE_KEYWORDS = ["NOTIFY", "ORCPT"];

/** A connection that never saw a socket; it only serves as `this` for smtp-server's parsing methods. */
export function createPeerConnection(): SMTPConnection {
  const server = new SMTPServer({
    logger: false,
    // DSN on, so that NOTIFY/ORCPT/RET are parameters the server knows (the default hides DSN).
    hideDSN: false,
    size: 50 * 1024 * 1024,
  });
  const socket = { localAddress: "127.0.0.1", localPort: 25, remoteAddress: "127.0.0.1", remotePort: 50025 };
  const connection = new SMTPConnection(server, socket as unknown as Socket);
  // A rejected line makes smtp-server reply; there is no socket, so swallow the reply. The inputs
  // are checked to be accepted before timing, so this never runs while timing.
  connection.send = () => undefined;
  return connection;
}

const noop = (): void => undefined;

/**
 * One command line the way smtp-server handles it, parsing only: what `_onCommand` does to find
 * the handler, then the argument parsing of that handler. Returns `false` where smtp-server would
 * reject the line. Not included: logging (`_redactCredentials`, `logger.debug`), the HTTP-request
 * check, session-state checks and the handlers' side effects (envelope, replies).
 */
export function parseLine(connection: SMTPConnection, line: Buffer): PeerParsed | false {
  // _onCommand: `(command || '').toString().split(' ').shift().toUpperCase()`, then `_isSupported`
  // (disabled list + handler lookup) and `_getHandler`.
  const verb = (line.toString().split(" ").shift() ?? "").toUpperCase();
  if (!connection._isSupported(verb) || typeof connection._getHandler(verb) !== "function") return false;
  switch (verb) {
    case "MAIL":
    case "RCPT": {
      const parsed = connection._parseAddressCommand(verb === "MAIL" ? "mail from" : "rcpt to", line);
      if (!parsed) return false;
      if (verb === "RCPT" && !parsed.address) return false;
      if (connection._rejectInvalidParams(parsed, verb === "MAIL" ? MAIL_VALUE_KEYWORDS : RCPT_VALUE_KEYWORDS, noop)) {
        return false;
      }
      if (verb === "MAIL" && connection._validateMailParams(parsed) !== null) return false;
      return parsed.args === false
        ? { verb, address: parsed.address }
        : { verb, address: parsed.address, args: parsed.args as Record<string, string | boolean> };
    }
    case "EHLO":
    case "HELO": {
      // handler_EHLO / handler_HELO: split the line on white space and want exactly two parts.
      const parts = line.toString().trim().split(/\s+/);
      const domain = parts[1];
      if (parts.length !== 2 || domain === undefined) return false;
      return { verb, domain };
    }
    default:
      // DATA, RSET, NOOP, QUIT: the handlers do not look at the rest of the line.
      return { verb };
  }
}

/**
 * smtp-server's `SMTPStream` in data mode, driven as `SMTPConnection.handler_DATA` drives it: the
 * same parser object for every message, `startDataMode(size)` per message, the chunks written to
 * it in one go (the Writable queues them, as it queues a fast socket's reads), the data stream read
 * in flowing mode, and `continue()` once it ends.
 */
export class PeerDataReceiver {
  readonly #parser = new SMTPStream();
  readonly #maxBytes: number;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
    this.#parser.oncommand = () => {
      throw new Error("bench: smtp-server left data mode before the end of the message");
    };
  }

  /** Feed one message; resolves with the number of body octets once the data stream has ended. */
  receive(chunks: readonly Buffer[], collect?: Buffer[]): Promise<number> {
    const parser = this.#parser;
    const stream = parser.startDataMode(this.#maxBytes);
    return new Promise((resolve, reject) => {
      let octets = 0;
      stream.on("data", (data: Buffer) => {
        octets += data.length;
        collect?.push(data);
      });
      stream.once("error", reject);
      stream.once("end", () => {
        parser.continue();
        resolve(octets);
      });
      for (const chunk of chunks) parser.write(chunk);
    });
  }
}
