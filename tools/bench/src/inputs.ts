/**
 * The inputs both sides of every benchmark get: the same bytes, generated once and deterministically
 * (a seeded PRNG), so runs on different machines and days measure the same thing.
 */

/** mulberry32: a tiny seeded PRNG; the bench needs repeatability, not quality. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
}

// ---------------------------------------------------------------------------------------------
// (a) command lines

/** A mailbox as the generator wrote it, so both parsers' results can be checked against it. */
export interface ExpectedMailbox {
  /** The local part without quotes. */
  readonly localPart: string;
  /** Whether it went on the wire as a quoted-string. */
  readonly quoted: boolean;
  readonly domain: string;
}

/** One command line and what it means. */
export interface CommandCase {
  readonly line: string;
  readonly verb: "EHLO" | "MAIL" | "RCPT" | "DATA" | "RSET" | "NOOP" | "QUIT";
  /** EHLO's argument. */
  readonly domain?: string;
  /** MAIL/RCPT path; `null` is the null reverse-path `<>`. */
  readonly path?: ExpectedMailbox | null;
  /** ESMTP parameters as keyword -> xtext-decoded value. */
  readonly params?: Readonly<Record<string, string>>;
}

const LOCAL_PARTS = [
  "alice",
  "bob.smith",
  "noreply",
  "newsletter",
  "j.random.hacker",
  "support-team",
  "bounce-8812-4471-a8f3",
  "first.last",
  "billing_dept",
  "user+tag",
  "x",
  "postmaster",
  "orders.2024",
] as const;

/** Local parts that need (or are sent as) a quoted-string; none contains a space or `@`, which smtp-server cannot parse. */
const QUOTED_LOCAL_PARTS = ["joe,bloggs", "foo(bar)", "sales:emea", "john.doe", "info[at]desk"] as const;

const DOMAINS = [
  "example.com",
  "mail.example.org",
  "eu-west.relay.example.net",
  "lists.example.co.uk",
  "a.example",
  "subdomain.department.university.example.edu",
  "mx-07.mailhost.example.info",
] as const;

const CLIENT_NAMES = [
  "client.example.com",
  "mta-out-3.example.net",
  "smtp.example.org",
  "laptop.home.example",
  "[192.0.2.17]",
] as const;

function mailbox(random: () => number): ExpectedMailbox {
  const quoted = random() < 0.15;
  const localPart = quoted ? pick(random, QUOTED_LOCAL_PARTS) : pick(random, LOCAL_PARTS);
  return { localPart, quoted, domain: pick(random, DOMAINS) };
}

function pathText(mb: ExpectedMailbox): string {
  return `<${mb.quoted ? `"${mb.localPart}"` : mb.localPart}@${mb.domain}>`;
}

/** xtext (RFC 3461 §4): `+`, `=` and anything outside `!`..`~` become `+XX`. */
function xtext(value: string): string {
  let out = "";
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    out += ch === "+" || ch === "=" || code < 0x21 || code > 0x7e ? `+${code.toString(16).toUpperCase().padStart(2, "0")}` : ch;
  }
  return out;
}

function ehlo(random: () => number): CommandCase {
  const domain = pick(random, CLIENT_NAMES);
  return { line: `EHLO ${domain}`, verb: "EHLO", domain };
}

function mail(random: () => number): CommandCase {
  const path = random() < 0.1 ? null : mailbox(random);
  const params: Record<string, string> = { SIZE: String(Math.floor(random() * 25_000_000) + 300) };
  const body = random();
  if (body < 0.6) params.BODY = "8BITMIME";
  else if (body < 0.75) params.BODY = "7BIT";
  const wire = Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return { line: `MAIL FROM:${path === null ? "<>" : pathText(path)} ${wire}`, verb: "MAIL", path, params };
}

function rcpt(random: () => number): CommandCase {
  const path = mailbox(random);
  const params: Record<string, string> = {};
  const dsn = random();
  if (dsn < 0.3) params.NOTIFY = "SUCCESS,FAILURE";
  else if (dsn < 0.4) params.NOTIFY = "NEVER";
  else if (dsn < 0.5) params.NOTIFY = "FAILURE,DELAY";
  const address = `${path.localPart}@${path.domain}`;
  let orcpt = "";
  if (random() < 0.4 && !path.quoted) {
    params.ORCPT = `rfc822;${address}`;
    orcpt = ` ORCPT=rfc822;${xtext(address)}`;
  }
  const notify = params.NOTIFY === undefined ? "" : ` NOTIFY=${params.NOTIFY}`;
  return { line: `RCPT TO:${pathText(path)}${notify}${orcpt}`, verb: "RCPT", path, params };
}

