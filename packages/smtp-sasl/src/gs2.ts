/**
 * The GS2 header (RFC 5802 §7, RFC 5801 §4) that starts SCRAM's and OAUTHBEARER's first client
 * message, and the `saslname` escaping of the names in it.
 */
import { SaslError } from "./errors.js";

export type ChannelBindingType = "tls-exporter" | "tls-server-end-point";

export interface Gs2Header {
  /** `n`: no channel binding support; `y`: supported, but the server seemed not to; `p`: bound. */
  readonly flag: "n" | "y" | "p";
  /** The channel binding type after `p=`. */
  readonly cbName?: string;
  /** The authorization identity, unescaped; absent when the header had none. */
  readonly authzid?: string;
  /** The header as it stood, both commas included: it is part of SCRAM's channel binding. */
  readonly raw: string;
}

/** saslname = 1*(value-safe-char / "=2C" / "=3D"), where "," and "=" are escaped (RFC 5802 §7). */
export function encodeSaslname(name: string): string {
  return name.replaceAll("=", "=3D").replaceAll(",", "=2C");
}

/**
 * The name a saslname stands for, or `undefined` when it is not one: empty, a NUL, a "," or an
 * "=" that does not start "=2C" / "=3D".
 */
export function decodeSaslname(text: string): string | undefined {
  if (text.length === 0 || text.includes("\0") || text.includes(",")) return undefined;
  let out = "";
  let from = 0;
  for (let eq = text.indexOf("="); eq !== -1; eq = text.indexOf("=", from)) {
    const seq = text.slice(eq, eq + 3);
    if (seq !== "=2C" && seq !== "=3D") return undefined;
    out += text.slice(from, eq) + (seq === "=2C" ? "," : "=");
    from = eq + 3;
  }
  return out + text.slice(from);
}

const CB_NAME = /^[A-Za-z0-9.-]+$/;

/**
 * gs2-header = gs2-cbind-flag "," [ authzid ] ","
 * gs2-cbind-flag = ("p=" cb-name) / "n" / "y";  authzid = "a=" saslname;
 * cb-name = 1*(ALPHA / DIGIT / "." / "-")  (RFC 5802 §7)
 *
 * Reads the header at the start of `message`; throws `SaslError("malformed")`.
 */
export function parseGs2Header(message: string, mechanism: string): Gs2Header {
  const bad = (why: string) => new SaslError("malformed", `${mechanism}: ${why}`);
  const first = message.indexOf(",");
  const second = first === -1 ? -1 : message.indexOf(",", first + 1);
  if (second === -1) throw bad("gs2 header must be flag,[a=authzid],");
  const flagPart = message.slice(0, first);
  const authPart = message.slice(first + 1, second);
  const raw = message.slice(0, second + 1);

  let header: { flag: "n" | "y" | "p"; cbName?: string };
  if (flagPart === "n" || flagPart === "y") {
    header = { flag: flagPart };
  } else if (flagPart.startsWith("p=") && CB_NAME.test(flagPart.slice(2))) {
    header = { flag: "p", cbName: flagPart.slice(2) };
  } else {
    throw bad("gs2 channel binding flag must be n, y or p=cb-name");
  }
  if (authPart === "") return { ...header, raw };
  const authzid = authPart.startsWith("a=") ? decodeSaslname(authPart.slice(2)) : undefined;
  if (authzid === undefined) throw bad("gs2 authzid must be a=saslname");
  return { ...header, authzid, raw };
}

/** The header for `flag` / `cbName` and an optional authorization identity. */
export function formatGs2Header(flag: "n" | "y" | "p", cbName: string | undefined, authzid: string | undefined): string {
  const cb = flag === "p" ? `p=${cbName}` : flag;
  return `${cb},${authzid === undefined || authzid === "" ? "" : `a=${encodeSaslname(authzid)}`},`;
}
