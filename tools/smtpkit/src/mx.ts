/**
 * `smtpkit mx <domain>`: the delivery plan for a domain, as `@smtpkit/smtp-dns-mx` computes it, or
 * the typed failure. Exit 0 with a plan, 2 on a permanent failure, 3 on a temporary one.
 */
import { parseArgs } from "node:util";
import {
  createResolver,
  type DeliveryPlan,
  type IpFamilies,
  MxResolutionError,
  parseAllowList,
  resolvePlan,
  type StsVerdict,
} from "@smtpkit/smtp-dns-mx";
import { formatEnhancedCode, type Reply } from "@smtpkit/smtp-reply-codes";
import { EXIT, type Io } from "./verb.js";

export const summary = "where mail for a domain goes: MX hosts in order, their addresses, MTA-STS";

export const usage = `Usage: smtpkit mx <domain> [--dns HOST:PORT] [--json] [options]

Prints the delivery plan for <domain> (a domain name, U-labels allowed, or an address literal such
as [192.0.2.1]): MX hosts in the order to try with their addresses and the MTA-STS mode, or the
failure with the reply an MTA would use.

Options:
  --dns HOST:PORT   ask this DNS server instead of the system's (repeatable; IP address, port optional)
  --json            print one JSON object:
                    {"domain","hosts":[{"preference","host","addresses":[]}],"mtaSts"?,"error"?:{"code","temporary","reply"}}
  --timeout MS      DNS timeout per attempt in milliseconds (default 5000)
  --allow CIDR      allow delivery to these non-public addresses (repeatable), e.g. 127.0.0.0/8
  --family F        both (default), ipv4 or ipv6
  --no-mta-sts      do not check MTA-STS (RFC 8461)
  -h, --help        this text

Exit codes: 0 a plan, 2 permanent failure (bounce), 3 temporary failure (retry), 64 usage error.
`;

/** How long the CLI waits for an MTA-STS policy file (the library's default is RFC 8461's one minute). */
const STS_FETCH_TIMEOUT = 15_000;

interface MxJson {
  readonly domain: string;
  readonly hosts: readonly { readonly preference: number; readonly host: string; readonly addresses: readonly string[] }[];
  readonly mtaSts?: StsVerdict;
  readonly error?: { readonly code: string; readonly temporary: boolean; readonly reply: string };
}

function replyText(reply: Reply): string {
  const enhanced = reply.enhanced === undefined ? "" : ` ${formatEnhancedCode(reply.enhanced)}`;
  return `${reply.code}${enhanced} ${reply.lines.join(" ")}`;
}

function planJson(plan: DeliveryPlan): MxJson {
  const hosts = plan.hosts.map((h) => ({ preference: h.preference, host: h.host, addresses: [...h.addresses] }));
  return plan.mtaSts === undefined ? { domain: plan.domain, hosts } : { domain: plan.domain, hosts, mtaSts: plan.mtaSts };
}

function stsLine(v: StsVerdict): string {
  if (v.status === "none") return `MTA-STS: no policy (${v.reason}${v.detail === undefined ? "" : `: ${v.detail}`})`;
  return `MTA-STS: ${v.mode} (policy ${v.id}, ${v.source}${v.note === undefined ? "" : `; ${v.note}`})`;
}

function planText(plan: DeliveryPlan): string {
  const out: string[] = [];
  const count = `${plan.hosts.length} host${plan.hosts.length === 1 ? "" : "s"}`;
  out.push(`${plan.domain}: ${count}${plan.implicitMx ? " (implicit MX: no MX records, the domain itself)" : ""}`);
  if (plan.mtaSts !== undefined) out.push(stsLine(plan.mtaSts));
  const width = Math.max(...plan.hosts.map((h) => h.host.length));
  for (const h of plan.hosts) {
    const tls = h.tls === undefined ? "" : h.tls.enforce ? "  [TLS required]" : "  [TLS checked, not enforced]";
    out.push(`  ${String(h.preference).padStart(5)}  ${h.host.padEnd(width)}  ${h.addresses.join(", ")}${tls}`);
  }
  if (plan.dropped.length > 0) {
    out.push("left out:");
    for (const d of plan.dropped) {
      out.push(`  ${String(d.preference).padStart(5)}  ${d.host}  ${d.reason}${d.detail === undefined ? "" : ` (${d.detail})`}`);
    }
  }
  return `${out.join("\n")}\n`;
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    io.stderr(`smtpkit mx: ${(error as Error).message}\n\n${usage}`);
    return EXIT.usage;
  }
  if (parsed.help) {
    io.stdout(usage);
    return EXIT.ok;
  }
  const { domain, json, servers, timeout, allow, family, mtaSts } = parsed;

  let resolver: ReturnType<typeof createResolver>;
  try {
    resolver = createResolver({ ...(servers.length > 0 ? { servers } : {}), timeout });
  } catch (error) {
    io.stderr(`smtpkit mx: --dns: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  try {
    const plan = await resolvePlan(domain, {
      resolver,
      allowAddresses: allow,
      ipFamilies: family,
      ...(mtaSts ? { mtaSts: { timeout: STS_FETCH_TIMEOUT } } : {}),
    });
    io.stdout(json ? `${JSON.stringify(planJson(plan))}\n` : planText(plan));
    return EXIT.ok;
  } catch (error) {
    if (!MxResolutionError.isInstance(error)) throw error;
    if (json) {
      const out: MxJson = { domain: error.domain, hosts: [], error: { code: error.code, temporary: error.temporary, reply: replyText(error.reply) } };
      io.stdout(`${JSON.stringify(out)}\n`);
    } else {
      io.stdout(
        `${error.domain}: ${error.temporary ? "temporary" : "permanent"} failure (${error.code}): ${error.message}\n` +
          `reply: ${replyText(error.reply)}\n`,
      );
    }
    return error.temporary ? EXIT.temporary : EXIT.permanent;
  }
}

function parse(args: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      dns: { type: "string", multiple: true },
      json: { type: "boolean" },
      timeout: { type: "string" },
      allow: { type: "string", multiple: true },
      family: { type: "string" },
      "no-mta-sts": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) return { help: true as const };
  if (positionals.length !== 1) throw new Error(positionals.length === 0 ? "a domain is required" : "exactly one domain, please");
  const timeout = values.timeout === undefined ? 5000 : Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout < 1) throw new Error("--timeout takes a positive number of milliseconds");
  const family = (values.family ?? "both") as IpFamilies;
  if (family !== "both" && family !== "ipv4" && family !== "ipv6") throw new Error("--family takes both, ipv4 or ipv6");
  const allow = values.allow ?? [];
  parseAllowList(allow.map((a) => a.trim()));
  return {
    help: false as const,
    domain: positionals[0] as string,
    json: values.json === true,
    servers: values.dns ?? [],
    timeout,
    allow,
    family,
    mtaSts: values["no-mta-sts"] !== true,
  };
}
