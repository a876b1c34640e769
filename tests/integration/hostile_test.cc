// The hostile web: the real crawler against servers that stall, trickle, reset, lie, bomb, loop
// and trap. For every fault the crawl must finish, the faulty URL must get a record with a clear
// error (and error_kind), a healthy host crawled at the same time must be unaffected, and the
// crawler's peak memory must stay bounded.
#include <brotli/encode.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/support/crawler_runner.h"
#include "tests/support/fault_server.h"
#include "tests/support/test_server.h"

namespace crawler::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;
using namespace std::string_literals;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// Peak RSS allowed for the crawler in these tests. A plain build crawls them in a few tens of
// MiB; sanitizers add shadow memory and quarantine. Generous on purpose: the point is that
// nothing grows with what the server sends (GiB of bomb, 50 MB of markup, a million links).
constexpr long kRssBoundKb = (kSanitized ? 1536L : 256L) * 1024;

// What each test tunes in the crawl config; everything else is small and fast.
struct Knobs {
  std::string timeout = "5s";
  std::string max_body = "1MiB";
  std::string low_speed = "low_speed_limit: 1KiB, low_speed_time: 2s";
  std::string fetch_extra;                           // e.g. ", insecure: true"
  std::string domains = "'127.0.0.1', '127.0.0.2'";  // any port of both hosts
  std::string scope;                                 // more keys inside scope: {...}
  bool robots = false;
  std::string output_extra;  // e.g. ", text: false"
};

std::string config_for(const std::vector<std::string>& seeds, const Knobs& k = {}) {
  std::string yaml = "seeds: [";
  for (std::size_t i = 0; i < seeds.size(); ++i) yaml += (i ? ", '" : "'") + seeds[i] + "'";
  yaml += "]\n";
  yaml += "scope: {domains: [" + k.domains + "]" + (k.scope.empty() ? "" : ", " + k.scope) + "}\n";
  yaml += "pool: {workers: 4}\n";
  yaml += "fetch: {timeout: " + k.timeout + ", connect_timeout: 2s, max_body: " + k.max_body +
          (k.low_speed.empty() ? "" : ", " + k.low_speed) + k.fetch_extra + "}\n";
  yaml += "output: {dir: out" + k.output_extra + "}\n";
  yaml += "politeness: {robots: "s + (k.robots ? "true" : "false") +
          ", delay: 0, per_host: 2, retries: 0, backoff: 100ms}\n";
  yaml += "state: {dir: ''}\n";
  yaml += "log: {level: warn}\n";
  return yaml;
}

// A well-behaved host crawled next to the faulty one: its three pages must come out clean.
class HealthyHost {
 public:
  HealthyHost() {
    server_.route("/", [](const Request&) {
      Response r;
      r.body = TestServer::html_page("Healthy", {"/a", "/b"});
      return r;
    });
    for (const char* path : {"/a", "/b"}) {
      server_.route(path, [path](const Request&) {
        Response r;
        r.body = TestServer::html_page(std::string("Page ") + path, {"/"});
        return r;
      });
    }
  }
  std::string seed() const { return server_.base_url() + "/"; }

  void expect_unaffected(const CrawlRun& run) const {
    for (const char* path : {"/", "/a", "/b"}) {
      const std::string url = server_.base_url() + path;
      bool found = false;
      for (const auto& record : run.records) {
        if (record.at("url") != url) continue;
        found = true;
        EXPECT_EQ(record.at("status"), 200) << url;
        EXPECT_TRUE(record.at("error").is_null()) << url << ": " << record.at("error");
      }
      EXPECT_TRUE(found) << "no record for the healthy page " << url;
      EXPECT_EQ(server_.request_count(path), 1u) << url;
    }
  }

 private:
  TestServer server_{"127.0.0.2"};
};

const nlohmann::json& record_for(const CrawlRun& run, const std::string& url) {
  static const nlohmann::json kMissing;
  for (const auto& record : run.records) {
    if (record.at("url") == url) return record;
  }
  ADD_FAILURE() << "no record for " << url;
  return kMissing;
}

// The crawl finished by itself, wrote only whole lines and stayed within the memory bound.
void expect_finished_within_bounds(const CrawlRun& run) {
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(run.bad_lines.empty());
  ASSERT_TRUE(run.stats.is_object()) << run.output;
  EXPECT_TRUE(run.stats.at("stopped_by").is_null());
  EXPECT_GT(run.peak_rss_kb, 0);
  EXPECT_LT(run.peak_rss_kb, kRssBoundKb) << "peak RSS " << run.peak_rss_kb / 1024 << " MiB";
  std::printf("[          ] crawler peak RSS %ld MiB\n", run.peak_rss_kb / 1024);
}

// The faulty URL's record: an error of `kind` whose text contains `message`.
void expect_fault(const CrawlRun& run, const std::string& url, const std::string& kind,
                  const std::string& message) {
  const auto& record = record_for(run, url);
  ASSERT_TRUE(record.is_object());
  ASSERT_TRUE(record.at("error").is_string()) << record.dump();
  EXPECT_EQ(record.at("error_kind"), kind) << record.dump();
  EXPECT_THAT(record.at("error").get<std::string>(), HasSubstr(message));
  EXPECT_GE(run.stats.at("errors_by_kind").value(kind, 0), 1);
}

