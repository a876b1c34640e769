// WARC records and the writer: digests against known vectors, the record layout, one gzip
// member per record, the warcinfo link, request/response pairs, revisits, truncation and
// rotation. (An independent reader, warcio, checks whole crawls: tests/integration/warc_test.cc.)
#include "crawler/output/warc_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/output/cdxj_index.h"
#include "crawler/output/page_record.h"
#include "crawler/output/warc_record.h"
#include "tests/support/crawler_runner.h"

namespace crawler {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(WarcRecord, Base32FollowsRfc4648) {
  // RFC 4648, section 10.
  EXPECT_EQ(base32(""), "");
  EXPECT_EQ(base32("f"), "MY======");
  EXPECT_EQ(base32("fo"), "MZXQ====");
  EXPECT_EQ(base32("foo"), "MZXW6===");
  EXPECT_EQ(base32("foob"), "MZXW6YQ=");
  EXPECT_EQ(base32("fooba"), "MZXW6YTB");
  EXPECT_EQ(base32("foobar"), "MZXW6YTBOI======");
}

TEST(WarcRecord, Sha1DigestsInBase32) {
  EXPECT_EQ(warc_sha1(""), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
  EXPECT_EQ(warc_sha1("abc"), "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5");
}

TEST(WarcRecord, PayloadDigestRemovesChunkingAndKeepsTheContentCoding) {
  const std::string plain = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n";
  EXPECT_EQ(http_payload_digest(plain, "abc"), warc_sha1("abc"));
  const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(http_payload_digest(chunked, "1\r\na\r\n2;ext=1\r\nbc\r\n0\r\n\r\n"), warc_sha1("abc"));
  EXPECT_EQ(http_payload_digest(chunked, "A\r\n0123456789\r\n0\r\n\r\n"), warc_sha1("0123456789"));
  // Cut inside a chunk (a truncated capture): what arrived counts.
  EXPECT_EQ(http_payload_digest(chunked, "5\r\nab"), warc_sha1("ab"));
  // The header's case and spacing do not matter; other codings are kept as they are.
  EXPECT_EQ(http_payload_digest("HTTP/1.1 200 OK\r\ntransfer-encoding:  Chunked \r\n\r\n",
                                "3\r\nabc\r\n0\r\n\r\n"),
            warc_sha1("abc"));
  EXPECT_EQ(http_payload_digest("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n", "\x1f\x8b"),
            warc_sha1("\x1f\x8b"));
}

TEST(WarcRecord, DatesAndIds) {
  const auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(1765148722123));
  EXPECT_EQ(warc_date(when), "2025-12-07T23:05:22.123Z");
  std::mt19937_64 random(1);
  const std::string id = warc_record_id(random);
  EXPECT_TRUE(std::regex_match(
      id,
      std::regex("<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}>")))
      << id;
  EXPECT_NE(warc_record_id(random), id);
}

TEST(WarcRecord, SerializeLaysOutHeadersLengthAndBlock) {
  WarcRecord record;
  record.type = "resource";
  record.id = "<urn:uuid:1>";
  record.date = "2026-01-01T00:00:00.000Z";
  record.fields = {{"WARC-Target-URI", "http://a.example/"}};
  record.block = "hello";
  EXPECT_EQ(serialize(record),
            "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
            "WARC-Date: 2026-01-01T00:00:00.000Z\r\nWARC-Target-URI: http://a.example/\r\n"
            "WARC-Block-Digest: " +
                warc_sha1("hello") + "\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n");
}

TEST(CdxjIndex, SurtIsWarciosUrlKey) {
  EXPECT_EQ(surt("http://www.Example.com:8080/a/B?b=2&a=1#top"), "com,example:8080)/a/b?a=1&b=2");
  EXPECT_EQ(surt("https://127.0.0.1/"), "1,0,0,127)/");
  EXPECT_EQ(surt("http://a.example"), "example,a)/");
  EXPECT_EQ(surt("http://www2.b.org:80/x"), "org,b)/x");
  EXPECT_EQ(surt("https://wwwx.c.org:443/?"), "org,c,wwwx)/");
  EXPECT_EQ(surt("ftp://a.example/"), "ftp://a.example/");
}

TEST(CdxjIndex, LinesAndPaths) {
  const CdxjEntry entry =
      cdxj_entry("http://a.example/p?x=\"1\"", "2026-12-07T23:05:22.123Z", false,
                 "HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\n\r\n",
                 "sha1:ABCD", 100, 50);
  EXPECT_EQ(cdxj_line(entry, "f.warc.gz"),
            "example,a)/p?x=\"1\" 20261207230522 {\"url\":\"http://a.example/p?x=\\\"1\\\"\","
            "\"mime\":\"text/html\",\"status\":\"404\",\"digest\":\"ABCD\",\"length\":\"50\","
            "\"offset\":\"100\",\"filename\":\"f.warc.gz\"}");
  const CdxjEntry revisit = cdxj_entry("http://a.example/", "2026-12-07T23:05:22.123Z", true,
                                       "HTTP/1.1 304 Not Modified\r\n\r\n", "", 0, 10);
  EXPECT_EQ(revisit.mime, "warc/revisit");
  EXPECT_EQ(revisit.status, 304);
  EXPECT_EQ(cdxj_path("/out/crawl-1-00001-h.warc.gz"), "/out/crawl-1-00001-h.cdxj");
}

// ---------------------------------------------------------------------------------------------
// The writer.

struct Record {
  std::map<std::string, std::string> fields;
  std::string block;
};

// Every gzip member of `bytes`, inflated one at a time: one member must hold exactly one record.
std::vector<Record> read_members(const std::string& bytes) {
  std::vector<Record> out;
  std::size_t at = 0;
  while (at < bytes.size()) {
    z_stream z{};
    EXPECT_EQ(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
    std::string member(1 << 20, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + at));
    z.avail_in = static_cast<uInt>(bytes.size() - at);
    z.next_out = reinterpret_cast<Bytef*>(member.data());
    z.avail_out = static_cast<uInt>(member.size());
    const int rc = inflate(&z, Z_FINISH);
    EXPECT_EQ(rc, Z_STREAM_END) << "a member ends where its record ends";
    member.resize(z.total_out);
    at += z.total_in;
    inflateEnd(&z);
    if (rc != Z_STREAM_END) break;
    Record r;
    const std::size_t end = member.find("\r\n\r\n");
    std::istringstream head(member.substr(0, end));
    std::string line;
    std::getline(head, line);
    EXPECT_EQ(line, "WARC/1.1\r");
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const auto colon = line.find(": ");
      r.fields[line.substr(0, colon)] = line.substr(colon + 2);
    }
    const std::size_t length = std::stoul(r.fields.at("Content-Length"));
    r.block = member.substr(end + 4, length);
    EXPECT_EQ(member.size(), end + 4 + length + 4) << "one record per member";
    EXPECT_EQ(member.substr(end + 4 + length), "\r\n\r\n");
    out.push_back(std::move(r));
  }
  return out;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

HttpCapture capture(const std::string& url, const std::string& head, const std::string& body) {
  HttpCapture c;
  c.target_uri = url;
  c.ip = "127.0.0.1";
  c.started = std::chrono::system_clock::now();
  c.request = "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n";
  c.response_head = head;
  c.response_body = body;
  return c;
}

WarcOptions options_in(const testing::TempDir& dir) {
  return WarcOptions{.dir = dir.path(),
                     .prefix = "test",
                     .max_size = 1 << 20,
                     .operator_name = "Ops <ops@example.org>",
                     .software = "crawler/test",
                     .user_agent = "crawler/test (+mailto:ops@example.org)",
                     .robots = true,
                     .hostname = "node1"};
}

TEST(WarcWriter, WritesWarcinfoThenPairsOfRequestAndResponseAndAMetadataRecord) {
  testing::TempDir dir;
  std::filesystem::path final_path;
  {
    WarcWriter writer(options_in(dir));
    EXPECT_TRUE(writer.path().empty()) << "no file before the first record";
    PageRecord page;
    page.url = "http://a.example/old";
    page.final_url = "http://a.example/";
    page.redirects = {"http://a.example/old"};
    page.depth = 2;
    page.referrer = "http://a.example/from";
    page.elapsed_ms = 12;
    page.links = {"http://a.example/x", "http://b.example/y"};
    page.captures.push_back(capture("http://a.example/old",
                                    "HTTP/1.1 301 Moved Permanently\r\nLocation: /\r\n\r\n", ""));
    page.captures.push_back(capture("http://a.example/",
                                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                                    "3\r\nabc\r\n0\r\n\r\n"));
    writer.write(page);
    EXPECT_THAT(writer.path().filename().string(),
                ::testing::MatchesRegex("test-[0-9]{17}-00001-node1\\.warc\\.gz\\.open"));
    PageRecord failed;  // no response: nothing archived
    failed.url = "http://gone.example/";
    writer.write(failed);
    writer.sync();
    EXPECT_EQ(writer.length(), std::filesystem::file_size(writer.path()));
    writer.close();
    ASSERT_EQ(writer.closed_files().size(), 1u);
    final_path = writer.closed_files()[0];
  }
  EXPECT_EQ(final_path.extension(), ".gz");
  const auto records = read_members(read_file(final_path));
  ASSERT_EQ(records.size(), 6u);  // warcinfo, 2 x (request, response), metadata
  const Record& info = records[0];
  EXPECT_EQ(info.fields.at("WARC-Type"), "warcinfo");
  EXPECT_EQ(info.fields.at("WARC-Filename"), final_path.filename().string());
  EXPECT_THAT(info.block, HasSubstr("format: WARC File Format 1.1\r\n"));
  EXPECT_THAT(info.block, HasSubstr("operator: Ops <ops@example.org>\r\n"));
  EXPECT_THAT(info.block, HasSubstr("http-header-user-agent: crawler/test (+mailto:"));
  EXPECT_THAT(info.block, HasSubstr("robots: obey\r\n"));
  EXPECT_THAT(info.block, HasSubstr("hostname: node1\r\n"));
  const std::string info_id = info.fields.at("WARC-Record-ID");
  for (std::size_t i = 1; i < records.size(); ++i) {
    EXPECT_EQ(records[i].fields.at("WARC-Warcinfo-ID"), info_id) << i;
    EXPECT_EQ(records[i].fields.at("WARC-Block-Digest"), warc_sha1(records[i].block)) << i;
  }
  const std::vector<std::string> types = {"request", "response", "request", "response"};
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(records[i + 1].fields.at("WARC-Type"), types[i]);
  for (std::size_t i = 1; i < 5; i += 2) {
    const Record& request = records[i];
    const Record& response = records[i + 1];
    EXPECT_EQ(request.fields.at("WARC-Concurrent-To"), response.fields.at("WARC-Record-ID"));
    EXPECT_EQ(response.fields.at("WARC-Concurrent-To"), request.fields.at("WARC-Record-ID"));
    EXPECT_EQ(request.fields.at("Content-Type"), "application/http;msgtype=request");
    EXPECT_EQ(response.fields.at("Content-Type"), "application/http;msgtype=response");
    EXPECT_EQ(response.fields.at("WARC-IP-Address"), "127.0.0.1");
    EXPECT_THAT(response.fields.at("WARC-Date"),
                ::testing::MatchesRegex("[0-9-]{10}T[0-9:]{8}\\.[0-9]{3}Z"));
  }
  EXPECT_EQ(records[2].fields.at("WARC-Target-URI"), "http://a.example/old");
  EXPECT_EQ(records[4].fields.at("WARC-Target-URI"), "http://a.example/");
  EXPECT_EQ(records[4].block,
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            "3\r\nabc\r\n0\r\n\r\n")
      << "the wire bytes, framing included";
  EXPECT_EQ(records[4].fields.at("WARC-Payload-Digest"), warc_sha1("abc"));
  EXPECT_EQ(records[4].fields.count("WARC-Truncated"), 0u);
  const Record& metadata = records[5];
  EXPECT_EQ(metadata.fields.at("WARC-Type"), "metadata");
  EXPECT_EQ(metadata.fields.at("WARC-Concurrent-To"), records[4].fields.at("WARC-Record-ID"));
  EXPECT_EQ(metadata.block,
            "via: http://a.example/from\r\nhopsFromSeed: LLR\r\nfetchTimeMs: 12\r\n"
            "outlink: http://a.example/x\r\noutlink: http://b.example/y\r\n");
}

TEST(WarcWriter, NotModifiedIsARevisitAndACutBodySaysWhy) {
  testing::TempDir dir;
  std::filesystem::path path;
  {
    WarcWriter writer(options_in(dir));
    PageRecord unchanged;
    unchanged.unchanged = true;
    unchanged.captures.push_back(
        capture("http://a.example/", "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n", ""));
    writer.write(unchanged);
    PageRecord cut;
    cut.captures.push_back(capture("http://a.example/big", "HTTP/1.1 200 OK\r\n\r\n", "abc"));
    cut.captures.back().truncated = HttpCapture::Truncated::kLength;
    writer.write(cut);
    PageRecord slow;
    slow.captures.push_back(capture("http://a.example/slow", "HTTP/1.1 200 OK\r\n\r\n", "a"));
    slow.captures.back().truncated = HttpCapture::Truncated::kTime;
    writer.write(slow);
    writer.close();
    path = writer.closed_files().at(0);
  }
  const auto records = read_members(read_file(path));
  ASSERT_EQ(records.size(), 10u);
  const Record& revisit = records[2];
  EXPECT_EQ(revisit.fields.at("WARC-Type"), "revisit");
  EXPECT_EQ(revisit.fields.at("WARC-Profile"),
            "http://netpreserve.org/warc/1.1/revisit/server-not-modified");
  EXPECT_EQ(revisit.fields.at("WARC-Refers-To-Target-URI"), "http://a.example/");
  EXPECT_EQ(revisit.block, "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n");
  EXPECT_EQ(records[5].fields.at("WARC-Truncated"), "length");
  EXPECT_EQ(records[5].block, "HTTP/1.1 200 OK\r\n\r\nabc");
  EXPECT_EQ(records[8].fields.at("WARC-Truncated"), "time");
}

TEST(WarcWriter, TheSamePayloadAsTheArchivedCopyIsAnIdenticalPayloadRevisit) {
  testing::TempDir dir;
  std::filesystem::path path;
  {
    WarcWriter writer(options_in(dir));
    PageRecord same;
    same.archived_digest = warc_sha1("abc");
    same.archived_at = "2026-01-01T00:00:00.000Z";
    same.captures.push_back(capture("http://a.example/", "HTTP/1.1 200 OK\r\n\r\n", "abc"));
    same.captures.back().payload_digest = warc_sha1("abc");
    writer.write(same);
    PageRecord changed = same;
    changed.captures.back().response_body = "abd";
    changed.captures.back().payload_digest = warc_sha1("abd");
    writer.write(changed);
    writer.close();
    path = writer.closed_files().at(0);
  }
  const auto records = read_members(read_file(path));
  ASSERT_EQ(records.size(), 7u);
  const Record& revisit = records[2];
  EXPECT_EQ(revisit.fields.at("WARC-Type"), "revisit");
  EXPECT_EQ(revisit.fields.at("WARC-Profile"),
            "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest");
  EXPECT_EQ(revisit.fields.at("WARC-Payload-Digest"), warc_sha1("abc"));
  EXPECT_EQ(revisit.fields.at("WARC-Refers-To-Date"), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(revisit.fields.at("WARC-Refers-To-Target-URI"), "http://a.example/");
  EXPECT_EQ(revisit.block, "HTTP/1.1 200 OK\r\n\r\n") << "the headers only";
  EXPECT_EQ(records[5].fields.at("WARC-Type"), "response");
  EXPECT_EQ(records[5].fields.at("WARC-Payload-Digest"), warc_sha1("abd"));
}

TEST(WarcWriter, StartsANewFileAtACommitOnceOneHoldsMaxSize) {
  testing::TempDir dir;
  WarcOptions options = options_in(dir);
  options.max_size = 2000;
  std::vector<std::filesystem::path> opened;
  options.on_open = [&](const std::filesystem::path& file) {
    EXPECT_FALSE(std::filesystem::exists(file)) << "announced before it is created";
    opened.push_back(file);
  };
  std::vector<std::filesystem::path> files;
  {
    WarcWriter writer(options);
    for (int i = 0; i < 20; ++i) {
      PageRecord page;
      page.captures.push_back(capture("http://a.example/" + std::to_string(i),
                                      "HTTP/1.1 200 OK\r\n\r\n",
                                      std::string(500, static_cast<char>('a' + i % 26))));
      writer.write(page);
      writer.on_commit();  // the results sink calls it after each commit
    }
    writer.close();
    files = writer.closed_files();
  }
  ASSERT_GE(files.size(), 3u);
  ASSERT_EQ(opened.size(), files.size());
  for (std::size_t i = 0; i < files.size(); ++i) EXPECT_EQ(opened[i], files[i].string() + ".open");
  std::size_t responses = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    char serial[8];
    std::snprintf(serial, sizeof serial, "-%05zu-", i + 1);
    EXPECT_THAT(files[i].filename().string(), HasSubstr(serial));
    EXPECT_FALSE(std::filesystem::exists(files[i].string() + ".open"));
    const auto records = read_members(read_file(files[i]));
    ASSERT_FALSE(records.empty());
    EXPECT_EQ(records[0].fields.at("WARC-Type"), "warcinfo") << files[i];
    for (const auto& r : records) {
      EXPECT_EQ(r.fields.count("WARC-Warcinfo-ID") ? r.fields.at("WARC-Warcinfo-ID")
                                                   : r.fields.at("WARC-Record-ID"),
                records[0].fields.at("WARC-Record-ID"));
      if (r.fields.at("WARC-Type") == "response") ++responses;
    }
    // Over max_size by at most one page's records.
    if (i + 1 < files.size()) EXPECT_LT(std::filesystem::file_size(files[i]), 2000u + 1500u);
  }
  EXPECT_EQ(responses, 20u);
  // Each closed file has its sorted index, and reading the file back gives the same index (what
  // a resume does for a file a killed run left open).
  for (const auto& file : files) {
    const std::string written = read_file(cdxj_path(file));
    ASSERT_FALSE(written.empty()) << file;
    std::string again;
    std::vector<std::string> lines;
    for (const auto& entry : index_warc_file(file)) {
      lines.push_back(cdxj_line(entry, file.filename().string()));
    }
    std::sort(lines.begin(), lines.end());
    for (const auto& line : lines) again += line + "\n";
    EXPECT_EQ(again, written) << file;
  }
}

TEST(WarcWriter, AFileThatCannotBeCreatedIsAnErrorNamingIt) {
  WarcOptions options;
  options.dir = "/nonexistent/warc";
  options.hostname = "h";
  WarcWriter writer(options);
  PageRecord page;
  page.captures.push_back(capture("http://a.example/", "HTTP/1.1 200 OK\r\n\r\n", "a"));
  try {
    writer.write(page);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), StartsWith("/nonexistent/warc/crawl-"));
    EXPECT_THAT(e.what(), HasSubstr("cannot create the WARC file"));
  }
}

}  // namespace
}  // namespace crawler
