/**
 * createServer: listeners, connection accounting (total and per client address), the shared
 * deadline tick, graceful shutdown and `handle()` for streams accepted elsewhere.
 */
import { type AddressInfo, type Server, type Socket, createServer as createNetServer } from "node:net";
import { hostname as osHostname } from "node:os";
import type { Duplex } from "node:stream";
import { formatReply } from "@smtpkit/smtp-codec";
import type { Reply } from "@smtpkit/smtp-codec";
import { reply } from "@smtpkit/smtp-reply-codes";
import { parseCidr } from "./cidr.js";
import type { ResolvedExtensions, ServerContext } from "./context.js";
import { resolveLimits, tickInterval } from "./limits.js";
import { silentLogger } from "./logger.js";
import { wire, wireText } from "./pipeline.js";
import { R } from "./replies.js";
import { Connection, SessionInfo } from "./session.js";
import { TlsConfig } from "./tls.js";
import type { CloseOptions, HandleOptions, Hooks, ServerOptions, SmtpServer, TlsOptions } from "./types.js";

let serverSeq = 0;

export function createServer(options: ServerOptions = {}, hooks: Hooks = {}): SmtpServer {
  const limits = resolveLimits(options.limits);
  const logger = options.logger ?? silentLogger;
  const hostname = options.hostname ?? osHostname();
  // It starts the greeting and the EHLO reply: one word of printable ASCII (RFC 5321 §4.1.1.1).
  if (!/^[\x21-\x7e]{1,255}$/.test(hostname)) throw new RangeError(`hostname must be one word of printable ASCII, got ${JSON.stringify(hostname)}`);
  const lmtp = options.lmtp === true;
  const e = options.extensions ?? {};
  const ext: ResolvedExtensions = Object.freeze({
    pipelining: e.pipelining !== false,
    size: e.size !== false,
    eightBitMime: e.eightBitMime !== false,
    smtputf8: e.smtputf8 !== false,
    enhancedStatusCodes: e.enhancedStatusCodes !== false,
    dsn: e.dsn !== false,
    chunking: e.chunking !== false,
    starttls: e.starttls !== false,
    requireTls: e.requireTls !== false,
  });
  let tls = options.tls === undefined ? undefined : new TlsConfig(options.tls);
  const listenSpecs = options.listen ?? [{ host: "127.0.0.1", port: 2525 }];
  for (const l of listenSpecs) {
    if (l.tls === "implicit" && tls === undefined) throw new RangeError("An implicit-TLS listener needs options.tls");
  }
  const proxyTrusted = (options.proxyProtocol?.trustedFrom ?? []).map(parseCidr);
  // Checked once here: a bad hostname would otherwise fail on every greeting.
  const greeting = wire(formatReply(reply(220, undefined, `${hostname} ${lmtp ? "LMTP" : "ESMTP"} ready`)));

  const sessions = new Set<Connection>();
  const perAddress = new Map<string, number>();
  const servers: Server[] = [];
  let bound: AddressInfo[] = [];
  let ticker: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;
  const prefix = `${(++serverSeq).toString(36)}${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
  let seq = 0;

  const ctx: ServerContext = {
    hooks,
    limits,
    logger,
    hostname,
    lmtp,
    ext,
    get tls() {
      return tls;
    },
    proxyTrusted,
    bareLineEndings: options.bareLineEndings ?? "reject",
    earlyTalkers: options.earlyTalkers ?? "reject",
    compat: options.compat,
    auth: {
      mechanisms: options.auth?.mechanisms,
      allowInsecure: options.auth?.allowInsecure === true,
      required: options.auth?.required === true,
    },
    greeting,
    now: Date.now(),
    ehloCache: new Map(),
    shuttingDown: false,
    admit(address: string): Reply | undefined {
      const n = perAddress.get(address) ?? 0;
      const max = limits.maxConnectionsPerAddress;
      if (max > 0 && n >= max) {
        logger.warn({ address }, "too many connections from one address");
        return R.tooManyConnectionsFromYou;
      }
      perAddress.set(address, n + 1);
      return undefined;
    },
    release(address: string | undefined, session: object): void {
      sessions.delete(session as Connection);
      if (address !== undefined) {
        const n = (perAddress.get(address) ?? 1) - 1;
        if (n <= 0) perAddress.delete(address);
        else perAddress.set(address, n);
      }
      if (sessions.size === 0) stopTicker();
      drained();
    },
    nextId(): string {
      return `${prefix}-${++seq}`;
    },
  };

  let drainWaiters: (() => void)[] = [];
  function drained(): void {
    if (sessions.size > 0) return;
    const waiters = drainWaiters;
    drainWaiters = [];
    for (const w of waiters) w();
  }

  function startTicker(): void {
    if (ticker !== undefined) return;
    ctx.now = Date.now();
    ticker = setInterval(() => {
      const now = Date.now();
      ctx.now = now;
      for (const s of sessions) s.tick(now);
    }, tickInterval(limits));
    ticker.unref();
  }

  function stopTicker(): void {
    if (ticker === undefined) return;
    clearInterval(ticker);
    ticker = undefined;
  }

  function accept(socket: Duplex, implicitTls: boolean, addr: { remote: [string, number]; local: [string, number] }): void {
    socket.on("error", noop);
    if (closing !== undefined) {
      socket.destroy();
      return;
    }
    if (limits.maxConnections > 0 && sessions.size >= limits.maxConnections) {
      logger.warn({ address: addr.remote[0] }, "too many connections");
      // Before TLS or a PROXY header this is all the peer can read; then close.
      socket.end(wireText(R.tooManyConnections, ext.enhancedStatusCodes));
      socket.on("finish", () => socket.destroy());
      return;
    }
    startTicker();
    const info = new SessionInfo(
      ctx.nextId(),
      { address: addr.remote[0], port: addr.remote[1] },
      { address: addr.local[0], port: addr.local[1] },
      lmtp,
    );
    const conn = new Connection(ctx, socket, info, implicitTls);
    sessions.add(conn);
    conn.start();
  }

  /** `bound`: the listener's own address when it is not a wildcard, which is then every connection's local end. */
  function onSocket(socket: Socket, implicitTls: boolean, bound: [string, number] | undefined): void {
    socket.setNoDelay(true);
    accept(socket, implicitTls, {
      remote: [normalizeAddress(socket.remoteAddress), socket.remotePort ?? 0],
      // Asking the socket costs a getsockname(2) per connection; only a wildcard listener needs it.
      local: bound ?? [normalizeAddress(socket.localAddress), socket.localPort ?? 0],
    });
  }

  const server: SmtpServer = {
    async listen() {
      if (servers.length > 0) throw new Error("listen() was already called");
      try {
        for (const spec of listenSpecs) {
          const implicit = spec.tls === "implicit";
          let local: [string, number] | undefined;
          const s = createNetServer({ allowHalfOpen: true }, (socket) => onSocket(socket, implicit, local));
          servers.push(s);
          await new Promise<void>((resolve, reject) => {
            s.once("error", reject);
            const opts: { host: string; port: number; backlog?: number } = { host: spec.host ?? "127.0.0.1", port: spec.port };
            if (spec.backlog !== undefined) opts.backlog = spec.backlog;
            s.listen(opts, () => {
              s.off("error", reject);
              const a = s.address() as AddressInfo;
              if (a.address !== "0.0.0.0" && a.address !== "::") local = [normalizeAddress(a.address), a.port];
              s.on("error", (err) => logger.error({ err: String(err) }, "listener error"));
              resolve();
            });
          });
        }
      } catch (err) {
        // All or nothing: a port in use must not leave the other listeners half-open.
        for (const s of servers.splice(0)) s.close();
        throw err;
      }
      bound = servers.map((s) => s.address() as AddressInfo);
      logger.info({ addresses: bound }, "listening");
      return bound.slice();
    },
    addresses() {
      return bound.slice();
    },
    get connections() {
      return sessions.size;
    },
    handle(socket: Duplex, opts: HandleOptions = {}) {
      const s = socket as Partial<Socket>;
      accept(socket, opts.tls === "implicit", {
        remote: [opts.remoteAddress ?? normalizeAddress(s.remoteAddress), opts.remotePort ?? s.remotePort ?? 0],
        local: [opts.localAddress ?? normalizeAddress(s.localAddress), opts.localPort ?? s.localPort ?? 0],
      });
    },
    reloadTls(next: TlsOptions) {
      if (tls === undefined) tls = new TlsConfig(next);
      else tls.reload(next);
      logger.info({}, "TLS certificates reloaded");
    },
    close(opts: CloseOptions = {}) {
      if (closing !== undefined) return closing;
      const deadline = opts.deadline ?? 30_000;
      ctx.shuttingDown = true;
      const stopped = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      for (const s of sessions) s.shutdownIfIdle();
      const gone = new Promise<void>((resolve) => {
        if (sessions.size === 0) resolve();
        else drainWaiters.push(resolve);
      });
      let timer: NodeJS.Timeout | undefined;
      const cut = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          for (const s of sessions) s.destroy();
          resolve();
        }, deadline);
      });
      closing = Promise.all([stopped, Promise.race([gone, cut])]).then(async () => {
        clearTimeout(timer);
        // Sessions cut at the deadline finish their teardown (onClose) before close() resolves.
        if (sessions.size > 0) await gone;
        stopTicker();
        bound = [];
      });
      return closing;
    },
  };
  return server;
}

function noop(): void {}

/** "::ffff:127.0.0.1" (a dual-stack socket's view of an IPv4 peer) is reported as "127.0.0.1". */
function normalizeAddress(a: string | undefined): string {
  if (a === undefined) return "";
  return a.startsWith("::ffff:") && a.includes(".") ? a.slice(7) : a;
}