// How pages are parsed: Gumbo (output.text on, the default) or the streaming link scanner
// (output.text off, the path every benchmark measures). Every hostile test runs with both.
enum class Parser { kGumbo, kScanner };

// Runs the crawl of the faulty seed next to a healthy host and checks the common promises.
CrawlRun run_with_healthy_host(const std::string& faulty_seed, Knobs knobs,
                               std::chrono::seconds timeout, Parser parser) {
  HealthyHost healthy;
  TempDir dir;
  if (parser == Parser::kScanner) knobs.output_extra += ", text: false";
  CrawlRun run = run_crawler(dir, config_for({faulty_seed, healthy.seed()}, knobs), {}, timeout);
  expect_finished_within_bounds(run);
  healthy.expect_unaffected(run);
  return run;
}

class Hostile : public ::testing::TestWithParam<Parser> {
 protected:
  CrawlRun crawl_with_healthy_host(const std::string& faulty_seed, const Knobs& knobs = {},
                                   std::chrono::seconds timeout = 90s) const {
    return run_with_healthy_host(faulty_seed, knobs, timeout, GetParam());
  }
  CrawlRun crawl_with_robots(FaultServer& faulty, FaultScript robots) const;
  bool gumbo() const { return GetParam() == Parser::kGumbo; }
};

INSTANTIATE_TEST_SUITE_P(Parsers, Hostile, ::testing::Values(Parser::kGumbo, Parser::kScanner),
                         [](const ::testing::TestParamInfo<Parser>& info) {
                           return info.param == Parser::kGumbo ? "Gumbo" : "Scanner";
                         });

FaultScript page(std::string body, std::string type = "text/html; charset=utf-8") {
  return [body = std::move(body), type = std::move(type)](FaultConnection& c) {
    c.respond(200, type, body);
  };
}

FaultScript redirect(std::string location, int status = 301) {
  return [location = std::move(location), status](FaultConnection& c) {
    c.respond(status, "", "", {{"Location", location}});
  };
}

// ---- Bombs: a few KiB (brotli) or MiB (gzip, whose ratio tops out near 1:1030) that inflate to
// GiB. The encoders' output becomes periodic once their state is (same input, same flush), so a
// multi-GiB bomb is a few encoded chunks and one of them repeated.

struct Bomb {
  std::string body;           // the compressed bytes served
  std::uint64_t decoded = 0;  // what they inflate to
};

// Encodes chunks of spaces with `encode(chunk, last)` until two outputs in a row are equal, then
// repeats that output until `chunks` chunks are covered and appends the final bytes.
template <typename Encode>
Bomb periodic_bomb(std::size_t chunk_size, std::uint64_t chunks, Encode encode) {
  const std::string chunk(chunk_size, ' ');
  std::vector<std::string> outputs;
  while (outputs.size() < 2 || outputs.back() != outputs[outputs.size() - 2]) {
    if (outputs.size() >= 8) throw std::runtime_error("bomb encoder output is not periodic");
    outputs.push_back(encode(chunk, false));
  }
  Bomb bomb;
  for (const auto& output : outputs) bomb.body += output;
  for (std::uint64_t i = outputs.size(); i < chunks; ++i) bomb.body += outputs.back();
  bomb.body += encode("", true);
  bomb.decoded = chunks * chunk_size;
  return bomb;
}

Bomb gzip_bomb(std::uint64_t decoded_mib) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  Bomb bomb = periodic_bomb(1 << 20, decoded_mib, [&](const std::string& in, bool last) {
    std::string out(in.size() / 64 + 1024, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, last ? Z_FINISH : Z_FULL_FLUSH);  // a full flush resets the history
    out.resize(out.size() - z.avail_out);
    return out;
  });
  deflateEnd(&z);
  // The trailer deflate wrote covers only the chunks it saw: write the whole bomb's CRC-32 and
  // length (mod 2^32), so it is a valid gzip file.
  const std::string chunk(1 << 20, ' ');
  const uLong chunk_crc = crc32(0, reinterpret_cast<const Bytef*>(chunk.data()), chunk.size());
  uLong crc = 0;
  for (std::uint64_t i = 0; i < decoded_mib; ++i) crc = crc32_combine(crc, chunk_crc, 1 << 20);
  const std::uint32_t size = static_cast<std::uint32_t>(bomb.decoded);
  char* trailer = bomb.body.data() + bomb.body.size() - 8;
  for (int i = 0; i < 4; ++i) {
    trailer[i] = static_cast<char>((crc >> (8 * i)) & 0xff);
    trailer[4 + i] = static_cast<char>((size >> (8 * i)) & 0xff);
  }
  return bomb;
}

