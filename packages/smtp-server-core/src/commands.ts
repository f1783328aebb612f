/**
 * The RFC 5321 command state machine (§4.1.1, §4.1.4): what each command requires and changes.
 *
 *   greeting → HELO/EHLO (LHLO in LMTP) → MAIL → RCPT+ → DATA | BDAT+ → (MAIL …)
 *
 * Out-of-order commands get 503 5.5.1; RSET and a new EHLO drop the transaction. Unknown,
 * malformed and out-of-sequence commands count towards `maxBadCommands`.
 */
import { type Command, type LineResult, type MailParams, type RcptParams, SmtpSyntaxError, parseCommand } from "@smtpkit/smtp-codec";
import type { ParseCommandOptions, Reply } from "@smtpkit/smtp-codec";
import { authAvailable, handleAuth } from "./auth.js";
import { ehloReply, heloReply } from "./ehlo.js";
import { R } from "./replies.js";
import { Mode, type Connection, Transaction, isPromiseLike } from "./session.js";
import { startBdat, startData } from "./transfer.js";

const optionsCache = new WeakMap<object, [ParseCommandOptions, ParseCommandOptions]>();

function parseOptions(c: Connection): ParseCommandOptions {
  let pair = optionsCache.get(c.ctx);
  if (pair === undefined) {
    const compat = c.ctx.compat;
    pair = compat === undefined ? [{}, { smtputf8: true }] : [{ compat }, { compat, smtputf8: true }];
    optionsCache.set(c.ctx, pair);
  }
  return c.tx?.smtputf8 === true ? pair[1] : pair[0];
}

/** A reply to a command the client should not have sent; too many of them close the session. */
export function bad(c: Connection, reply: Reply): void {
  c.out.add(reply);
  c.badCommands++;
  const max = c.ctx.limits.maxBadCommands;
  if (max > 0 && c.badCommands >= max) c.close(R.tooManyErrors);
}

/** The line starts with "AUTH " (any case): it may be as long as RFC 4954 §4 allows. */
function isAuth(line: Uint8Array): boolean {
  return (
    line.length > 5 &&
    ((line[0] as number) | 0x20) === 0x61 &&
    ((line[1] as number) | 0x20) === 0x75 &&
    ((line[2] as number) | 0x20) === 0x74 &&
    ((line[3] as number) | 0x20) === 0x68 &&
    line[4] === 0x20
  );
}

/**
 * Run one command line. A promise only when the command waits for something (a hook, a reset
 * that tells onReset, the TLS handshake); otherwise its reply is queued before this returns.
 */
export function handleCommand(c: Connection, l: LineResult): Promise<void> | undefined {
  if (l.tooLong || (l.line.length + 2 > c.ctx.limits.maxLineLength && !isAuth(l.line))) {
    bad(c, R.lineTooLong);
    return undefined;
  }
  // RFC 5321 §2.3.8: only CRLF ends a line; a bare CR or LF in a command is refused, not guessed at.
  if (l.ending !== "CRLF" || l.bareCr) {
    bad(c, R.bareLineEnding);
    return undefined;
  }
  let cmd: Command;
  try {
    cmd = parseCommand(l.line, parseOptions(c));
  } catch (err) {
    if (SmtpSyntaxError.isInstance(err)) {
      bad(c, err.reply);
      return undefined;
    }
    throw err;
  }
  if (c.ctx.shuttingDown && c.tx === undefined && cmd.verb !== "QUIT") {
    c.close(R.shuttingDown);
    return undefined;
  }
  switch (cmd.verb) {
    case "HELO":
    case "EHLO":
      if (c.ctx.lmtp) {
        bad(c, R.useLhlo);
        return undefined;
      }
      return hello(c, cmd.verb, cmd.domain);
    case "LHLO":
      if (!c.ctx.lmtp) {
        bad(c, R.useEhlo);
        return undefined;
      }
      return hello(c, cmd.verb, cmd.domain);
    case "MAIL":
      return mail(c, cmd.from, cmd.params);
    case "RCPT":
      return rcpt(c, cmd.to, cmd.params);
    case "DATA":
      data(c);
      return undefined;
    case "BDAT":
      return bdat(c, cmd.size, cmd.last);
    case "RSET": {
      const reset = c.resetTransaction();
      if (reset !== undefined) return reset.then(() => c.out.add(R.resetOk));
      c.out.add(R.resetOk);
      return undefined;
    }
    case "NOOP":
      c.out.add(R.ok);
      return undefined;
    case "HELP":
      c.out.add(R.help);
      return undefined;
    case "QUIT":
      c.close(R.bye);
      return undefined;
    case "VRFY":
    case "EXPN":
      return lookup(c, cmd.verb, cmd.argument);
    case "STARTTLS":
      return starttls(c);
    case "AUTH":
      return handleAuth(c, cmd.mechanism, cmd.initialResponse);
  }
}