/**
 * A realistic mix: sessions of EHLO, one or two transactions of MAIL + 1..4 RCPT + DATA (the
 * second after RSET), the odd NOOP, then QUIT. About 200 lines.
 */
export function commandCases(seed = 5321): CommandCase[] {
  const random = prng(seed);
  const cases: CommandCase[] = [];
  for (let session = 0; session < 24; session++) {
    cases.push(ehlo(random));
    const transactions = random() < 0.3 ? 2 : 1;
    for (let t = 0; t < transactions; t++) {
      if (t > 0) cases.push({ line: "RSET", verb: "RSET" });
      cases.push(mail(random));
      const recipients = 1 + Math.floor(random() * 4);
      for (let r = 0; r < recipients; r++) cases.push(rcpt(random));
      if (random() < 0.25) cases.push({ line: "NOOP", verb: "NOOP" });
      cases.push({ line: "DATA", verb: "DATA" });
    }
    cases.push({ line: "QUIT", verb: "QUIT" });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// (b) a DATA transfer

export interface DataInput {
  /** The message as stored: exactly `bodyBytes` octets, CRLF line endings, ending with CRLF. */
  readonly body: Buffer;
  /** What goes on the wire after `354`: `body` dot-stuffed, then `.` CRLF. */
  readonly wire: Buffer;
  /** `wire` cut into the chunks a socket would deliver. Separate buffers, as reads are. */
  readonly chunks: readonly Buffer[];
  readonly lines: number;
  /** Lines that start with `.` and so are dot-stuffed on the wire. */
  readonly stuffedLines: number;
}

const WORDS = (
  "the of and to in is that for it as was with be by on not he this are or his from at which but " +
  "have an they you were her all she there would their we him been has when who will more no if out " +
  "message server delivery transaction envelope recipient mailbox relay queue header boundary attachment " +
  "quarterly report invoice meeting schedule agenda minutes budget project review draft final update"
).split(" ");

/** Lines that start with a dot, as real messages have them (quoted text, file names, CSS, a lone dot). */
const DOT_LINES = [".", "..", "...and then the thread went quiet.", ".hidden-file and .profile", ".header { color: #333; }"];

const HEADERS = [
  "Return-Path: <alice@example.com>",
  "Received: from client.example.com (client.example.com [192.0.2.17])",
  "\tby mx.example.org with ESMTPS id 4Zq8x1Lb2Kz9; Mon, 3 Mar 2025 10:15:02 +0000",
  "From: Alice Example <alice@example.com>",
  "To: Bob Example <bob@example.org>",
  "Subject: Quarterly report and the agenda for the next review meeting",
  "Date: Mon, 3 Mar 2025 10:15:00 +0000",
  "Message-ID: <20250303101500.4471@client.example.com>",
  "MIME-Version: 1.0",
  "Content-Type: text/plain; charset=utf-8",
  "Content-Transfer-Encoding: 8bit",
  "",
];

/**
 * A text message of exactly `bodyBytes` octets: headers, then lines of up to 76 characters of
 * words; every `dotEvery`-th body line starts with a dot. Cut into `chunkSize` chunks on the wire.
 */
export function dataInput(bodyBytes = 1024 * 1024, chunkSize = 64 * 1024, dotEvery = 50, seed = 3030): DataInput {
  const random = prng(seed);
  const lines: string[] = [...HEADERS];
  let size = lines.reduce((n, l) => n + l.length + 2, 0);
  while (size < bodyBytes) {
    let line: string;
    if ((lines.length - HEADERS.length + 1) % dotEvery === 0) {
      line = pick(random, DOT_LINES);
    } else if (random() < 0.04) {
      line = "";
    } else {
      const target = 70 + Math.floor(random() * 7);
      line = pick(random, WORDS);
      for (;;) {
        const word = pick(random, WORDS);
        if (line.length + 1 + word.length > target) break;
        line += ` ${word}`;
      }
    }
    const left = bodyBytes - size - 2;
    if (line.length > left || left - line.length === 1) {
      // The last line: fill the remaining octets exactly (a line takes at least its CRLF).
      line = "x".repeat(left);
    }
    lines.push(line);
    size += line.length + 2;
  }
  const body = Buffer.from(lines.map((l) => `${l}\r\n`).join(""), "latin1");
  if (body.length !== bodyBytes) throw new Error(`body is ${body.length} octets, wanted ${bodyBytes}`);
  const stuffed = lines.filter((l) => l.startsWith("."));
  const wire = Buffer.from(`${lines.map((l) => `${l.startsWith(".") ? "." : ""}${l}\r\n`).join("")}.\r\n`, "latin1");
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < wire.length; offset += chunkSize) {
    chunks.push(Buffer.from(wire.subarray(offset, offset + chunkSize)));
  }
  return { body, wire, chunks, lines: lines.length, stuffedLines: stuffed.length };
}
