/**
 * (a) Command-line parsing, commands/s. Both sides get one line at a time, without its CRLF, as a
 * Buffer: what a line reader hands over (smtpkit's LineReader gives a view of the socket's Buffer,
 * smtp-server's SMTPStream gives `Buffer.from(line, 'binary')`). Line splitting itself is left out
 * on both sides.
 */
import { isDeepStrictEqual } from "node:util";
import { parseCommand } from "@smtpkit/smtp-codec";
import type { Contender } from "./harness.js";
import type { CommandCase, ExpectedMailbox } from "./inputs.js";
import { createPeerConnection, type PeerParsed, parseLine } from "./peer-smtp-server.js";

export interface CommandBench {
  readonly lines: readonly Buffer[];
  readonly smtpkit: Contender;
  readonly smtpServer: Contender;
}

type Parsed = ReturnType<typeof parseCommand>;

function describe(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.length} octets>` : v));
}

function sameMailbox(actual: unknown, expected: ExpectedMailbox): boolean {
  return isDeepStrictEqual(actual, { localPart: expected.localPart, domain: expected.domain });
}

/** Does smtpkit's `Command` say what the generator meant? Returns the mismatch, or undefined. */
function checkSmtpkit(c: CommandCase, parsed: Parsed): string | undefined {
  if (parsed.verb !== c.verb) return `verb ${parsed.verb}`;
  const params = c.params ?? {};
  switch (parsed.verb) {
    case "EHLO":
      return parsed.domain === c.domain ? undefined : `domain ${parsed.domain}`;
    case "MAIL": {
      const fromOk = c.path === null ? parsed.from === null : c.path !== undefined && sameMailbox(parsed.from, c.path);
      const want: Record<string, unknown> = { size: Number(params.SIZE) };
      if (params.BODY !== undefined) want.body = params.BODY;
      return fromOk && isDeepStrictEqual({ ...parsed.params }, want) ? undefined : describe(parsed);
    }
    case "RCPT": {
      const toOk = c.path !== undefined && c.path !== null && sameMailbox(parsed.to, c.path);
      const want: Record<string, unknown> = {};
      if (params.NOTIFY !== undefined) want.notify = params.NOTIFY === "NEVER" ? "NEVER" : params.NOTIFY.split(",");
      if (params.ORCPT !== undefined) {
        const semi = params.ORCPT.indexOf(";");
        want.orcpt = { addrType: params.ORCPT.slice(0, semi), address: params.ORCPT.slice(semi + 1) };
      }
      return toOk && isDeepStrictEqual({ ...parsed.params }, want) ? undefined : describe(parsed);
    }
    default:
      return undefined;
  }
}

/** Does smtp-server's result say what the generator meant? Returns the mismatch, or undefined. */
function checkSmtpServer(c: CommandCase, parsed: PeerParsed | false): string | undefined {
  if (parsed === false) return "rejected";
  if (parsed.verb !== c.verb) return `verb ${parsed.verb}`;
  if (c.verb === "EHLO") return parsed.domain === c.domain ? undefined : `domain ${parsed.domain}`;
  if (c.verb !== "MAIL" && c.verb !== "RCPT") return undefined;
  // smtp-server keeps the quotes of a quoted local part.
  const p = c.path;
  const address = p == null ? "" : `${p.quoted ? `"${p.localPart}"` : p.localPart}@${p.domain}`;
  const args = c.params !== undefined && Object.keys(c.params).length > 0 ? c.params : undefined;
  return parsed.address === address && isDeepStrictEqual(parsed.args, args) ? undefined : describe(parsed);
}

/**
 * Build the contenders for `cases`, after checking once that both sides accept every line and
 * understand it as meant. Throws, listing the lines, if not: a benchmark of rejected input
 * measures error paths, not parsing.
 */
export function commandBench(cases: readonly CommandCase[]): CommandBench {
  const lines = cases.map((c) => Buffer.from(c.line, "latin1"));
  const connection = createPeerConnection();

  const problems: string[] = [];
  cases.forEach((c, i) => {
    // biome-ignore lint/style/noNonNullAssertion: same length as cases
    const line = lines[i]!;
    let ours: string | undefined;
    try {
      ours = checkSmtpkit(c, parseCommand(line));
    } catch (error) {
      ours = `threw ${(error as Error).message}`;
    }
    if (ours !== undefined) problems.push(`smtpkit    ${JSON.stringify(c.line)}: ${ours}`);
    const theirs = checkSmtpServer(c, parseLine(connection, line));
    if (theirs !== undefined) problems.push(`smtp-server ${JSON.stringify(c.line)}: ${theirs}`);
  });
  if (problems.length > 0) throw new Error(`command inputs not parsed as meant:\n  ${problems.join("\n  ")}`);

  return {
    lines,
    smtpkit: {
      name: "smtpkit",
      run(iterations) {
        let check = 0;
        for (let n = 0; n < iterations; n++) {
          for (const line of lines) check += parseCommand(line).verb.length;
        }
        return check;
      },
    },
    smtpServer: {
      name: "smtp-server",
      run(iterations) {
        let check = 0;
        for (let n = 0; n < iterations; n++) {
          for (const line of lines) {
            const parsed = parseLine(connection, line);
            if (parsed !== false) check += parsed.verb.length;
          }
        }
        return check;
      },
    },
  };
}