function hello(c: Connection, verb: "HELO" | "EHLO" | "LHLO", domain: string): Promise<void> | undefined {
  // RFC 5321 §4.1.4: EHLO/HELO in a session resets it as RSET does.
  const reset = c.resetTransaction();
  if (reset !== undefined || c.ctx.hooks.onHelo !== undefined) return helloAsync(c, verb, domain, reset);
  greet(c, verb, domain);
  return undefined;
}

async function helloAsync(c: Connection, verb: "HELO" | "EHLO" | "LHLO", domain: string, reset: Promise<void> | undefined): Promise<void> {
  await reset;
  const hook = c.ctx.hooks.onHelo;
  if (hook !== undefined) {
    try {
      await c.guard(hook.call(c.ctx.hooks, domain, c.info));
    } catch (err) {
      c.out.add(c.replyFor(err, "onHelo"));
      return;
    }
  }
  greet(c, verb, domain);
}

function greet(c: Connection, verb: "HELO" | "EHLO" | "LHLO", domain: string): void {
  c.info.helo = { verb, domain };
  c.esmtp = verb !== "HELO";
  // RFC 2034 §4: replies to HELO and EHLO carry no enhanced status code.
  if (verb === "HELO") c.out.addWire(heloReply(c));
  else c.out.addWire(ehloReply(c));
}

/** ESMTP parameters are accepted only when their extension was offered (RFC 5321 §4.1.1.11: 555). */
function mailParamsRefusal(c: Connection, p: MailParams): Reply | undefined {
  const ext = c.ctx.ext;
  if (Object.keys(p).length === 0) return undefined;
  if (!c.esmtp) return R.extensionNeedsEhlo;
  if (p.size !== undefined && !ext.size) return R.parameterNotOffered;
  if (p.body === "8BITMIME" && !ext.eightBitMime) return R.parameterNotOffered;
  if (p.body === "BINARYMIME" && !ext.chunking) return R.parameterNotOffered;
  if (p.smtputf8 === true && !ext.smtputf8) return R.parameterNotOffered;
  if ((p.ret !== undefined || p.envid !== undefined) && !ext.dsn) return R.parameterNotOffered;
  if (p.auth !== undefined && !authAvailable(c)) return R.parameterNotOffered;
  if (p.requireTls === true && !(ext.requireTls && c.info.secure)) {
    return c.info.secure || !ext.requireTls ? R.parameterNotOffered : R.requireTlsNeedsEncryption;
  }
  if (p.mtPriority !== undefined || p.by !== undefined) return R.parameterNotOffered;
  return undefined;
}

function mail(c: Connection, from: Transaction["mailFrom"], params: MailParams): Promise<void> | undefined {
  if (c.info.helo === undefined) {
    bad(c, R.sendHeloFirst);
    return undefined;
  }
  if (c.tx !== undefined) {
    bad(c, R.nestedMail);
    return undefined;
  }
  if (c.ctx.auth.required && c.info.auth === undefined) {
    c.out.add(R.authRequired);
    return undefined;
  }
  const maxTx = c.ctx.limits.maxTransactions;
  if (maxTx > 0 && c.info.transactions >= maxTx) {
    c.close(R.tooManyTransactions);
    return undefined;
  }
  const refusal = mailParamsRefusal(c, params);
  if (refusal !== undefined) {
    c.out.add(refusal);
    return undefined;
  }
  const max = c.ctx.limits.maxMessageSize;
  // RFC 1870 §6: a declared size over the limit is refused at once, 552 5.3.4.
  if (params.size !== undefined && max > 0 && params.size > max) {
    c.out.add(R.messageTooBig);
    return undefined;
  }
  const hook = c.ctx.hooks.onMailFrom;
  if (hook !== undefined) {
    let result: ReturnType<typeof hook>;
    try {
      result = hook.call(c.ctx.hooks, from, params, c.info);
    } catch (err) {
      c.out.add(c.replyFor(err, "onMailFrom"));
      return undefined;
    }
    // Only a hook that returned a promise makes the command wait.
    if (isPromiseLike(result)) return mailAfterHook(c, from, params, result);
  }
  c.beginTransaction(new Transaction(from, params));
  c.out.add(R.okSender);
  return undefined;
}

async function mailAfterHook(c: Connection, from: Transaction["mailFrom"], params: MailParams, result: Promise<void>): Promise<void> {
  try {
    await c.guard(result);
  } catch (err) {
    c.out.add(c.replyFor(err, "onMailFrom"));
    return;
  }
  c.beginTransaction(new Transaction(from, params));
  c.out.add(R.okSender);
}

type Recipient = Parameters<Transaction["addRecipient"]>[0];