Bomb brotli_bomb(std::uint64_t decoded_mib) {
  std::unique_ptr<BrotliEncoderState, void (*)(BrotliEncoderState*)> encoder(
      BrotliEncoderCreateInstance(nullptr, nullptr, nullptr), &BrotliEncoderDestroyInstance);
  BrotliEncoderSetParameter(encoder.get(), BROTLI_PARAM_QUALITY, 5);
  BrotliEncoderSetParameter(encoder.get(), BROTLI_PARAM_LGWIN, 24);
  constexpr std::size_t kChunk = 16 << 20;
  return periodic_bomb(kChunk, decoded_mib / 16, [&](const std::string& in, bool last) {
    std::size_t in_left = in.size();
    const auto* next_in = reinterpret_cast<const std::uint8_t*>(in.data());
    std::string out;
    do {
      std::uint8_t buffer[1 << 16];
      std::size_t out_left = sizeof buffer;
      std::uint8_t* next_out = buffer;
      BrotliEncoderCompressStream(encoder.get(),
                                  last ? BROTLI_OPERATION_FINISH : BROTLI_OPERATION_FLUSH, &in_left,
                                  &next_in, &out_left, &next_out, nullptr);
      out.append(reinterpret_cast<char*>(buffer), sizeof buffer - out_left);
    } while (in_left > 0 || BrotliEncoderHasMoreOutput(encoder.get()) ||
             (last && !BrotliEncoderIsFinished(encoder.get())));
    return out;
  });
}

// ============================== Network faults ==============================

TEST_P(Hostile, AcceptsAndNeverAnswers) {
  FaultServer faulty;
  faulty.on("/", [](FaultConnection& c) { c.hold(); });
  Knobs knobs;
  knobs.timeout = "1s";
  knobs.low_speed = "low_speed_limit: 0B";  // only the total timeout can end it
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/", knobs);
  expect_fault(run, faulty.base_url() + "/", "timeout", "timeout after 1s");
  EXPECT_EQ(record_for(run, faulty.base_url() + "/").at("status"), 0);
}

TEST_P(Hostile, TricklesOneBytePerSecondForever) {
  FaultServer faulty;
  faulty.on("/", [](FaultConnection& c) {
    if (!c.send("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000000\r\n\r\n")) {
      return;
    }
    while (c.send("x") && c.pause(1s)) {
    }
  });
  Knobs knobs;
  knobs.timeout = "60s";  // far away: the low-speed limit must end it
  knobs.low_speed = "low_speed_limit: 1KiB, low_speed_time: 2s";
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/", knobs);
  expect_fault(run, faulty.base_url() + "/", "too_slow", "too slow: less than 1KiB/s for 2s");
  const auto& record = record_for(run, faulty.base_url() + "/");
  EXPECT_EQ(record.at("status"), 200);
  std::printf("[          ] trickle cut after %lld ms\n", record.at("elapsed_ms").get<long long>());
}

TEST_P(Hostile, ResetsMidBody) {
  FaultServer faulty;
  faulty.on("/", [](FaultConnection& c) {
    if (c.send("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n") &&
        c.send("<html><body>" + std::string(5000, 'x')) && c.pause(200ms)) {
      c.reset();
    }
  });
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/");
  expect_fault(run, faulty.base_url() + "/", "reset", "connection reset");
}

TEST_P(Hostile, ClosesBeforeTheStatusLine) {
  FaultServer faulty;
  faulty.on("/", [](FaultConnection&) {});  // read the request, close without a byte
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/");
  expect_fault(run, faulty.base_url() + "/", "empty_reply",
               "server closed the connection without a response");
}

TEST_P(Hostile, ContentLengthLongerThanTheBodyThenClose) {
  FaultServer faulty;
  faulty.on("/", [](FaultConnection& c) {
    c.send("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10000\r\n\r\n") &&
        c.send("<html><title>short</title>");
  });
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/");
  expect_fault(run, faulty.base_url() + "/", "partial",
               "connection closed before the body was complete");
}

TEST_P(Hostile, ChunkedEncodingThatNeverEnds) {
  FaultServer faulty;
  faulty.on("/", [](FaultConnection& c) {
    if (!c.send("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
                "c\r\n<html><body>\r\n")) {
      return;
    }
    const std::string chunk = "1000\r\n" + std::string(0x1000, 'y') + "\r\n";
    while (c.send(chunk)) {
    }
  });
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/");
  expect_fault(run, faulty.base_url() + "/", "too_large", "body larger than 1MiB");
  EXPECT_EQ(record_for(run, faulty.base_url() + "/").at("bytes"), 1 << 20);
  EXPECT_EQ(run.stats.at("limits").at("max_body"), 1);
}

// ============================== Bombs ==============================

TEST_P(Hostile, GzipBombIsCutAtMaxBodyDecodedBytes) {
  const Bomb bomb = gzip_bomb(2048);  // 2 GiB of spaces
  std::printf("[          ] gzip bomb: %zu KiB inflate to %llu MiB\n", bomb.body.size() / 1024,
              static_cast<unsigned long long>(bomb.decoded >> 20));
  FaultServer faulty;
  faulty.on("/", [&bomb](FaultConnection& c) {
    c.respond(200, "text/html", bomb.body, {{"Content-Encoding", "gzip"}});
  });
  Knobs knobs;
  knobs.max_body = "4MiB";
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/", knobs);
  expect_fault(run, faulty.base_url() + "/", "too_large", "body larger than 4MiB");
  EXPECT_EQ(record_for(run, faulty.base_url() + "/").at("bytes"), 4 << 20);
  std::printf("[          ] gzip bomb: the server got %llu KiB out before the crawler hung up\n",
              static_cast<unsigned long long>(faulty.bytes_sent("/") / 1024));
}

