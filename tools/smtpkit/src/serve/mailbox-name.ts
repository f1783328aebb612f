/**
 * The directory name of a recipient's Maildir under `--maildir DIR`: the address, lower-cased,
 * made safe to use as ONE path component.
 *
 * A local part is attacker-controlled text: a quoted local part may hold `/`, `\`, `..`, spaces
 * and, under SMTPUTF8, any Unicode (RFC 5321 §4.1.2, RFC 6531 §3.3). The name must never leave
 * DIR, never be hidden or special (`.`, `..`, a leading dot is a Maildir++ sub-folder), never
 * exceed NAME_MAX (255 octets), and two different addresses must never share a mailbox. So:
 *
 * - `a-z 0-9 @ . _ + - =` stay as they are (ordinary addresses stay readable: `joe@example.test`);
 * - every other octet of the UTF-8 form, `%` included, becomes `%XX` (upper-case hex), and so does
 *   a leading `.`. This is injective: decoding `%XX` gives back the address;
 * - a name that would be longer than 255 octets (a 64-octet local part of `%XX` escapes and a long
 *   domain can reach ~1 KB) is cut to 190 octets and ends with `~` and the SHA-256 of the whole
 *   address. `~` is always escaped in the first form, so the two forms can never collide.
 */
import { createHash } from "node:crypto";
import type { ForwardPath } from "@smtpkit/smtp-codec";

/** Longest file name on the file systems we run on (NAME_MAX of ext4, xfs, btrfs, tmpfs). */
export const MAX_NAME_OCTETS = 255;

/** Octets kept before `~<hash>` when a name is too long; 190 + 1 + 64 hex digits = 255. */
const TRUNCATED_PREFIX_OCTETS = 190;

const SAFE = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) SAFE[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) SAFE[c] = 1;
for (const ch of "@._+-=") SAFE[ch.charCodeAt(0)] = 1;

const HEX = "0123456789ABCDEF";

/** The address a mailbox is named after: `local@domain` lower-cased, or `postmaster` for `<Postmaster>`. */
export function mailboxAddress(rcpt: ForwardPath): string {
  if ("postmaster" in rcpt) return "postmaster";
  return `${rcpt.localPart}@${rcpt.domain}`.toLowerCase();
}

/** Escape `address` (already lower-cased) into a single safe path component. See the module comment. */
export function encodeMailboxName(address: string): string {
  if (address.length === 0) throw new RangeError("a mailbox name needs a non-empty address");
  const octets = Buffer.from(address, "utf8");
  let out = "";
  for (let i = 0; i < octets.length; i++) {
    // biome-ignore lint/style/noNonNullAssertion: i is in range
    const c = octets[i]!;
    if (c < 0x80 && SAFE[c] === 1 && !(i === 0 && c === 0x2e)) out += String.fromCharCode(c);
    else out += `%${HEX[c >> 4]}${HEX[c & 15]}`;
  }
  // Only ASCII is produced above, so string length equals octet length.
  if (out.length <= MAX_NAME_OCTETS) return out;
  const hash = createHash("sha256").update(octets).digest("hex");
  // Cut before a partial "%XX" escape so the prefix stays readable.
  let cut = TRUNCATED_PREFIX_OCTETS;
  const lastPercent = out.lastIndexOf("%", cut - 1);
  if (lastPercent >= 0 && lastPercent > cut - 3) cut = lastPercent;
  return `${out.slice(0, cut)}~${hash}`;
}

/** The directory name of `rcpt`'s mailbox under the Maildir root. */
export function mailboxName(rcpt: ForwardPath): string {
  return encodeMailboxName(mailboxAddress(rcpt));
}