function rcpt(c: Connection, to: Recipient, params: RcptParams): Promise<void> | undefined {
  const tx = c.tx;
  if (tx === undefined || tx.transfer !== undefined) {
    bad(c, R.needMail);
    return undefined;
  }
  if (tx.rcptTo.length >= c.ctx.limits.maxRecipients) {
    // RFC 5321 §4.5.3.1.10: 452 4.5.3, the client sends the rest in another transaction.
    c.out.add(R.tooManyRecipients);
    return undefined;
  }
  if ((params.notify !== undefined || params.orcpt !== undefined) && !c.ctx.ext.dsn) {
    c.out.add(R.parameterNotOffered);
    return undefined;
  }
  const hook = c.ctx.hooks.onRcptTo;
  if (hook !== undefined) {
    let result: ReturnType<typeof hook>;
    try {
      result = hook.call(c.ctx.hooks, to, params, c.info);
    } catch (err) {
      c.out.add(c.replyFor(err, "onRcptTo"));
      return undefined;
    }
    if (isPromiseLike(result)) return rcptAfterHook(c, tx, to, params, result);
  } else if (c.info.auth === undefined) {
    // No recipient policy: only authenticated sessions may name recipients. Never an open relay.
    c.out.add(authAvailable(c) ? R.relayDeniedAuth : R.relayDenied);
    return undefined;
  }
  tx.addRecipient(to, params);
  c.out.add(R.okRecipient);
  return undefined;
}

async function rcptAfterHook(c: Connection, tx: Transaction, to: Recipient, params: RcptParams, result: Promise<void>): Promise<void> {
  try {
    await c.guard(result);
  } catch (err) {
    c.out.add(c.replyFor(err, "onRcptTo"));
    return;
  }
  // The transaction may have ended while the hook ran (the connection closed).
  if (c.tx !== tx) return;
  tx.addRecipient(to, params);
  c.out.add(R.okRecipient);
}

function data(c: Connection): void {
  const tx = c.tx;
  if (tx === undefined) {
    bad(c, R.needMail);
    return;
  }
  if (tx.transfer === "BDAT") {
    bad(c, R.dataAfterBdat);
    return;
  }
  if (tx.rcptTo.length === 0) {
    c.out.add(R.needRcpt);
    return;
  }
  if (tx.mailParams.body === "BINARYMIME") {
    bad(c, R.binaryNeedsBdat);
    return;
  }
  // RFC 2920 §3.1: DATA ends a pipelined group; content before our 354 is a client that does not
  // wait, or an injection.
  if ((c.lines.buffered > 0 || c.pending.length > 0) && c.ctx.earlyTalkers === "reject") {
    c.ctx.logger.info({ session: c.info.id }, "message content sent before 354");
    c.close(R.earlyTalker);
    return;
  }
  startData(c, tx);
}

function bdat(c: Connection, size: number, last: boolean): Promise<void> {
  // The chunk's octets follow the command whatever we answer, so they are read even when the
  // command is refused (RFC 3030 §2): otherwise they would be taken for commands.
  let refusal: Reply | undefined;
  const tx = c.tx;
  if (!c.ctx.ext.chunking) refusal = R.notImplemented;
  else if (tx === undefined) refusal = R.needMail;
  else if (tx.rcptTo.length === 0) refusal = R.needRcpt;
  return startBdat(c, size, last, refusal);
}

async function lookup(c: Connection, verb: "VRFY" | "EXPN", argument: string): Promise<void> {
  const hook = verb === "VRFY" ? c.ctx.hooks.onVrfy : c.ctx.hooks.onExpn;
  if (hook === undefined) {
    c.out.add(verb === "VRFY" ? R.cannotVerify : R.notImplemented);
    return;
  }
  try {
    c.out.add(await c.guard(hook.call(c.ctx.hooks, argument, c.info)));
  } catch (err) {
    c.out.add(c.replyFor(err, verb === "VRFY" ? "onVrfy" : "onExpn"));
  }
}

async function starttls(c: Connection): Promise<void> {
  if (c.ctx.tls === undefined || !c.ctx.ext.starttls) return bad(c, R.noTls);
  if (c.info.secure) return bad(c, R.alreadyTls);
  // RFC 3207 §4.2: whatever the client pipelined after STARTTLS is discarded, never executed
  // inside TLS (CVE-2011-0411 and kin).
  c.lines.takeRest();
  c.pending = [];
  // RFC 3207 §4.2: forget everything learnt before TLS; the client must EHLO again.
  await c.resetTransaction();
  c.info.helo = undefined;
  c.info.auth = undefined;
  c.esmtp = false;
  c.out.add(R.readyToStartTls);
  const raw = c.socket;
  c.detach(raw);
  raw.pause();
  c.setMode(Mode.Tls);
  c.out.flush({
    write: (chunk) => {
      // Start the handshake once the 220 is on its way, so no TLS record can overtake it.
      raw.write(chunk, () => {
        void c.upgrade(undefined, "starttls").then((ok) => {
          if (ok) c.kick();
        });
      });
    },
  });
}
