/**
 * The IANA "Simple Mail Transfer Protocol (SMTP) Enhanced Status Codes" registry (RFC 5248), as
 * data: its three tables, Class Sub-Codes, Subject Sub-Codes and Enumerated Status Codes.
 *
 * Transcribed from IANA's published registry (the Enumerated Status Codes table runs X.0.0 to
 * X.7.30, 81 entries; the registry file names 2024-12-06 as its last update). Sample texts,
 * associated basic status codes and descriptions are IANA's, with line breaks folded into spaces.
 * References are written "RFC nnnn"; one entry (X.7.28) cites an Internet-Draft.
 */

/** A row of the Class Sub-Codes table (RFC 3463 §2). */
export interface EnhancedClassEntry {
  /** IANA's form: `"2.XXX.YYY"`, `"4.XXX.YYY"` or `"5.XXX.YYY"`. */
  readonly code: `${2 | 4 | 5}.XXX.YYY`;
  readonly cls: 2 | 4 | 5;
  readonly summary: string;
  readonly description: string;
  readonly references: readonly string[];
}

/** A row of the Subject Sub-Codes table (RFC 3463 §2). */
export interface EnhancedSubjectEntry {
  /** IANA's form: `"X.0.YYY"` … `"X.7.YYY"`. */
  readonly code: `X.${number}.YYY`;
  readonly subject: number;
  readonly summary: string;
  readonly description: string;
  readonly references: readonly string[];
}

/** A row of the Enumerated Status Codes table: one `X.subject.detail` for every class. */
export interface EnhancedStatusEntry {
  /** IANA's form, with `X` for the class: `"X.1.1"`. */
  readonly code: `X.${number}.${number}`;
  readonly subject: number;
  readonly detail: number;
  /** IANA's sample text; empty only for the deprecated X.6.10, which IANA gives none. */
  readonly sampleText: string;
  /**
   * The basic reply codes IANA associates with the entry; empty where IANA says "Not given" or
   * gives no list. The association is IANA's note of common use, not a rule: other pairings with a
   * reply code of the same class are allowed (RFC 3463 §2).
   */
  readonly basicCodes: readonly number[];
  /** IANA's wording where it says more than a list: "Any", "5XX", "other 4XX or 5XX codes are allowed". */
  readonly basicCodesNote?: string;
  readonly description: string;
  readonly references: readonly string[];
  /** Set on X.6.10, which IANA lists as a deprecated duplicate of X.6.8. */
  readonly deprecated?: true;
}

function freezeClass(entry: EnhancedClassEntry): EnhancedClassEntry {
  return Object.freeze({ ...entry, references: Object.freeze([...entry.references]) });
}

function subjectEntry(subject: number, summary: string, description: string): EnhancedSubjectEntry {
  return Object.freeze({
    code: `X.${subject}.YYY` as const,
    subject,
    summary,
    description,
    references: Object.freeze(["RFC 3463"]),
  });
}

function entry(
  code: `X.${number}.${number}`,
  sampleText: string,
  basicCodes: readonly number[],
  description: string,
  references: readonly string[],
  extra: { readonly basicCodesNote?: string; readonly deprecated?: true } = {},
): EnhancedStatusEntry {
  const [, subject, detail] = code.split(".").map(Number) as [number, number, number];
  return Object.freeze({
    code,
    subject,
    detail,
    sampleText,
    basicCodes: Object.freeze([...basicCodes]),
    ...extra,
    description,
    references: Object.freeze([...references]),
  });
}

/** Class Sub-Codes (RFC 3463 §2; IANA table 1). */
export const ENHANCED_CLASSES: readonly EnhancedClassEntry[] = Object.freeze([
  freezeClass({
    code: "2.XXX.YYY",
    cls: 2,
    summary: "Success",
    description:
      "Success specifies that the DSN is reporting a positive delivery action. Detail sub-codes may provide notification of transformations required for delivery.",
    references: ["RFC 3463"],
  }),
  freezeClass({
    code: "4.XXX.YYY",
    cls: 4,
    summary: "Persistent Transient Failure",
    description:
      "A persistent transient failure is one in which the message as sent is valid, but persistence of some temporary condition has caused abandonment or delay of attempts to send the message. If this code accompanies a delivery failure report, sending in the future may be successful.",
    references: ["RFC 3463"],
  }),
  freezeClass({
    code: "5.XXX.YYY",
    cls: 5,
    summary: "Permanent Failure",
    description:
      "A permanent failure is one which is not likely to be resolved by resending the message in the current form. Some change to the message or the destination must be made for successful delivery.",
    references: ["RFC 3463"],
  }),
]);

