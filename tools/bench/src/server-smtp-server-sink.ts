/**
 * Nodemailer's smtp-server as a discard sink, run as its own process by the server benchmark
 * (`server-peers.ts`), so that its memory is measured alone and it gets a whole event loop, as
 * `smtpkit serve` does:
 *
 *   node dist/server-smtp-server-sink.js PORT
 *
 * Set up the way its README suggests for a fast sink: no reverse DNS lookup, AUTH optional, and a
 * data handler that reads the message stream to its end and drops it. Prints
 * `listening on 127.0.0.1:PORT` once ready; SIGTERM closes it.
 */
import { SMTPServer } from "smtp-server";

const port = Number(process.argv[2] ?? "0");
const server = new SMTPServer({
  logger: false,
  disableReverseLookup: true,
  authOptional: true,
  // The same message size limit as smtpkit's default (25 MiB), so SIZE is advertised on both sides.
  size: 25 * 1024 * 1024,
  onData(stream, _session, callback) {
    stream.on("end", () => callback());
    stream.on("error", callback);
    stream.resume();
  },
});
server.on("error", (error) => {
  process.stderr.write(`smtp-server sink: ${error.message}\n`);
});
server.listen(port, "127.0.0.1", () => {
  const address = server.server.address();
  const bound = typeof address === "object" && address !== null ? address.port : port;
  process.stdout.write(`listening on 127.0.0.1:${bound}\n`);
});
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
});
