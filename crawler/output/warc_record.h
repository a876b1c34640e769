// WARC 1.1 records (ISO 28500:2017): the header block, the digests, and the record's bytes.
//
// A record is "WARC/1.1", its named fields, Content-Length, a blank line, the block, and two
// CRLFs. Digests are SHA-1 in RFC 4648 base32 ("sha1:<32 letters>"), the form CDX tools and
// deduplication expect. The payload digest of an HTTP response is over its entity body with the
// transfer coding removed and the content coding kept (the convention `warcio check` verifies).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crawler {

// The value of field `name` (any case) in a header block whose first line is a start line: an
// HTTP message's head or a WARC record's. "" when absent; the block's blank line ends the search.
std::string_view header_field(std::string_view head, std::string_view name);

// "sha1:" and the base32 of the SHA-1 of `data`.
std::string warc_sha1(std::string_view data);

// RFC 4648 base32 (upper case, '=' padding) of `data`.
std::string base32(std::string_view data);

// The payload digest of an HTTP message whose header block is `head` and whose body bytes are
// `body` as they went over the wire: when `head` says Transfer-Encoding: chunked, the body is
// de-chunked first (as far as its framing is well formed).
std::string http_payload_digest(std::string_view head, std::string_view body);

// "2026-12-07T23:05:22.123Z": WARC-Date in UTC with milliseconds (WARC 1.1 allows them).
std::string warc_date(std::chrono::system_clock::time_point when);

// "<urn:uuid:...>": a random (version 4) UUID from `random`.
std::string warc_record_id(std::mt19937_64& random);

struct WarcRecord {
  std::string type;  // warcinfo, request, response, revisit, metadata
  std::string id;    // WARC-Record-ID
  std::string date;  // WARC-Date
  // Further named fields in order (WARC-Target-URI, Content-Type, ...). Content-Length and the
  // block digest are added by serialize.
  std::vector<std::pair<std::string, std::string>> fields;
  std::string block;
  bool block_digest = true;  // add WARC-Block-Digest
};

// The record's bytes, uncompressed.
std::string serialize(const WarcRecord& record);

}  // namespace crawler