/** Subject Sub-Codes (RFC 3463 §2; IANA table 2). */
export const ENHANCED_SUBJECTS: readonly EnhancedSubjectEntry[] = Object.freeze([
  subjectEntry(0, "Other or Undefined Status", "There is no additional subject information available."),
  subjectEntry(
    1,
    "Addressing Status",
    "The address status reports on the originator or destination address. It may include address syntax or validity. These errors can generally be corrected by the sender and retried.",
  ),
  subjectEntry(
    2,
    "Mailbox Status",
    "Mailbox status indicates that something having to do with the mailbox has caused this DSN. Mailbox issues are assumed to be under the general control of the recipient.",
  ),
  subjectEntry(
    3,
    "Mail System Status",
    "Mail system status indicates that something having to do with the destination system has caused this DSN. System issues are assumed to be under the general control of the destination system administrator.",
  ),
  subjectEntry(
    4,
    "Network and Routing Status",
    "The networking or routing codes report status about the delivery system itself. These system components include any necessary infrastructure such as directory and routing services. Network issues are assumed to be under the control of the destination or intermediate system administrator.",
  ),
  subjectEntry(
    5,
    "Mail Delivery Protocol Status",
    "The mail delivery protocol status codes report failures involving the message delivery protocol. These failures include the full range of problems resulting from implementation errors or an unreliable connection.",
  ),
  subjectEntry(
    6,
    "Message Content or Media Status",
    "The message content or media status codes report failures involving the content of the message. These codes report failures due to translation, transcoding, or otherwise unsupported message media. Message content or media issues are under the control of both the sender and the receiver, both of which must support a common set of supported content-types.",
  ),
  subjectEntry(
    7,
    "Security or Policy Status",
    "The security or policy status codes report failures involving policies such as per-recipient or per-host filtering and cryptographic operations. Security and policy status issues are assumed to be under the control of either or both the sender and recipient. Both the sender and recipient must permit the exchange of messages and arrange the exchange of necessary keys and certificates for cryptographic operations.",
  ),
]);

const R3463 = ["RFC 3463"];

