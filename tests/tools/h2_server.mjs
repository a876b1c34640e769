// An HTTPS server that speaks HTTP/2 only, for the WARC tests: node tests/tools/h2_server.mjs
// CERT.pem KEY.pem. Listens on 127.0.0.1 (a free port, printed on stdout as "port N") and
// answers every path with a gzip-encoded HTML page that links to /next (which links nowhere).
import { readFileSync } from "node:fs";
import http2 from "node:http2";
import { gzipSync } from "node:zlib";

const [certFile, keyFile] = process.argv.slice(2);
const server = http2.createSecureServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), allowHTTP1: false });
server.on("stream", (stream, headers) => {
  const path = headers[":path"];
  const links = path === "/" ? "<a href='/next'>next</a>" : "";
  stream.respond({ ":status": 200, "content-type": "text/html", "content-encoding": "gzip" });
  stream.end(gzipSync(`<html><title>h2 ${path}</title>${links}</html>`));
});
server.listen(0, "127.0.0.1", () => console.log(`port ${server.address().port}`));
