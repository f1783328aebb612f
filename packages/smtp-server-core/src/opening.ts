/**
 * The opening of a session: the PROXY protocol header from trusted balancers, the per-address
 * admission, implicit TLS, onConnect, the early-talker check and the greeting.
 */
import { type Connection, Mode } from "./session.js";
import { parseProxyHeader } from "./proxy-protocol.js";
import { R } from "./replies.js";

/** Accumulate and parse the PROXY header; then hand the rest of the stream to `begin`. */
export function consumeProxy(c: Connection, chunk: Uint8Array): Uint8Array | undefined {
  const buf = c.proxyBuf === undefined ? chunk : Buffer.concat([c.proxyBuf, chunk]);
  const r = parseProxyHeader(buf);
  if (r.status === "incomplete") {
    c.proxyBuf = buf;
    return undefined;
  }
  c.proxyBuf = undefined;
  if (r.status === "invalid") {
    c.ctx.logger.warn({ session: c.info.id, reason: r.reason }, "bad PROXY header");
    c.destroy();
    return undefined;
  }
  const { source, destination } = r.header;
  if (r.header.command === "PROXY" && source !== undefined && destination !== undefined) {
    c.info.proxy = { address: c.info.remoteAddress, port: c.info.remotePort };
    c.info.remoteAddress = source.address;
    c.info.remotePort = source.port;
    c.info.localAddress = destination.address;
    c.info.localPort = destination.port;
  }
  c.setMode(Mode.PreGreet);
  void begin(c, buf.subarray(r.consumed));
  return undefined;
}

/** After any PROXY header: admission, implicit TLS, onConnect, the greeting. */
export async function begin(c: Connection, rest: Uint8Array | undefined): Promise<void> {
  const refused = c.ctx.admit(c.info.remoteAddress);
  if (refused !== undefined) {
    c.close(refused);
    return;
  }
  c.admitted = c.info.remoteAddress;
  if (c.implicitTls) {
    const early = [rest, ...c.pending].filter((b): b is Uint8Array => b !== undefined && b.length > 0);
    c.pending = [];
    if (!(await c.upgrade(early.length === 0 ? undefined : Buffer.concat(early), "implicit"))) return;
  } else if (rest !== undefined && rest.length > 0) {
    c.earlyBytes = true;
    c.lines.push(rest);
  }
  c.connected = true;
  const onConnect = c.ctx.hooks.onConnect;
  if (onConnect !== undefined) {
    try {
      await c.guard(onConnect.call(c.ctx.hooks, c.info));
    } catch (err) {
      c.close(c.replyFor(err, "onConnect"));
      return;
    }
  }
  const delay = c.ctx.limits.greetingDelay;
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  if (c.mode !== Mode.PreGreet) return;
  if ((c.earlyBytes || c.pending.length > 0) && c.ctx.earlyTalkers === "reject") {
    c.ctx.logger.info({ session: c.info.id }, "client talked before the greeting");
    c.close(R.earlyTalker);
    return;
  }
  c.out.addWire(c.ctx.greeting);
  c.setMode(Mode.Command);
  c.flush();
  if (c.lines.buffered > 0 || c.pending.length > 0) c.kick();
}

