// HttpCapture: one HTTP exchange as it went over the wire, for archival output (WARC).
//
// The fetcher fills it from curl's debug stream, which shows the bytes before curl undoes the
// transfer coding (chunked) and the content coding (gzip, br, zstd): exactly what an archive
// must keep. HTTP/2 has no such text form: curl shows its headers as HTTP/1-style lines, which
// the fetcher turns into the equivalent HTTP/1.1 message (http2 says so).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace crawler {

struct HttpCapture {
  // Why the body is shorter than what the server sent (WARC-Truncated).
  enum class Truncated { kNone, kLength, kTime, kDisconnect };

  std::string target_uri;                         // the URL requested
  std::string ip;                                 // the peer's address, "" when unknown
  std::chrono::system_clock::time_point started;  // when the request was sent
  std::string request;         // request line and headers as sent, ending with the blank line
  std::string response_head;   // status line and headers as received, ending with the blank line
  std::string response_body;   // as received: chunked framing and content coding kept
  bool http2 = false;          // rewritten from HTTP/2 into its HTTP/1.1 form
  std::string payload_digest;  // WARC-Payload-Digest, filled by the worker (http_payload_digest)
  Truncated truncated = Truncated::kNone;
};

}  // namespace crawler
