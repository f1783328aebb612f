/**
 * The client benchmark's load: what each side sends (the same 4 KiB message, the same envelope)
 * and the interface a side implements.
 */

/** One timed run: `messages` copies of `message` to 127.0.0.1:port over `connections` connections. */
export interface ClientLoad {
  readonly port: number;
  /** 1: one connection, messages one after another; more: a pool of that many. */
  readonly connections: number;
  readonly messages: number;
  readonly message: Buffer;
  readonly from: string;
  readonly to: string;
}

/** A client under test. `run` resolves to the number of messages accepted, and throws on any failure. */
export interface ClientSide {
  readonly name: "smtp-client" | "nodemailer";
  run(load: ClientLoad): Promise<number>;
}

/**
 * A message of exactly `size` octets: a few header fields, then lines of 76 characters with CRLF
 * (the longest a MIME-encoded line gets), one in 40 starting with a dot so dot-stuffing is done
 * on both sides, ending in CRLF.
 */
export function benchMessage(size: number): Buffer {
  const head =
    "From: <sender@client.bench.test>\r\n" +
    "To: <rcpt@bench.test>\r\n" +
    "Subject: client benchmark\r\n" +
    "Date: Sun, 29 Nov 2026 12:00:00 +0000\r\n" +
    "Message-ID: <client-bench@client.bench.test>\r\n" +
    "MIME-Version: 1.0\r\n" +
    "Content-Type: text/plain; charset=us-ascii\r\n" +
    "\r\n";
  const alphabet = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789";
  const line = (n: number, chars: number): string => {
    let text = "";
    for (let i = 0; i < chars; i++) text += alphabet[(n * 7 + i * 13) % alphabet.length];
    return `${n % 40 === 39 ? `.${text.slice(1)}` : text}\r\n`;
  };
  // Full lines of 76 characters + CRLF; the rest in one or two shorter lines, each at least
  // one character + CRLF, so the message ends in CRLF and has no bare CR or LF.
  const remaining = size - head.length;
  let full = Math.floor(remaining / 78);
  let rest = remaining % 78;
  if (rest > 0 && rest < 3) {
    full -= 1;
    rest += 78;
  }
  const parts = [head];
  for (let n = 0; n < full; n++) parts.push(line(n, 76));
  if (rest > 78) {
    parts.push(line(full, 38));
    rest -= 40;
  }
  if (rest > 0) parts.push(line(full + 1, rest - 2));
  const out = Buffer.from(parts.join(""), "latin1");
  if (out.length !== size) throw new Error(`bench: message of ${out.length} octets, wanted ${size}`);
  return out;
}