// A zstd frame of RLE blocks (RFC 8878 3.1.1): each block is 4 bytes that decode to 128 KiB of
// one byte, so 1 GiB is 32 KiB on the wire. Written by hand: no encoder is needed for it.
Bomb zstd_bomb(std::uint64_t decoded_mib) {
  constexpr std::uint32_t kBlock = 128 * 1024;  // the largest block
  const std::uint64_t blocks = decoded_mib * (1 << 20) / kBlock;
  Bomb bomb;
  bomb.body = std::string("\x28\xB5\x2F\xFD", 4);  // magic 0xFD2FB528, little-endian
  bomb.body += '\x00';                             // no content size, no checksum, no dict
  bomb.body += static_cast<char>(7 << 3);          // window 2^(10+7) = 128 KiB
  for (std::uint64_t i = 0; i < blocks; ++i) {
    const std::uint32_t last = i + 1 == blocks ? 1 : 0;
    const std::uint32_t header = last | (1u << 1) | (kBlock << 3);  // an RLE block
    bomb.body += static_cast<char>(header & 0xff);
    bomb.body += static_cast<char>((header >> 8) & 0xff);
    bomb.body += static_cast<char>((header >> 16) & 0xff);
    bomb.body += ' ';
  }
  bomb.decoded = blocks * kBlock;
  return bomb;
}

TEST_P(Hostile, ZstdBombIsCutAtMaxBodyDecodedBytes) {
  const Bomb bomb = zstd_bomb(4096);  // 4 GiB of spaces
  std::printf("[          ] zstd bomb: %zu KiB inflate to %llu MiB\n", bomb.body.size() / 1024,
              static_cast<unsigned long long>(bomb.decoded >> 20));
  FaultServer faulty;
  faulty.on("/", [&bomb](FaultConnection& c) {
    c.respond(200, "text/html", bomb.body, {{"Content-Encoding", "zstd"}});
  });
  Knobs knobs;
  knobs.max_body = "4MiB";
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/", knobs);
  expect_fault(run, faulty.base_url() + "/", "too_large", "body larger than 4MiB");
  EXPECT_EQ(record_for(run, faulty.base_url() + "/").at("bytes"), 4 << 20);
}

TEST_P(Hostile, BrotliBombIsCutAtMaxBodyDecodedBytes) {
  const Bomb bomb = brotli_bomb(4096);  // 4 GiB of spaces
  std::printf("[          ] brotli bomb: %zu bytes inflate to %llu MiB\n", bomb.body.size(),
              static_cast<unsigned long long>(bomb.decoded >> 20));
  ASSERT_LT(bomb.body.size(), 64u * 1024);
  FaultServer faulty;
  faulty.on("/", [&bomb](FaultConnection& c) {
    c.respond(200, "text/html", bomb.body, {{"Content-Encoding", "br"}});
  });
  Knobs knobs;
  knobs.max_body = "4MiB";
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/", knobs);
  expect_fault(run, faulty.base_url() + "/", "too_large", "body larger than 4MiB");
  EXPECT_EQ(record_for(run, faulty.base_url() + "/").at("bytes"), 4 << 20);
}

// ============================== Headers and status lines ==============================

TEST_P(Hostile, OneMegabyteHeaderLine) {
  FaultServer faulty;
  faulty.on("/", [](FaultConnection& c) {
    c.send("HTTP/1.1 200 OK\r\nX-Huge: " + std::string(1 << 20, 'h') +
           "\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello");
  });
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/");
  expect_fault(run, faulty.base_url() + "/", "headers_too_large", "header");
}

TEST_P(Hostile, TenThousandSetCookieLines) {
  FaultServer faulty;
  faulty.on("/", [](FaultConnection& c) {
    std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n";
    for (int i = 0; i < 10000; ++i) {
      head +=
          "Set-Cookie: session" + std::to_string(i) + "=" + std::string(24, 'c') + "; Path=/\r\n";
    }
    c.send(head + "Content-Length: 5\r\nConnection: close\r\n\r\nhello");
  });
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/");
  expect_fault(run, faulty.base_url() + "/", "headers_too_large",
               "response headers larger than 256KiB");
}

TEST_P(Hostile, GarbageStatusLine) {
  FaultServer faulty;
  faulty.on("/", [](FaultConnection& c) {
    c.send("\x16\x03\x01 GARBAGE \xff\xfe NOT HTTP\r\nContent-Length: 5\r\n\r\nhello"s);
  });
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/");
  expect_fault(run, faulty.base_url() + "/", "protocol", "malformed response");
}

