// Reads WARC files with Webrecorder's warcio (an independent reader) and checks what the
// crawler promises about them. Prints one JSON object on stdout:
//   {"files": [{"file", "records", "types": {type: count}}], "captures": [{"file", "type",
//    "uri", "status", "head", "offset", "length", "payload_digest", "payload_length",
//    "truncated", "profile", "refers_to_uri", "refers_to_date", "date"}] (responses and revisits), "requests": [{"uri", "line"}],
//    "metadata": [{"uri", "fields"}],
//    "errors": [...]}
// and exits 1 when there is any error. Checks, per file: every record is one gzip member and the
// members cover the file; the first record is a warcinfo whose ID every later record names in
// WARC-Warcinfo-ID; Content-Length matches the block; WARC-Block-Digest and WARC-Payload-Digest
// (over the body with the transfer coding removed, warcio's own de-chunking) recomputed; each
// request and its response or revisit point at each other with WARC-Concurrent-To, and every
// metadata record at a response or revisit; when NAME.cdxj is beside the file, it lists exactly
// what warcio's cdx-index lists ("cdxj" in the file's summary: its line count, null when absent).
// Usage: node check.mjs FILE.warc.gz...
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { gunzipSync } from "node:zlib";
import { AsyncIterReader, CDXIndexer, WARCParser } from "warcio";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
function base32(bytes) {
  let out = "", buffer = 0, bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte; bits += 8;
    while (bits >= 5) { out += BASE32[(buffer >>> (bits - 5)) & 31]; bits -= 5; }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  while (out.length % 8) out += "=";
  return out;
}
const sha1 = (bytes) => "sha1:" + base32(createHash("sha1").update(bytes).digest());

function indexOfCrlfCrlf(bytes) {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}

function httpHeader(head, name) {
  for (const line of head.split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1).trim();
  }
  return null;
}

// The entity body: the transfer coding removed (warcio's own de-chunking), the content coding
// kept.
async function payloadOf(head, body) {
  const chunked = (httpHeader(head, "transfer-encoding") || "").toLowerCase() === "chunked";
  if (!chunked) return body;
  return await new AsyncIterReader([body], null, true).readFully();
}

const result = { files: [], captures: [], requests: [], metadata: [], errors: [] };
const fail = (file, what) => result.errors.push(`${file}: ${what}`);

