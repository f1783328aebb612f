/**
 * Test harness: smtp-server-core on 127.0.0.1:0 in its default configuration (plus the hooks any real
 * deployment has: which recipients are local, where messages go) or with options/hooks bent to make a
 * weakness; and a one-call probe of some checks.
 */
import type { Readable } from "node:stream";
import { createServer, type Hooks, type ServerOptions, type SmtpServer, SmtpReplyError } from "@smtpkit/smtp-server-core";
import { afterEach } from "vitest";
import { runProbe } from "../runner.js";
import type { CheckResult, ProbeOptions, Report } from "../types.js";
import { TLS_FILES } from "./toy-server.js";

const open: SmtpServer[] = [];
afterEach(async () => {
  const list = open.splice(0);
  await Promise.all(list.map((s) => s.close({ deadline: 200 })));
});

export interface CoreServer {
  readonly port: number;
  /** Messages the server stored (the probe must not complete any without --deliver). */
  readonly messages: Buffer[];
  readonly server: SmtpServer;
}

/**
 * smtp-server-core with default options, STARTTLS with the test certificate, and hooks that accept
 * `postmaster` and `*@mx.test` (554 5.7.1 for anything else: no relay) and keep each message.
 * `options` and `hooks` are merged over that to weaken it.
 */
export async function coreServer(options: ServerOptions = {}, hooks: Hooks = {}): Promise<CoreServer> {
  const messages: Buffer[] = [];
  const server = createServer(
    { hostname: "mx.test", listen: [{ host: "127.0.0.1", port: 0 }], tls: TLS_FILES, ...options },
    {
      onRcptTo(to) {
        const local = "postmaster" in to || to.domain.toLowerCase() === "mx.test";
        if (!local) throw new SmtpReplyError({ code: 554, enhanced: { cls: 5, subject: 7, detail: 1 }, lines: ["relay access denied"] });
      },
      async onData(message: Readable) {
        const parts: Buffer[] = [];
        for await (const part of message) parts.push(part as Buffer);
        messages.push(Buffer.concat(parts));
      },
      ...hooks,
    },
  );
  open.push(server);
  const addrs = await server.listen();
  return { port: (addrs[0] as { port: number }).port, messages, server };
}

/** Probe 127.0.0.1:`port` with short waits; `only` picks the checks. */
export function probe(port: number, only: readonly string[], extra: Partial<ProbeOptions> = {}): Promise<Report> {
  return runProbe({
    host: "127.0.0.1",
    port,
    helo: "client.test",
    rcpt: "postmaster",
    only,
    checkTimeout: 10_000,
    replyTimeout: 3_000,
    quietWait: 400,
    ...extra,
  });
}

/** The result of check `id` (throws when it did not run). */
export function result(report: Report, id: string): CheckResult {
  const r = report.results.find((x) => x.id === id);
  if (r === undefined) throw new Error(`check ${id} did not run; ran ${report.results.map((x) => x.id).join(", ")}`);
  return r;
}

/** For failure messages: the check's verdict and transcript as text. */
export function explain(r: CheckResult): string {
  return [`${r.id}: ${r.status} — ${r.summary}`, ...r.transcript.map((l) => `  ${l.conn} ${l.dir} ${l.text}`)].join("\n");
}