TEST_P(Hostile, Http09Reply) {
  FaultServer faulty;
  faulty.on("/", [](FaultConnection& c) {
    c.send("<html><title>HTTP/0.9</title><a href='/x'>x</a></html>\n");
  });
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/");
  expect_fault(run, faulty.base_url() + "/", "protocol", "malformed response");
  EXPECT_EQ(faulty.request_count("/x"), 0u);
}

// ============================== Redirects ==============================

TEST_P(Hostile, RedirectLoop) {
  FaultServer faulty;
  faulty.on("/", redirect("/loop-a"));
  faulty.on("/loop-a", redirect("/loop-b"));
  faulty.on("/loop-b", redirect("/loop-a"));
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/");
  expect_fault(run, faulty.base_url() + "/", "redirect", "redirect loop");
  EXPECT_EQ(faulty.request_count("/loop-a"), 1u);
  EXPECT_EQ(faulty.request_count("/loop-b"), 1u);
}

TEST_P(Hostile, RedirectChainLongerThanMaxRedirects) {
  FaultServer faulty;
  for (int i = 0; i < 20; ++i) {
    faulty.on(i == 0 ? "/" : "/hop" + std::to_string(i), redirect("/hop" + std::to_string(i + 1)));
  }
  Knobs knobs;
  knobs.fetch_extra = ", max_redirects: 3";
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/", knobs);
  expect_fault(run, faulty.base_url() + "/", "redirect", "too many redirects (more than 3)");
  EXPECT_EQ(faulty.request_count("/hop3"), 1u);
  EXPECT_EQ(faulty.request_count("/hop4"), 0u);
}

TEST_P(Hostile, RedirectsToFileFtpGopherAndDictAreNeverFollowed) {
  FaultServer faulty;
  const std::map<std::string, std::string> targets = {
      {"/to-file", "file:///etc/passwd"},
      {"/to-ftp", "ftp://127.0.0.1:" + std::to_string(faulty.port()) + "/x"},
      {"/to-gopher", "gopher://127.0.0.1:" + std::to_string(faulty.port()) + "/x"},
      {"/to-dict", "dict://127.0.0.1:" + std::to_string(faulty.port()) + "/d:x"}};
  std::string links;
  for (const auto& [path, target] : targets) {
    faulty.on(path, redirect(target));
    links += "<a href='" + path + "'>x</a>";
  }
  faulty.on("/", page("<html><body>" + links + "</body></html>"));
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/");
  for (const auto& [path, target] : targets) {
    expect_fault(run, faulty.base_url() + path, "redirect", "not followed: unsupported scheme");
  }
  // Only the page and the four redirecting URLs reached the server: no ftp/gopher/dict attempt
  // was made against its port.
  EXPECT_EQ(faulty.connections(), 5u);
  EXPECT_EQ(faulty.total_requests(), 5u);
}

TEST_P(Hostile, RedirectToAnotherPortOutsideScope) {
  FaultServer faulty;
  FaultServer other;
  other.on("/secret", page("<html>secret</html>"));
  faulty.on("/", redirect(other.base_url() + "/secret"));
  Knobs knobs;
  // host:port: the other port of 127.0.0.1 is out of scope.
  knobs.domains = "'127.0.0.1:" + std::to_string(faulty.port()) + "', '127.0.0.2'";
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/", knobs);
  expect_fault(run, faulty.base_url() + "/", "redirect", "not followed: out of scope (domain)");
  EXPECT_EQ(other.connections(), 0u) << "a redirect out of scope reached the other port";
}

// ============================== robots.txt ==============================

// A host whose robots.txt is `robots`; its home page links to /a and /private.
CrawlRun Hostile::crawl_with_robots(FaultServer& faulty, FaultScript robots) const {
  faulty.on("/robots.txt", std::move(robots));
  faulty.on("/", page("<html><a href='/a'>a</a><a href='/private'>p</a></html>"));
  faulty.on("/a", page("<html><title>A</title></html>"));
  faulty.on("/private", page("<html><title>Private</title></html>"));
  Knobs knobs;
  knobs.robots = true;
  return crawl_with_healthy_host(faulty.base_url() + "/", knobs);
}

TEST_P(Hostile, RobotsTxtOfTenMegabytes) {
  FaultServer faulty;
  std::string robots = "User-agent: *\nDisallow: /private\n";
  while (robots.size() < 10u << 20) robots += "# filler line to make this file huge ......\n";
  const auto run = crawl_with_robots(faulty, page(robots, "text/plain"));
  // The first 500 KiB are parsed: the rule at the top holds, the rest is ignored.
  expect_fault(run, faulty.base_url() + "/private", "robots", "disallowed by robots.txt");
  EXPECT_TRUE(record_for(run, faulty.base_url() + "/a").at("error").is_null());
  EXPECT_EQ(faulty.request_count("/private"), 0u);
  EXPECT_LT(faulty.bytes_sent("/robots.txt"), robots.size()) << "robots.txt was read whole";
}

TEST_P(Hostile, RobotsTxtThatIsBinary) {
  FaultServer faulty;
  std::mt19937 random(42);
  std::string robots(std::size_t{256} * 1024, '\0');
  for (auto& c : robots) c = static_cast<char>(random() & 0xff);
  const auto run = crawl_with_robots(faulty, page(robots, "application/octet-stream"));
  // Nothing in it is a rule: everything is allowed.
  for (const char* path : {"/", "/a", "/private"}) {
    EXPECT_TRUE(record_for(run, faulty.base_url() + path).at("error").is_null()) << path;
  }
}