async function checkFile(path) {
  const file = basename(path);
  const bytes = readFileSync(path);
  const summary = { file, records: 0, types: {} };
  result.files.push(summary);
  const parser = new WARCParser([bytes], { parseHttp: false });
  let warcinfoId = null;
  let expectedOffset = 0;
  const byId = new Map();
  for await (const record of parser) {
    const block = await record.readFully();
    const offset = parser.offset;
    const length = parser.recordLength;
    const type = record.warcType;
    const id = record.warcHeader("WARC-Record-ID");
    summary.records++;
    summary.types[type] = (summary.types[type] || 0) + 1;
    if (offset !== expectedOffset) fail(file, `record ${id} starts at ${offset}, expected ${expectedOffset}`);
    expectedOffset = offset + length;
    // One gzip member per record: the member alone inflates to exactly this record.
    let member;
    try { member = gunzipSync(bytes.subarray(offset, offset + length)); } catch (e) { fail(file, `record at ${offset} is not a gzip member: ${e.message}`); }
    const headerEnd = member ? indexOfCrlfCrlf(member) : -1;
    if (member && (headerEnd < 0 || member.length !== headerEnd + 4 + block.length + 4)) {
      fail(file, `the gzip member at ${offset} does not hold exactly one record`);
    }
    if (record.warcContentLength !== block.length) fail(file, `${id}: Content-Length ${record.warcContentLength}, block ${block.length}`);
    if (record.warcBlockDigest && record.warcBlockDigest !== sha1(block)) fail(file, `${id}: WARC-Block-Digest ${record.warcBlockDigest}, computed ${sha1(block)}`);
    if (summary.records === 1) {
      if (type !== "warcinfo") fail(file, `the first record is ${type}, not warcinfo`);
      warcinfoId = id;
    } else if (record.warcHeader("WARC-Warcinfo-ID") !== warcinfoId) {
      fail(file, `${id} (${type}) names warcinfo ${record.warcHeader("WARC-Warcinfo-ID")}, the file's is ${warcinfoId}`);
    }
    const uri = record.warcTargetURI;
    if (uri && uri.startsWith("<")) fail(file, `${id}: WARC-Target-URI in angle brackets`);
    byId.set(id, { type, concurrent: record.warcHeader("WARC-Concurrent-To"), uri });
    if (type === "response" || type === "revisit") {
      const split = indexOfCrlfCrlf(block);
      const head = new TextDecoder("latin1").decode(block.subarray(0, split < 0 ? 0 : split + 4));
      const body = block.subarray(split < 0 ? block.length : split + 4);
      const status = Number((head.split(" ")[1] || "0"));
      const payload = await payloadOf(head, body);
      if (type === "response") {
        const computed = sha1(payload);
        if (record.warcPayloadDigest !== computed) fail(file, `${id}: WARC-Payload-Digest ${record.warcPayloadDigest}, computed ${computed}`);
      }
      result.captures.push({ file, type, uri, status, offset, length,
        payload_digest: record.warcPayloadDigest || null, payload_length: payload.length,
        head,
        truncated: record.warcHeader("WARC-Truncated") || null,
        profile: record.warcHeader("WARC-Profile") || null,
        refers_to_uri: record.warcRefersToTargetURI || null,
        refers_to_date: record.warcRefersToDate || null,
        date: record.warcDate });
    } else if (type === "request") {
      const text = new TextDecoder("latin1").decode(block);
      result.requests.push({ uri, line: text.slice(0, text.indexOf("\r\n")) });
    } else if (type === "metadata") {
      result.metadata.push({ uri, fields: new TextDecoder().decode(block) });
    }
  }
  if (expectedOffset !== bytes.length) fail(file, `records end at ${expectedOffset}, the file at ${bytes.length}`);
  // The CDXJ beside it (NAME.cdxj) must list what warcio's own cdx-index lists, sorted.
  const cdxjPath = path.replace(/\.warc\.gz$/, ".cdxj");
  summary.cdxj = null;
  if (existsSync(cdxjPath)) {
    const ours = readFileSync(cdxjPath, "utf8").split("\n").filter((l) => l.length);
    const indexer = new CDXIndexer({ format: "cdxj" });
    const theirs = [];
    for await (const entry of indexer.iterIndex([{ filename: file, reader: createReadStream(path) }])) {
      theirs.push(indexer.serialize(entry).trimEnd());
    }
    summary.cdxj = ours.length;
    const sorted = [...ours].sort();
    if (ours.join("\n") !== sorted.join("\n")) fail(file, "the CDXJ is not sorted");
    theirs.sort();
    for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
      if (sorted[i] !== theirs[i]) {
        fail(file, `CDXJ line ${i}: ours ${sorted[i]} warcio ${theirs[i]}`);
        break;
      }
    }
  }
  for (const [id, r] of byId) {
    if (r.type === "request" || r.type === "response" || r.type === "revisit") {
      const other = byId.get(r.concurrent);
      const want = r.type === "request" ? ["response", "revisit"] : ["request"];
      if (!other || !want.includes(other.type) || other.concurrent !== id || other.uri !== r.uri) {
        fail(file, `${id} (${r.type}) has no ${want.join(" or ")} pointing back at it`);
      }
    } else if (r.type === "metadata") {
      const other = byId.get(r.concurrent);
      if (!other || (other.type !== "response" && other.type !== "revisit")) fail(file, `${id} (metadata) names no response`);
    }
  }
}

for (const path of process.argv.slice(2)) {
  try { await checkFile(path); } catch (e) { fail(basename(path), `unreadable: ${e.message}`); }
}
// exitCode rather than exit(): a pipe gets the whole output before the process ends.
process.exitCode = result.errors.length ? 1 : 0;
process.stdout.write(JSON.stringify(result) + "\n");
