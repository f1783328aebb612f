/**
 * "tls-server-end-point" channel-binding data (RFC 5929 §4.1): a hash of the server's certificate,
 * with the hash chosen by the certificate's own signature algorithm:
 *
 * - one hash function, MD5 or SHA-1 → SHA-256;
 * - one hash function, any other → that hash function (a certificate signed with ecdsa-with-SHA384,
 *   as Let's Encrypt's ECDSA intermediates sign, binds with SHA-384);
 * - no hash function or several (Ed25519, Ed448, anything unknown) → undefined: "the channel
 *   bindings are undefined at this time", so -PLUS with this type cannot be used.
 *
 * Pure: DER in, bytes out. Reads only as much of the certificate as it needs (the outer SEQUENCE, the
 * TBSCertificate's extent and the signatureAlgorithm after it, RFC 5280 §4.1), so a certificate it
 * cannot read gives undefined, never a throw.
 */
import { createHash } from "node:crypto";

interface Tlv {
  readonly tag: number;
  /** First octet of the value. */
  readonly start: number;
  /** Octet after the value. */
  readonly end: number;
}

/** One DER tag-length-value at `at`, inside `[at, limit)`; undefined when malformed. */
function readTlv(der: Uint8Array, at: number, limit: number): Tlv | undefined {
  if (at + 2 > limit) return undefined;
  const tag = der[at] as number;
  const first = der[at + 1] as number;
  let start = at + 2;
  let length = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    // Definite lengths of 1-4 octets: certificates are far below 4 GiB; 0x80 (indefinite) is not DER.
    if (n === 0 || n > 4 || start + n > limit) return undefined;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (der[start + i] as number);
    start += n;
  }
  const end = start + length;
  return end > limit ? undefined : { tag, start, end };
}

const SEQUENCE = 0x30;
const OID = 0x06;
const CONTEXT_0 = 0xa0;

const hex = (der: Uint8Array, t: Tlv): string => Buffer.from(der.subarray(t.start, t.end)).toString("hex");

/** signatureAlgorithm OIDs (DER content, hex) that name one hash function. */
const SIGNATURE_HASH: ReadonlyMap<string, string> = new Map([
  ["2a864886f70d010104", "md5"], // md5WithRSAEncryption
  ["2a864886f70d010105", "sha1"], // sha1WithRSAEncryption
  ["2a864886f70d01010e", "sha224"], // sha224WithRSAEncryption
  ["2a864886f70d01010b", "sha256"], // sha256WithRSAEncryption
  ["2a864886f70d01010c", "sha384"], // sha384WithRSAEncryption
  ["2a864886f70d01010d", "sha512"], // sha512WithRSAEncryption
  ["2a8648ce3d0401", "sha1"], // ecdsa-with-SHA1
  ["2a8648ce3d040301", "sha224"], // ecdsa-with-SHA224
  ["2a8648ce3d040302", "sha256"], // ecdsa-with-SHA256
  ["2a8648ce3d040303", "sha384"], // ecdsa-with-SHA384
  ["2a8648ce3d040304", "sha512"], // ecdsa-with-SHA512
  ["2a8648ce380403", "sha1"], // id-dsa-with-sha1
  ["608648016503040301", "sha224"], // id-dsa-with-sha224
  ["608648016503040302", "sha256"], // id-dsa-with-sha256
]);

/** Hash algorithm OIDs, for RSASSA-PSS parameters (RFC 4055 §3.1). */
const HASH: ReadonlyMap<string, string> = new Map([
  ["2b0e03021a", "sha1"],
  ["608648016503040204", "sha224"],
  ["608648016503040201", "sha256"],
  ["608648016503040202", "sha384"],
  ["608648016503040203", "sha512"],
]);

const RSASSA_PSS = "2a864886f70d01010a";

/** The one hash function of a signatureAlgorithm AlgorithmIdentifier, or undefined. */
function signatureHash(der: Uint8Array, alg: Tlv): string | undefined {
  const oid = readTlv(der, alg.start, alg.end);
  if (oid === undefined || oid.tag !== OID) return undefined;
  const name = hex(der, oid);
  if (name !== RSASSA_PSS) return SIGNATURE_HASH.get(name);
  // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] HashAlgorithm DEFAULT sha1, maskGenAlgorithm [1] …,
  // … } (RFC 4055 §3.1). The mask generation uses a hash too (MGF1), but over the same function in
  // practice; the signature's hash is the one named here.
  const params = readTlv(der, oid.end, alg.end);
  if (params === undefined || params.tag !== SEQUENCE) return "sha1";
  const first = readTlv(der, params.start, params.end);
  if (first === undefined || first.tag !== CONTEXT_0) return "sha1";
  const hashAlg = readTlv(der, first.start, first.end);
  if (hashAlg === undefined || hashAlg.tag !== SEQUENCE) return undefined;
  const hashOid = readTlv(der, hashAlg.start, hashAlg.end);
  return hashOid === undefined || hashOid.tag !== OID ? undefined : HASH.get(hex(der, hashOid));
}

/**
 * The "tls-server-end-point" channel binding of a DER certificate (RFC 5929 §4.1), or undefined when
 * RFC 5929 leaves it undefined (no single hash function) or the certificate cannot be read.
 */
export function tlsServerEndPoint(certificate: Uint8Array): Uint8Array | undefined {
  const cert = readTlv(certificate, 0, certificate.length);
  if (cert === undefined || cert.tag !== SEQUENCE) return undefined;
  const tbs = readTlv(certificate, cert.start, cert.end);
  if (tbs === undefined || tbs.tag !== SEQUENCE) return undefined;
  const alg = readTlv(certificate, tbs.end, cert.end);
  if (alg === undefined || alg.tag !== SEQUENCE) return undefined;
  const hash = signatureHash(certificate, alg);
  if (hash === undefined) return undefined;
  const chosen = hash === "md5" || hash === "sha1" ? "sha256" : hash;
  return new Uint8Array(createHash(chosen).update(certificate).digest());
}
