/**
 * Test setup: tests talk to 127.0.0.1 only. A `node:dns/promises` Resolver asked to query any other
 * server (the system's, as the default resolver would) throws instead of sending a packet.
 * Test-only: loaded by vitest.config.ts, not exported from the package.
 */
import { Resolver } from "node:dns/promises";

const METHODS = ["resolve", "resolve4", "resolve6", "resolveMx", "resolveCname", "resolveTxt", "resolveAny", "resolveNs", "resolveSoa", "reverse"] as const;

for (const method of METHODS) {
  const original = Resolver.prototype[method] as (...args: unknown[]) => Promise<unknown>;
  Object.defineProperty(Resolver.prototype, method, {
    configurable: true,
    writable: true,
    value: function guarded(this: Resolver, ...args: unknown[]): Promise<unknown> {
      const servers = this.getServers();
      const elsewhere = servers.filter((s) => !s.startsWith("127.0.0.1:") && s !== "127.0.0.1");
      if (elsewhere.length > 0) {
        return Promise.reject(new Error(`test network guard: DNS query to ${elsewhere.join(", ")}; tests may only ask 127.0.0.1`));
      }
      return original.apply(this, args);
    },
  });
}
