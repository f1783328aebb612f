/**
 * Deadlines of a session, checked by the server's shared tick: idle time between commands, the
 * time to finish a command line (slowloris), the data timeout and minimum data rate while content
 * arrives, the PROXY header and TLS handshake, and hooks that do not settle.
 */
import { R } from "./replies.js";
import { type Connection, Mode } from "./session.js";

/** A hook (or a stalled message consumer) took longer than `limits.hookTimeout`, or the connection went away. */
export class HookTimeout extends Error {
  override readonly name = "HookTimeout";
}

export function checkDeadlines(c: Connection, now: number): void {
  if (c.mode === Mode.Closed) return;
  const l = c.ctx.limits;
  if (c.hookStart !== 0) {
    // Waiting for the application is not the client's fault: only the hook deadline runs.
    if (l.hookTimeout > 0 && now - c.hookStart > l.hookTimeout) c.hookReject?.(new HookTimeout("hook timed out"));
    return;
  }
  // While the session works, the client is not idle; unless it is the client we are waiting for.
  if (c.busy && !c.awaitingDrain && c.mode !== Mode.Data && c.mode !== Mode.Bdat) return;
  switch (c.mode) {
    case Mode.Proxy:
    case Mode.Tls:
      if (l.handshakeTimeout > 0 && now - c.modeSince > l.handshakeTimeout) c.destroy();
      return;
    case Mode.Data:
    case Mode.Bdat: {
      if (l.dataTimeout > 0 && now - c.lastActivity > l.dataTimeout) {
        c.close(R.timeout);
        return;
      }
      if (l.minDataRate > 0 && c.dataStart !== 0) {
        // The rate counts the time the client had the floor, not time spent waiting for onData's consumer.
        const elapsed = now - c.dataStart - c.dataStalled;
        const grace = Math.max(l.dataTimeout / 6, 1);
        if (elapsed > grace && (c.dataBytes * 1000) / elapsed < l.minDataRate) c.close(R.tooSlow);
      }
      return;
    }
    default:
      if (l.idleTimeout > 0 && now - c.lastActivity > l.idleTimeout) c.close(R.timeout);
      else if (l.commandTimeout > 0 && c.lineStart !== 0 && now - c.lineStart > l.commandTimeout) c.close(R.timeout);
  }
}