TEST_P(Hostile, RobotsTxtServedWith5xx) {
  FaultServer faulty;
  const auto run = crawl_with_robots(
      faulty, [](FaultConnection& c) { c.respond(503, "text/plain", "overloaded"); });
  // RFC 9309: an unreachable robots.txt disallows everything.
  expect_fault(run, faulty.base_url() + "/", "robots", "robots.txt answered 503");
  EXPECT_EQ(faulty.request_count("/"), 0u);
}

// No answer at all (the connection closed without a byte) is not a 4xx: like a 5xx, everything
// is disallowed (RFC 9309 2.3.1.4).
TEST_P(Hostile, RobotsTxtWithNoAnswerDisallowsEverything) {
  FaultServer faulty;
  const auto run = crawl_with_robots(faulty, [](FaultConnection&) {});
  expect_fault(run, faulty.base_url() + "/", "robots", "robots.txt unreachable");
  EXPECT_EQ(faulty.request_count("/"), 0u);
}

// A 4xx means there is no robots.txt: everything is allowed (RFC 9309 2.3.1.3).
TEST_P(Hostile, RobotsTxtAnswering404AllowsEverything) {
  FaultServer faulty;
  const auto run = crawl_with_robots(
      faulty, [](FaultConnection& c) { c.respond(404, "text/plain", "not found"); });
  for (const char* path : {"/", "/a", "/private"}) {
    EXPECT_TRUE(record_for(run, faulty.base_url() + path).at("error").is_null()) << path;
    EXPECT_EQ(faulty.request_count(path), 1u) << path;
  }
  EXPECT_EQ(faulty.request_count("/robots.txt"), 1u) << "fetched once, not retried";
}

TEST_P(Hostile, RobotsTxtRedirectsTenTimes) {
  FaultServer faulty;
  for (int i = 1; i <= 10; ++i) {
    faulty.on("/r" + std::to_string(i), redirect("/r" + std::to_string(i + 1)));
  }
  const auto run = crawl_with_robots(faulty, redirect("/r1"));
  // Five redirects are followed (RFC 9309), then robots.txt counts as unavailable: all allowed.
  EXPECT_EQ(faulty.request_count("/r5"), 1u);
  EXPECT_EQ(faulty.request_count("/r6"), 0u);
  for (const char* path : {"/", "/a", "/private"}) {
    EXPECT_TRUE(record_for(run, faulty.base_url() + path).at("error").is_null()) << path;
  }
}

// ============================== TLS ==============================

TEST_P(Hostile, SelfSignedCertificateIsAnErrorByDefault) {
  FaultServer faulty(FaultServerOptions{.tls = true});
  faulty.on("/", page("<html><title>TLS</title><a href='/next'>n</a></html>"));
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/");
  expect_fault(run, faulty.base_url() + "/", "tls", "certificate");
  EXPECT_EQ(faulty.total_requests(), 0u);
}

TEST_P(Hostile, InsecureAcceptsASelfSignedCertificate) {
  FaultServer faulty(FaultServerOptions{.tls = true});
  faulty.on("/", page("<html><title>TLS</title><a href='/next'>n</a></html>"));
  faulty.on("/next", page("<html><title>Next</title></html>"));
  Knobs knobs;
  knobs.fetch_extra = ", insecure: true";
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/", knobs);
  const auto& home = record_for(run, faulty.base_url() + "/");
  EXPECT_TRUE(home.at("error").is_null()) << home.dump();
  EXPECT_EQ(home.at("title"), "TLS");
  EXPECT_EQ(record_for(run, faulty.base_url() + "/next").at("status"), 200);
}

// A crawl that trusts the test CA which issued `faulty`'s certificate, so only the fault the
// certificate was made with can fail it.
CrawlRun crawl_trusting_ca(const FaultServer& faulty, Parser parser) {
  TempDir ca_dir;
  const auto ca_file = ca_dir.path() / "test-ca.pem";
  std::ofstream(ca_file) << faulty.ca_pem();
  Knobs knobs;
  knobs.fetch_extra = ", ca_file: '" + ca_file.string() + "'";
  return run_with_healthy_host(faulty.base_url() + "/", knobs, 90s, parser);
}

TEST_P(Hostile, CertificateFromTheConfiguredCaIsTrusted) {
  FaultServer faulty(FaultServerOptions{.tls = true, .certificate = TlsCertificate::kValid});
  faulty.on("/", page("<html><title>Trusted</title></html>"));
  ASSERT_FALSE(faulty.ca_pem().empty());
  const auto run = crawl_trusting_ca(faulty, GetParam());
  const auto& home = record_for(run, faulty.base_url() + "/");
  EXPECT_TRUE(home.at("error").is_null()) << home.dump();
  EXPECT_EQ(home.at("title"), "Trusted");
}