/** Enumerated Status Codes (IANA table 3), in registry order. */
export const ENHANCED_STATUS_CODES: readonly EnhancedStatusEntry[] = Object.freeze([
  // X.0.X Other or Undefined Status
  entry(
    "X.0.0",
    "Other undefined Status",
    [],
    "Other undefined status is the only undefined error code. It should be used for all errors for which only the class of the error is known.",
    R3463,
    { basicCodesNote: "Any" },
  ),

  // X.1.X Addressing Status
  entry("X.1.0", "Other address status", [], "Something about the address specified in the message caused this DSN.", R3463),
  entry(
    "X.1.1",
    "Bad destination mailbox address",
    [451, 550],
    'The mailbox specified in the address does not exist. For Internet mail names, this means the address portion to the left of the "@" sign is invalid. This code is only useful for permanent failures.',
    R3463,
  ),
  entry(
    "X.1.2",
    "Bad destination system address",
    [],
    'The destination system specified in the address does not exist or is incapable of accepting mail. For Internet mail names, this means the address portion to the right of the "@" is invalid for mail. This code is only useful for permanent failures.',
    R3463,
  ),
  entry(
    "X.1.3",
    "Bad destination mailbox address syntax",
    [501],
    "The destination address was syntactically invalid. This can apply to any field in the address. This code is only useful for permanent failures.",
    R3463,
  ),
  entry(
    "X.1.4",
    "Destination mailbox address ambiguous",
    [],
    "The mailbox address as specified matches one or more recipients on the destination system. This may result if a heuristic address mapping algorithm is used to map the specified address to a local mailbox name.",
    R3463,
  ),
  entry(
    "X.1.5",
    "Destination address valid",
    [250],
    "This mailbox address as specified was valid. This status code should be used for positive delivery reports.",
    R3463,
  ),
  entry(
    "X.1.6",
    "Destination mailbox has moved, No forwarding address",
    [],
    "The mailbox address provided was at one time valid, but mail is no longer being accepted for that address. This code is only useful for permanent failures.",
    R3463,
  ),
  entry(
    "X.1.7",
    "Bad sender's mailbox address syntax",
    [],
    "The sender's address was syntactically invalid. This can apply to any field in the address.",
    R3463,
  ),
  entry(
    "X.1.8",
    "Bad sender's system address",
    [451, 501],
    'The sender\'s system specified in the address does not exist or is incapable of accepting return mail. For domain names, this means the address portion to the right of the "@" is invalid for mail.',
    R3463,
  ),
  entry(
    "X.1.9",
    "Message relayed to non-compliant mailer",
    [],
    "The mailbox address specified was valid, but the message has been relayed to a system that does not speak this protocol; no further information can be provided.",
    ["RFC 3886"],
  ),
  entry(
    "X.1.10",
    "Recipient address has null MX",
    [556],
    "This status code is returned when the associated address is marked as invalid using a null MX.",
    ["RFC 7505", "RFC 7504"],
  ),

  // X.2.X Mailbox Status
  entry(
    "X.2.0",
    "Other or undefined mailbox status",
    [],
    "The mailbox exists, but something about the destination mailbox has caused the sending of this DSN.",
    R3463,
  ),
  entry(
    "X.2.1",
    "Mailbox disabled, not accepting messages",
    [],
    "The mailbox exists, but is not accepting messages. This may be a permanent error if the mailbox will never be re-enabled or a transient error if the mailbox is only temporarily disabled.",
    R3463,
  ),
  entry(
    "X.2.2",
    "Mailbox full",
    [552],
    "The mailbox is full because the user has exceeded a per-mailbox administrative quota or physical capacity. The general semantics implies that the recipient can delete messages to make more space available. This code should be used as a persistent transient failure.",
    R3463,
  ),
  entry(
    "X.2.3",
    "Message length exceeds administrative limit",
    [552],
    "A per-mailbox administrative message length limit has been exceeded. This status code should be used when the per-mailbox message length limit is less than the general system limit. This code should be used as a permanent failure.",
    R3463,
  ),
  entry(
    "X.2.4",
    "Mailing list expansion problem",
    [450, 452],
    "The mailbox is a mailing list address and the mailing list was unable to be expanded. This code may represent a permanent failure or a persistent transient failure.",
    R3463,
  ),

  // X.3.X Mail System Status
  entry(
    "X.3.0",
    "Other or undefined mail system status",
    [221, 250, 421, 451, 550, 554],
    "The destination system exists and normally accepts mail, but something about the system has caused the generation of this DSN.",
    R3463,
  ),
  entry(
    "X.3.1",
    "Mail system full",
    [452],
    "Mail system storage has been exceeded. The general semantics imply that the individual recipient may not be able to delete material to make room for additional messages. This is useful only as a persistent transient error.",
    R3463,
  ),
  entry(
    "X.3.2",
    "System not accepting network messages",
    [453, 521],
    "The host on which the mailbox is resident is not accepting messages. Examples of such conditions include an imminent shutdown, excessive load, or system maintenance. This is useful for both permanent and persistent transient errors.",
    ["RFC 3463", "RFC 7504"],
  ),
  entry(
    "X.3.3",
    "System not capable of selected features",
    [],
    "Selected features specified for the message are not supported by the destination system. This can occur in gateways when features from one domain cannot be mapped onto the supported feature in another.",
    R3463,
  ),
  entry(
    "X.3.4",
    "Message too big for system",
    [552, 554],
    "The message is larger than per-message size limit. This limit may either be for physical or administrative reasons. This is useful only as a permanent error.",
    R3463,
  ),
  entry(
    "X.3.5",
    "System incorrectly configured",
    [],
    "The system is not configured in a manner that will permit it to accept this message.",
    R3463,
  ),
  entry(
    "X.3.6",
    "Requested priority was changed",
    [250, 251],
    "The message was accepted for relay/delivery, but the requested priority (possibly the implied default) was not honoured. The human readable text after the status code contains the new priority, followed by SP (space) and explanatory human readable text.",
    ["RFC 6710"],
  ),

  // X.4.X Network and Routing Status
  entry(
    "X.4.0",
    "Other or undefined network or routing status",
    [],
    "Something went wrong with the networking, but it is not clear what the problem is, or the problem cannot be well expressed with any of the other provided detail codes.",
    R3463,
  ),
  entry(
    "X.4.1",
    "No answer from host",
    [451],
    "The outbound connection attempt was not answered, because either the remote system was busy, or was unable to take a call. This is useful only as a persistent transient error.",
    R3463,
  ),
  entry(
    "X.4.2",
    "Bad connection",
    [421],
    "The outbound connection was established, but was unable to complete the message transaction, either because of time-out, or inadequate connection quality. This is useful only as a persistent transient error.",
    R3463,
  ),
  entry(
    "X.4.3",
    "Directory server failure",
    [451, 550],
    "The network system was unable to forward the message, because a directory server was unavailable. This is useful only as a persistent transient error. The inability to connect to an Internet DNS server is one example of the directory server failure error.",
    R3463,
  ),
  entry(
    "X.4.4",
    "Unable to route",
    [],
    "The mail system was unable to determine the next hop for the message because the necessary routing information was unavailable from the directory server. This is useful for both permanent and persistent transient errors. A DNS lookup returning only an SOA (Start of Administration) record for a domain name is one example of the unable to route error.",
    R3463,
  ),
  entry(
    "X.4.5",
    "Mail system congestion",
    [451],
    "The mail system was unable to deliver the message because the mail system was congested. This is useful only as a persistent transient error.",
    R3463,
  ),
  entry(
    "X.4.6",
    "Routing loop detected",
    [],
    "A routing loop caused the message to be forwarded too many times, either because of incorrect routing tables or a user-forwarding loop. This is useful only as a persistent transient error.",
    R3463,
  ),
  entry(
    "X.4.7",
    "Delivery time expired",
    [],
    "The message was considered too old by the rejecting system, either because it remained on that host too long or because the time-to-live value specified by the sender of the message was exceeded. If possible, the code for the actual problem found when delivery was attempted should be returned rather than this code.",
    R3463,
  ),

  // X.5.X Mail Delivery Protocol Status
  entry(
    "X.5.0",
    "Other or undefined protocol status",
    [220, 250, 251, 252, 253, 451, 452, 454, 458, 459, 501, 502, 503, 554],
    "Something was wrong with the protocol necessary to deliver the message to the next hop and the problem cannot be well expressed with any of the other provided detail codes.",
    R3463,
  ),
  entry(
    "X.5.1",
    "Invalid command",
    [430, 500, 501, 503, 530, 550, 554, 555],
    "A mail transaction protocol command was issued which was either out of sequence or unsupported. This is useful only as a permanent error.",
    R3463,
  ),
  entry(
    "X.5.2",
    "Syntax error",
    [500, 501, 502, 550, 555],
    "A mail transaction protocol command was issued which could not be interpreted, either because the syntax was wrong or the command is unrecognized. This is useful only as a permanent error.",
    R3463,
  ),
  entry(
    "X.5.3",
    "Too many recipients",
    [451],
    "More recipients were specified for the message than could have been delivered by the protocol. This error should normally result in the segmentation of the message into two, the remainder of the recipients to be delivered on a subsequent delivery attempt. It is included in this list in the event that such segmentation is not possible.",
    R3463,
  ),
  entry(
    "X.5.4",
    "Invalid command arguments",
    [451, 501, 502, 503, 504, 550, 555],
    "A valid mail transaction protocol command was issued with invalid arguments, either because the arguments were out of range or represented unrecognized features. This is useful only as a permanent error.",
    R3463,
  ),
  entry(
    "X.5.5",
    "Wrong protocol version",
    [],
    "A protocol version mis-match existed which could not be automatically resolved by the communicating parties.",
    R3463,
  ),
  entry(
    "X.5.6",
    "Authentication Exchange line is too long",
    [500],
    "This enhanced status code SHOULD be returned when the server fails the AUTH command due to the client sending a [BASE64] response which is longer than the maximum buffer size available for the currently selected SASL mechanism. This is useful for both permanent and persistent transient errors.",
    ["RFC 4954"],
  ),

  // X.6.X Message Content or Media Status
  entry(
    "X.6.0",
    "Other or undefined media error",
    [],
    "Something about the content of a message caused it to be considered undeliverable and the problem cannot be well expressed with any of the other provided detail codes.",
    R3463,
  ),
  entry(
    "X.6.1",
    "Media not supported",
    [],
    "The media of the message is not supported by either the delivery protocol or the next system in the forwarding path. This is useful only as a permanent error.",
    R3463,
  ),
  entry(
    "X.6.2",
    "Conversion required and prohibited",
    [],
    "The content of the message must be converted before it can be delivered and such conversion is not permitted. Such prohibitions may be the expression of the sender in the message itself or the policy of the sending host.",
    R3463,
  ),
  entry(
    "X.6.3",
    "Conversion required but not supported",
    [554],
    "The message content must be converted in order to be forwarded but such conversion is not possible or is not practical by a host in the forwarding path. This condition may result when an ESMTP gateway supports 8bit transport but is not able to downgrade the message to 7 bit as required for the next hop.",
    R3463,
  ),
  entry(
    "X.6.4",
    "Conversion with loss performed",
    [250],
    "This is a warning sent to the sender when message delivery was successfully but when the delivery required a conversion in which some data was lost. This may also be a permanent error if the sender has indicated that conversion with loss is prohibited for the message.",
    R3463,
  ),
  entry(
    "X.6.5",
    "Conversion Failed",
    [],
    "A conversion was required but was unsuccessful. This may be useful as a permanent or persistent temporary notification.",
    R3463,
  ),
  entry(
    "X.6.6",
    "Message content not available",
    [554],
    "The message content could not be fetched from a remote system. This may be useful as a permanent or persistent temporary notification.",
    ["RFC 4468"],
  ),
  entry(
    "X.6.7",
    "Non-ASCII addresses not permitted for that sender/recipient",
    [553, 550],
    "This indicates the reception of a MAIL or RCPT command that non-ASCII addresses are not permitted",
    ["RFC 6531"],
  ),
  entry(
    "X.6.8",
    "UTF-8 string reply is required, but not permitted by the SMTP client",
    [252, 553, 550],
    "This indicates that a reply containing a UTF-8 string is required to show the mailbox name, but that form of response is not permitted by the SMTP client.",
    ["RFC 6531"],
  ),
  entry(
    "X.6.9",
    "UTF-8 header message cannot be transferred to one or more recipients, so the message must be rejected",
    [550],
    'This indicates that transaction failed after the final "." of the DATA command.',
    ["RFC 6531"],
  ),
  entry("X.6.10", "", [], "This is a duplicate of X.6.8 and is thus deprecated.", ["RFC 6531"], { deprecated: true }),

  // X.7.X Security or Policy Status
  entry(
    "X.7.0",
    "Other or undefined security status",
    [220, 235, 450, 454, 500, 501, 503, 504, 530, 535, 550],
    "Something related to security caused the message to be returned, and the problem cannot be well expressed with any of the other provided detail codes. This status code may also be used when the condition cannot be further described because of security policies in force.",
    R3463,
  ),
  entry(
    "X.7.1",
    "Delivery not authorized, message refused",
    [451, 454, 502, 503, 533, 550, 551],
    "The sender is not authorized to send to the destination. This can be the result of per-host or per-recipient filtering. This memo does not discuss the merits of any such filtering, but provides a mechanism to report such. This is useful only as a permanent error.",
    R3463,
  ),
  entry(
    "X.7.2",
    "Mailing list expansion prohibited",
    [550],
    "The sender is not authorized to send a message to the intended mailing list. This is useful only as a permanent error.",
    R3463,
  ),
  entry(
    "X.7.3",
    "Security conversion required but not possible",
    [],
    "A conversion from one secure messaging protocol to another was required for delivery and such conversion was not possible. This is useful only as a permanent error.",
    R3463,
  ),
  entry(
    "X.7.4",
    "Security features not supported",
    [504],
    "A message contained security features such as secure authentication that could not be supported on the delivery protocol. This is useful only as a permanent error.",
    R3463,
  ),
  entry(
    "X.7.5",
    "Cryptographic failure",
    [],
    "A transport system otherwise authorized to validate or decrypt a message in transport was unable to do so because necessary information such as key was not available or such information was invalid.",
    R3463,
  ),
  entry(
    "X.7.6",
    "Cryptographic algorithm not supported",
    [],
    "A transport system otherwise authorized to validate or decrypt a message was unable to do so because the necessary algorithm was not supported.",
    R3463,
  ),
  entry(
    "X.7.7",
    "Message integrity failure",
    [],
    "A transport system otherwise authorized to validate a message was unable to do so because the message was corrupted or altered. This may be useful as a permanent, transient persistent, or successful delivery code.",
    R3463,
  ),
  entry(
    "X.7.8",
    "Authentication credentials invalid",
    [535, 554],
    "This response to the AUTH command indicates that the authentication failed due to invalid or insufficient authentication credentials. In this case, the client SHOULD ask the user to supply new credentials (such as by presenting a password dialog box).",
    ["RFC 4954"],
  ),
  entry(
    "X.7.9",
    "Authentication mechanism is too weak",
    [534],
    "This response to the AUTH command indicates that the selected authentication mechanism is weaker than server policy permits for that user. The client SHOULD retry with a new authentication mechanism.",
    ["RFC 4954"],
  ),
  entry(
    "X.7.10",
    "Encryption Needed",
    [523],
    "This indicates that external strong privacy layer is needed in order to use the requested authentication mechanism. This is primarily intended for use with clear text authentication mechanisms. A client which receives this may activate a security layer such as TLS prior to authenticating, or attempt to use a stronger mechanism.",
    ["RFC 5248"],
  ),
  entry(
    "X.7.11",
    "Encryption required for requested authentication mechanism",
    [524, 538],
    "This response to the AUTH command indicates that the selected authentication mechanism may only be used when the underlying SMTP connection is encrypted. Note that this response code is documented here for historical purposes only. Modern implementations SHOULD NOT advertise mechanisms that are not permitted due to lack of encryption, unless an encryption layer of sufficient strength is currently being employed.",
    ["RFC 4954"],
  ),
  entry(
    "X.7.12",
    "A password transition is needed",
    [422, 432],
    "This response to the AUTH command indicates that the user needs to transition to the selected authentication mechanism. This is typically done by authenticating once using the [PLAIN] authentication mechanism. The selected mechanism SHOULD then work for authentications in subsequent sessions.",
    ["RFC 4954"],
  ),
  entry(
    "X.7.13",
    "User Account Disabled",
    [525],
    "Sometimes a system administrator will have to disable a user's account (e.g., due to lack of payment, abuse, evidence of a break-in attempt, etc). This error code occurs after a successful authentication to a disabled account. This informs the client that the failure is permanent until the user contacts their system administrator to get the account re-enabled. It differs from a generic authentication failure where the client's best option is to present the passphrase entry dialog in case the user simply mistyped their passphrase.",
    ["RFC 5248"],
  ),
  entry(
    "X.7.14",
    "Trust relationship required",
    [535, 554],
    "The submission server requires a configured trust relationship with a third-party server in order to access the message content. This value replaces the prior use of X.7.8 for this error condition. thereby updating [RFC4468].",
    ["RFC 5248"],
  ),
  entry(
    "X.7.15",
    "Priority Level is too low",
    [450, 550],
    "The specified priority level is below the lowest priority acceptable for the receiving SMTP server. This condition might be temporary, for example the server is operating in a mode where only higher priority messages are accepted for transfer and delivery, while lower priority messages are rejected.",
    ["RFC 6710"],
    { basicCodesNote: "other 4XX or 5XX codes are allowed" },
  ),
  entry(
    "X.7.16",
    "Message is too big for the specified priority",
    [552],
    "The message is too big for the specified priority. This condition might be temporary, for example the server is operating in a mode where only higher priority messages below certain size are accepted for transfer and delivery.",
    ["RFC 6710"],
    { basicCodesNote: "other 4XX or 5XX codes are allowed" },
  ),
  entry(
    "X.7.17",
    "Mailbox owner has changed",
    [],
    "This status code is returned when a message is received with a Require-Recipient-Valid-Since field or RRVS extension and the receiving system is able to determine that the intended recipient mailbox has not been under continuous ownership since the specified date-time.",
    ["RFC 7293"],
    { basicCodesNote: "5XX" },
  ),
  entry(
    "X.7.18",
    "Domain owner has changed",
    [],
    "This status code is returned when a message is received with a Require-Recipient-Valid-Since field or RRVS extension and the receiving system wishes to disclose that the owner of the domain name of the recipient has changed since the specified date-time.",
    ["RFC 7293"],
    { basicCodesNote: "5XX" },
  ),
  entry(
    "X.7.19",
    "RRVS test cannot be completed",
    [],
    "This status code is returned when a message is received with a Require-Recipient-Valid-Since field or RRVS extension and the receiving system cannot complete the requested evaluation because the required timestamp was not recorded. The message originator needs to decide whether to reissue the message without RRVS protection.",
    ["RFC 7293"],
    { basicCodesNote: "5XX" },
  ),
  entry(
    "X.7.20",
    "No passing DKIM signature found",
    [550],
    "This status code is returned when a message did not contain any passing DKIM signatures. (This violates the advice of Section 6.1 of [RFC6376].)",
    ["RFC 7372", "RFC 6376"],
  ),
  entry(
    "X.7.21",
    "No acceptable DKIM signature found",
    [550],
    "This status code is returned when a message contains one or more passing DKIM signatures, but none are acceptable. (This violates the advice of Section 6.1 of [RFC6376].)",
    ["RFC 7372", "RFC 6376"],
  ),
  entry(
    "X.7.22",
    "No valid author-matched DKIM signature found",
    [550],
    "This status code is returned when a message contains one or more passing DKIM signatures, but none are acceptable because none have an identifier(s) that matches the author address(es) found in the From header field. This is a special case of X.7.21. (This violates the advice of Section 6.1 of [RFC6376].)",
    ["RFC 7372", "RFC 6376"],
  ),
  entry(
    "X.7.23",
    "SPF validation failed",
    [550],
    'This status code is returned when a message completed an SPF check that produced a "fail" result, contrary to local policy requirements. Used in place of 5.7.1 as described in Section 8.4 of [RFC7208].',
    ["RFC 7372", "RFC 7208"],
  ),
  entry(
    "X.7.24",
    "SPF validation error",
    [451, 550],
    "This status code is returned when evaluation of SPF relative to an arriving message resulted in an error. Used in place of 4.4.3 or 5.5.2 as described in Sections 8.6 and 8.7 of [RFC7208].",
    ["RFC 7372", "RFC 7208"],
  ),
  entry(
    "X.7.25",
    "Reverse DNS validation failed",
    [550],
    "This status code is returned when an SMTP client's IP address failed a reverse DNS validation check, contrary to local policy requirements.",
    ["RFC 7372"],
  ),
  entry(
    "X.7.26",
    "Multiple authentication checks failed",
    [550],
    "This status code is returned when a message failed more than one message authentication check, contrary to local policy requirements. The particular mechanisms that failed are not specified.",
    ["RFC 7372"],
  ),
  entry(
    "X.7.27",
    "Sender address has null MX",
    [550],
    "This status code is returned when the associated sender address has a null MX, and the SMTP receiver is configured to reject mail from such sender (e.g., because it could not return a DSN).",
    ["RFC 7505"],
  ),
  entry(
    "X.7.28",
    "Mail flood detected",
    [],
    "The message appears to be part of a mail flood of similar abusive messages.",
    ["draft-levine-mailbomb-header"],
  ),
  entry(
    "X.7.29",
    "ARC validation failure",
    [550],
    "This status code may be returned when a message fails ARC validation.",
    ["RFC 8617"],
  ),
  entry(
    "X.7.30",
    "REQUIRETLS support required",
    [550],
    "This indicates that the message was not able to be forwarded because it was received with a REQUIRETLS requirement and none of the SMTP servers to which the message should be forwarded provide this support.",
    ["RFC 8689"],
  ),
]);
