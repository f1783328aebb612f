/** The MTA-STS TXT record at `_mta-sts.<domain>` (RFC 8461 §3.1). */

/** A parsed `v=STSv1` record: the policy id and any extension fields, in order. */
export interface StsRecord {
  readonly id: string;
  readonly extensions: readonly (readonly [name: string, value: string])[];
}

const VERSION = /^v=STSv1[ \t]*;/;
const ID = /^[A-Za-z0-9]{1,32}$/;
const EXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const EXT_VALUE = /^[\x21-\x3a\x3c\x3e-\x7e]+$/;

/**
 * sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
 * sts-field       = sts-id / sts-extension
 * sts-field-delim = *WSP ";" *WSP
 * sts-version     = %s"v=STSv1"
 * sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
 * sts-extension   = sts-ext-name "=" sts-ext-value
 * (RFC 8461 §3.1). Returns `undefined` for a record that does not match, including one without `id`.
 * A second `id` is ignored (the first wins, as for duplicated policy fields in §3.2).
 */
export function parseStsRecord(text: string): StsRecord | undefined {
  if (!VERSION.test(text) && text.replace(/[ \t]+$/, "") !== "v=STSv1") return undefined;
  const fields = text.split(";").map((f) => f.replace(/^[ \t]+|[ \t]+$/g, ""));
  // fields[0] is the version; a trailing delimiter leaves one empty field at the end.
  if (fields[fields.length - 1] === "") fields.pop();
  let id: string | undefined;
  const extensions: (readonly [string, string])[] = [];
  for (const field of fields.slice(1)) {
    const eq = field.indexOf("=");
    if (eq <= 0) return undefined;
    const name = field.slice(0, eq);
    const value = field.slice(eq + 1);
    if (name === "id") {
      if (!ID.test(value)) return undefined;
      id ??= value;
    } else {
      if (!EXT_NAME.test(name) || !EXT_VALUE.test(value)) return undefined;
      extensions.push([name, value]);
    }
  }
  return id === undefined ? undefined : { id, extensions };
}

/** The outcome of reading the TXT records of `_mta-sts.<domain>`. */
export type StsRecordResult =
  | { readonly kind: "record"; readonly record: StsRecord }
  | { readonly kind: "none" | "multiple" | "invalid" };

/**
 * From the TXT answer to one record: "If the resulting TXT record contains multiple strings, then
 * the record MUST be treated as if those strings are concatenated without adding spaces" and
 * "records that do not begin with "v=STSv1;" are discarded. If the number of resulting records is
 * not one, or if the resulting record is syntactically invalid, senders MUST assume the recipient
 * domain does not have an available MTA-STS Policy" (RFC 8461 §3.1).
 */
export function selectStsRecord(txt: readonly (readonly string[])[]): StsRecordResult {
  const candidates = txt.map((strings) => strings.join("")).filter((r) => VERSION.test(r) || /^v=STSv1[ \t]*$/.test(r));
  if (candidates.length === 0) return { kind: "none" };
  if (candidates.length > 1) return { kind: "multiple" };
  const record = parseStsRecord(candidates[0] as string);
  return record === undefined ? { kind: "invalid" } : { kind: "record", record };
}