TEST_P(Hostile, ExpiredCertificateIsATlsError) {
  FaultServer faulty(FaultServerOptions{.tls = true, .certificate = TlsCertificate::kExpired});
  faulty.on("/", page("<html><title>Expired</title></html>"));
  const auto run = crawl_trusting_ca(faulty, GetParam());
  expect_fault(run, faulty.base_url() + "/", "tls", "expired");
  EXPECT_EQ(faulty.total_requests(), 0u);
}

TEST_P(Hostile, CertificateForAnotherHostIsATlsError) {
  FaultServer faulty(FaultServerOptions{.tls = true, .certificate = TlsCertificate::kWrongHost});
  faulty.on("/", page("<html><title>Other host</title></html>"));
  const auto run = crawl_trusting_ca(faulty, GetParam());
  expect_fault(run, faulty.base_url() + "/", "tls", "subject name");
  EXPECT_EQ(faulty.total_requests(), 0u);
}

// ============================== Crawler traps ==============================

// The records of `server`'s host.
std::vector<nlohmann::json> records_of(const CrawlRun& run, const std::string& base_url) {
  std::vector<nlohmann::json> out;
  for (const auto& record : run.records) {
    if (record.at("url").get<std::string>().rfind(base_url, 0) == 0) out.push_back(record);
  }
  return out;
}

TEST_P(Hostile, InfiniteCalendarIsBoundedByMaxPagesPerHost) {
  TestServer trap;
  trap.fallback([](const Request& request) {
    const auto at = request.path.find("month=");
    const long month = at == std::string::npos ? 0 : std::stol(request.path.substr(at + 6));
    Response r;
    r.body = TestServer::html_page(
        "Month " + std::to_string(month),
        {"/cal?month=" + std::to_string(month + 1), "/cal?month=" + std::to_string(month - 1)});
    return r;
  });
  Knobs knobs;
  knobs.scope = "max_pages_per_host: 30";
  const auto run = crawl_with_healthy_host(trap.base_url() + "/cal?month=0", knobs);
  EXPECT_EQ(records_of(run, trap.base_url()).size(), 30u);
  EXPECT_EQ(trap.total_requests(), 30u);
  EXPECT_GE(run.stats.at("limits").at("max_pages_per_host").get<int>(), 1);
  EXPECT_THAT(run.output, HasSubstr("scope.max_pages_per_host cut"));
}

TEST_P(Hostile, SessionIdInEveryUrlIsBoundedByMaxPagesPerHost) {
  std::mutex mutex;  // before the server: its handler threads use these until it stops
  std::mt19937_64 random(7);
  TestServer trap;
  trap.fallback([&](const Request&) {
    std::vector<std::string> links;
    {
      std::lock_guard lock(mutex);
      for (int i = 0; i < 5; ++i) {
        links.push_back("/p" + std::to_string(i) + "?sid=" + std::to_string(random()));
      }
    }
    Response r;
    r.body = TestServer::html_page("Session", links);
    return r;
  });
  Knobs knobs;
  knobs.scope = "max_pages_per_host: 40";
  const auto run = crawl_with_healthy_host(trap.base_url() + "/", knobs);
  EXPECT_EQ(records_of(run, trap.base_url()).size(), 40u);
  EXPECT_EQ(trap.total_requests(), 40u);
  EXPECT_GE(run.stats.at("limits").at("max_pages_per_host").get<int>(), 1);
}

TEST_P(Hostile, EverGrowingRepeatedPathIsCutByMaxRepeatedSegments) {
  TestServer trap;
  trap.fallback([](const Request&) {
    Response r;
    r.body = TestServer::html_page("Deeper", {"a/", "b/../a/"});  // relative: one level deeper
    return r;
  });
  const auto run = crawl_with_healthy_host(trap.base_url() + "/a/");
  std::set<std::string> fetched;
  for (const auto& record : records_of(run, trap.base_url())) {
    fetched.insert(record.at("url").get<std::string>().substr(trap.base_url().size()));
  }
  EXPECT_EQ(fetched, (std::set<std::string>{"/a/", "/a/a/", "/a/a/a/"}));
  EXPECT_EQ(trap.request_count("/a/a/a/a/"), 0u);
  EXPECT_GE(run.stats.at("limits").at("max_repeated_segments").get<int>(), 1);
  EXPECT_THAT(run.output, HasSubstr("scope.max_repeated_segments cut"));
}

TEST_P(Hostile, EverGrowingDistinctPathIsCutByMaxUrlLength) {
  TestServer trap;
  trap.fallback([](const Request& request) {
    Response r;
    const auto depth = std::count(request.path.begin(), request.path.end(), '/');
    r.body = TestServer::html_page("Deeper", {"x" + std::to_string(depth) + "/"});
    return r;
  });
  Knobs knobs;
  knobs.scope = "max_url_length: 120";
  const auto run = crawl_with_healthy_host(trap.base_url() + "/", knobs);
  const auto records = records_of(run, trap.base_url());
  EXPECT_GT(records.size(), 10u);
  for (const auto& record : records) {
    EXPECT_LE(record.at("url").get<std::string>().size(), 120u) << record.at("url");
  }
  EXPECT_GE(run.stats.at("limits").at("max_url_length").get<int>(), 1);
}

// ============================== Content faults ==============================

TEST_P(Hostile, BinaryServedAsHtml) {
  std::mt19937 random(1);
  std::string binary(1 << 20, '\0');
  for (auto& c : binary) c = static_cast<char>(random() & 0xff);
  FaultServer faulty;
  faulty.on("/", page(binary, "text/html"));
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/");
  // Not an error: the server answered. The record is whole, valid JSON, with the real size.
  const auto& record = record_for(run, faulty.base_url() + "/");
  EXPECT_EQ(record.at("status"), 200);
  EXPECT_EQ(record.at("bytes"), binary.size());
  EXPECT_TRUE(record.at("error").is_null());
}

TEST_P(Hostile, InvalidUtf8) {
  FaultServer faulty;
  faulty.on("/", page("<html><title>bad \xC3\x28 \xFF\xFE utf8 \xED\xA0\x80</title>"
                      "<a href='/next\xFF'>n</a><p>text \xF8\x88\x80\x80\x80</p></html>"s,
                      "text/html; charset=utf-8"));
  faulty.fallback(page("<html><title>Next</title></html>"));
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/");
  const auto& record = record_for(run, faulty.base_url() + "/");
  EXPECT_TRUE(record.at("error").is_null());
  EXPECT_THAT(record.at("title").get<std::string>(), HasSubstr("utf8"));
  EXPECT_THAT(record.at("title").get<std::string>(), HasSubstr("\xEF\xBF\xBD"));  // U+FFFD
  EXPECT_EQ(faulty.total_requests(), 2u);  // the link with a bad byte was still followed
}

TEST_P(Hostile, Utf16WithBom) {
  const std::u16string html = u"<html><title>Ünïcödé ☃</title><a href='/next'>n</a></html>";
  std::string body = "\xFF\xFE";
  for (char16_t unit : html) {
    body.push_back(static_cast<char>(unit & 0xff));
    body.push_back(static_cast<char>(unit >> 8));
  }
  FaultServer faulty;
  faulty.on("/", page(body, "text/html"));
  faulty.on("/next", page("<html><title>Next</title></html>"));
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/");
  const auto& record = record_for(run, faulty.base_url() + "/");
  EXPECT_TRUE(record.at("error").is_null());
  EXPECT_EQ(record.at("title"), "Ünïcödé ☃");
  EXPECT_EQ(record_for(run, faulty.base_url() + "/next").at("status"), 200);
}

TEST_P(Hostile, FiftyMegabytesOfNestedDivs) {
  FaultServer faulty;
  faulty.on("/", [](FaultConnection& c) {
    constexpr std::size_t kDivs = 10'000'000;  // 50 MB of "<div>"
    if (!c.send("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " +
                std::to_string(kDivs * 5 + 7) + "\r\n\r\n<html>\n")) {
      return;
    }
    std::string block;
    for (int i = 0; i < 100'000; ++i) block += "<div>";
    for (std::size_t sent = 0; sent < kDivs; sent += 100'000) {
      if (!c.send(block)) return;
    }
  });
  Knobs knobs;
  knobs.max_body = "10MiB";  // the default
  knobs.timeout = "30s";
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/", knobs);
  expect_fault(run, faulty.base_url() + "/", "too_large", "body larger than 10MiB");
  const auto& record = record_for(run, faulty.base_url() + "/");
  EXPECT_EQ(record.at("bytes"), 10 << 20);
  // Only output.max_text_input (2 MiB by default) of it reached Gumbo; the scanner reads it all.
  EXPECT_EQ(record.value("text_truncated", false), gumbo());
  EXPECT_EQ(run.stats.at("limits").at("max_text_input"), gumbo() ? 1 : 0);
}

TEST_P(Hostile, MillionLinks) {
  FaultServer faulty;
  std::string body = "<html><body>";
  body.reserve(24u << 20);
  for (int i = 0; i < 1'000'000; ++i) body += "<a href=/l" + std::to_string(i) + ">x</a>";
  body += "</body></html>";
  faulty.on("/", page(body, "text/html"));
  faulty.fallback(page("<html><title>link</title></html>"));
  Knobs knobs;
  knobs.max_body = "32MiB";  // the whole page, every link
  knobs.scope = "max_pages_per_host: 5";
  const auto run = crawl_with_healthy_host(faulty.base_url() + "/", knobs);
  const auto& record = record_for(run, faulty.base_url() + "/");
  EXPECT_TRUE(record.at("error").is_null());
  EXPECT_EQ(record.at("links_truncated"), true);
  EXPECT_EQ(record.at("links").size(), 10000u);  // scope.max_links_per_page's default
  EXPECT_EQ(run.stats.at("limits").at("max_links_per_page"), 1);
  // 22 MB of anchors: Gumbo parses up to 2 MiB of it, the scanner all of it.
  EXPECT_EQ(record.value("text_truncated", false), gumbo());
  EXPECT_EQ(faulty.total_requests(), 5u);  // max_pages_per_host
}

}  // namespace
}  // namespace crawler::testing
