// WARC output end to end: the real crawler against servers on 127.0.0.1, its files read back by
// an independent reader (Webrecorder's warcio, through tests/tools/warc_check/check.mjs, which
// scripts/install-warcio.sh installs).
#include <brotli/encode.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/crawler_runner.h"
#include "tests/support/fault_server.h"
#include "tests/support/sample_site.h"
#include "tests/support/test_server.h"

namespace crawler::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

std::string config_for(const std::vector<std::string>& seeds, const std::string& extra_output = "",
                       const std::string& extra_fetch = "", const std::string& extra = "") {
  std::string yaml = "seeds: [";
  for (std::size_t i = 0; i < seeds.size(); ++i) yaml += (i ? ", '" : "'") + seeds[i] + "'";
  return yaml +
         "]\n"
         "pool: {workers: 4}\n"
         "fetch: {timeout: 10s, user_agent: 'crawler/1.0 (+mailto:ops@example.org)'" +
         extra_fetch +
         "}\n"
         "politeness: {robots: false, delay: 0, per_host: 4}\n"
         "output: {warc: {enabled: true, operator: 'Test'" +
         extra_output +
         "}}\n"
         "log: {level: warn}\n" +
         extra;
}

// The closed WARC files of `dir`/out, oldest first; fails the test on a file still ".open".
std::vector<std::filesystem::path> warc_files(const TempDir& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "out")) {
    const std::string name = entry.path().filename().string();
    EXPECT_FALSE(name.ends_with(".open")) << name << " was never closed";
    if (name.ends_with(".warc.gz")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// warcio's reading of `files` (check.mjs); fails the test on any error it reports.
nlohmann::json read_back(const std::vector<std::filesystem::path>& files) {
  std::string command =
      std::string("node '") + CRAWLER_SOURCE_DIR + "/tests/tools/warc_check/check.mjs'";
  for (const auto& file : files) command += " '" + file.string() + "'";
  command += " 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return {};
  }
  std::array<char, 65536> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  nlohmann::json report = nlohmann::json::parse(output, nullptr, false);
  if (report.is_discarded()) {
    ADD_FAILURE() << "check.mjs did not answer JSON (run scripts/install-warcio.sh?): "
                  << output.substr(0, 2000);
    return {};
  }
  EXPECT_EQ(status, 0) << report.at("errors").dump(2);
  EXPECT_TRUE(report.at("errors").empty()) << report.at("errors").dump(2);
  return report;
}

// Responses and revisits by target URI.
std::map<std::string, std::vector<nlohmann::json>> captures_by_uri(const nlohmann::json& report) {
  std::map<std::string, std::vector<nlohmann::json>> out;
  for (const auto& c : report.at("captures")) out[c.at("uri").get<std::string>()].push_back(c);
  return out;
}

std::size_t count_type(const nlohmann::json& report, const std::string& type) {
  std::size_t n = 0;
  for (const auto& f : report.at("files")) n += f.at("types").value(type, 0);
  return n;
}

std::string gzip(const std::string& data) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// tests/tools/h2_server.mjs (Node's HTTP/2 server, no HTTP/1) on 127.0.0.1, stopped on
// destruction.
class H2Server {
 public:
  explicit H2Server(const TempDir& dir) {
    const SelfSignedPem pem = self_signed_pem();
    const auto cert = dir.path() / "h2-cert.pem";
    const auto key = dir.path() / "h2-key.pem";
    std::ofstream(cert) << pem.certificate;
    std::ofstream(key) << pem.key;
    const std::string script = std::string(CRAWLER_SOURCE_DIR) + "/tests/tools/h2_server.mjs";
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      ::execlp("node", "node", script.c_str(), cert.c_str(), key.c_str(), nullptr);
      ::_exit(127);
    }
    ::close(out[1]);
    stdout_ = out[0];
    // "port N\n", within 20 s.
    std::string line;
    pollfd p{stdout_, POLLIN, 0};
    while (line.find('\n') == std::string::npos && ::poll(&p, 1, 20000) > 0) {
      char buffer[64];
      const ssize_t n = ::read(stdout_, buffer, sizeof buffer);
      if (n <= 0) break;
      line.append(buffer, static_cast<std::size_t>(n));
    }
    if (line.rfind("port ", 0) == 0) port_ = std::stoi(line.substr(5));
  }
  ~H2Server() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    if (stdout_ >= 0) ::close(stdout_);
  }
  H2Server(const H2Server&) = delete;
  H2Server& operator=(const H2Server&) = delete;
  int port() const { return port_; }
  std::string base_url() const { return "https://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int stdout_ = -1;
  int port_ = 0;
};

TEST(WarcIntegration, AnHttp2ExchangeIsWrittenAsItsHttp11Equivalent) {
  TempDir dir;
  H2Server server(dir);
  ASSERT_GT(server.port(), 0) << "the HTTP/2 server did not start (is node installed?)";
  const auto run = run_crawler(dir, config_for({server.base_url() + "/"}, "", ", insecure: true"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  ASSERT_EQ(run.records.size(), 2u) << run.output;
  for (const auto& record : run.records) EXPECT_EQ(record.at("status"), 200) << record.dump();
  const auto report = read_back(warc_files(dir));
  ASSERT_TRUE(report.is_object());
  ASSERT_EQ(report.at("captures").size(), 2u);
  for (const auto& capture : report.at("captures")) {
    const std::string head = capture.at("head");
    EXPECT_EQ(head.substr(0, head.find("\r\n")), "HTTP/1.1 200 OK") << head;
    EXPECT_THAT(head, HasSubstr("content-encoding: gzip"));
    EXPECT_GT(capture.at("payload_length").get<std::size_t>(), 0u);
  }
  ASSERT_EQ(report.at("requests").size(), 2u);
  for (const auto& request : report.at("requests")) {
    const std::string path = request.at("uri").get<std::string>().substr(server.base_url().size());
    EXPECT_EQ(request.at("line"), "GET " + path + " HTTP/1.1");
  }
}

// A brotli-encoded body is archived encoded, as it came: the payload is the brotli stream.
TEST(WarcIntegration, ABrotliEncodedBodyIsKeptEncoded) {
  const std::string html = "<html><title>br</title>" + std::string(5000, 'y') + "</html>";
  std::string encoded(BrotliEncoderMaxCompressedSize(html.size()), '\0');
  std::size_t encoded_size = encoded.size();
  ASSERT_TRUE(BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT,
                                    html.size(), reinterpret_cast<const std::uint8_t*>(html.data()),
                                    &encoded_size,
                                    reinterpret_cast<std::uint8_t*>(encoded.data())));
  encoded.resize(encoded_size);
  FaultServer server;
  server.on("/", [&](FaultConnection& c) {
    c.respond(200, "text/html", encoded, {{"Content-Encoding", "br"}});
  });
  TempDir dir;
  const auto run = run_crawler(dir, config_for({server.base_url() + "/"}));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  ASSERT_EQ(run.records.size(), 1u);
  EXPECT_EQ(run.records[0].at("title"), "br") << "the crawler decoded it for itself";
  const auto report = read_back(warc_files(dir));
  ASSERT_TRUE(report.is_object());
  ASSERT_EQ(report.at("captures").size(), 1u);
  const auto& capture = report.at("captures")[0];
  EXPECT_THAT(capture.at("head").get<std::string>(), HasSubstr("Content-Encoding: br"));
  EXPECT_EQ(capture.at("payload_length"), encoded.size());
}

TEST(WarcIntegration, ASampleSiteCrawlReadsBackWithOneCapturePerUrl) {
  SampleSite site(SampleSiteOptions{.pages = 80, .seed = 3});
  TestServer server;
  server.serve_site(site);
  TempDir dir;
  const auto run = run_crawler(dir, config_for({server.base_url() + "/"}));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto files = warc_files(dir);
  ASSERT_EQ(files.size(), 1u);
  const auto report = read_back(files);
  ASSERT_TRUE(report.is_object());
  const auto captures = captures_by_uri(report);
  std::size_t responded = 0;
  for (const auto& record : run.records) {
    if (record.at("status").get<int>() == 0) continue;
    ++responded;
    const std::string url = record.at("final_url");
    ASSERT_EQ(captures.count(url), 1u) << url;
    ASSERT_EQ(captures.at(url).size(), 1u) << url << " captured more than once";
    EXPECT_EQ(captures.at(url)[0].at("status"), record.at("status")) << url;
    EXPECT_EQ(captures.at(url)[0].at("type"), "response") << url;
  }
  EXPECT_GE(responded, site.reachable_paths().size());
  EXPECT_EQ(count_type(report, "warcinfo"), 1u);
  EXPECT_EQ(count_type(report, "response"), responded);
  // The CDXJ beside the file lists every response, as warcio's cdx-index does (check.mjs).
  EXPECT_EQ(report.at("files")[0].at("cdxj"), responded);
  EXPECT_EQ(count_type(report, "request"), responded);
  EXPECT_EQ(count_type(report, "metadata"), responded);
  // The metadata of a page lists its links, as the JSONL does.
  std::map<std::string, std::string> metadata;
  for (const auto& m : report.at("metadata")) metadata[m.at("uri")] = m.at("fields");
  for (const auto& record : run.records) {
    if (record.at("status") != 200) continue;
    const std::string& fields = metadata.at(record.at("final_url").get<std::string>());
    for (const auto& link : record.at("links")) {
      EXPECT_THAT(fields, HasSubstr("outlink: " + link.get<std::string>() + "\r\n"));
    }
  }
}

// Chunked and gzip-encoded, brotli-less plain, a redirect, and a body cut by max_body: the
// WARC keeps the bytes as they came off the connection.
TEST(WarcIntegration, WireBytesRedirectsAndCutBodiesAreKept) {
  const std::string html =
      "<html><title>t</title><a href='/big'>b</a>" + std::string(3000, 'x') + "</html>";
  const std::string encoded = gzip(html);
  ASSERT_FALSE(encoded.empty());
  FaultServer server;
  server.on("/", [](FaultConnection& c) {
    c.send(
        "HTTP/1.1 301 Moved Permanently\r\nLocation: /chunked\r\nContent-Length: 0\r\n"
        "Connection: close\r\n\r\n");
  });
  server.on("/chunked", [&](FaultConnection& c) {
    const std::size_t half = encoded.size() / 2;
    char size1[16];
    char size2[16];
    std::snprintf(size1, sizeof size1, "%zx\r\n", half);
    std::snprintf(size2, sizeof size2, "%zX\r\n", encoded.size() - half);
    c.send(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
        std::string(size1) + encoded.substr(0, half) + "\r\n" + size2 + encoded.substr(half) +
        "\r\n0\r\n\r\n");
  });
  server.on("/big", [](FaultConnection& c) {
    c.respond(200, "text/html", std::string(std::size_t{300} * 1024, 'b'));
  });
  TempDir dir;
  const auto run =
      run_crawler(dir, config_for({server.base_url() + "/"}, "", ", max_body: 100KiB"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto report = read_back(warc_files(dir));
  ASSERT_TRUE(report.is_object());
  const auto captures = captures_by_uri(report);
  const std::string base = server.base_url();
  ASSERT_EQ(captures.count(base + "/"), 1u) << "the redirect hop is archived";
  EXPECT_EQ(captures.at(base + "/")[0].at("status"), 301);
  ASSERT_EQ(captures.count(base + "/chunked"), 1u);
  const auto& chunked = captures.at(base + "/chunked")[0];
  EXPECT_THAT(chunked.at("head").get<std::string>(), HasSubstr("Transfer-Encoding: chunked"));
  // The payload is the gzip stream: chunking removed, content coding kept.
  EXPECT_EQ(chunked.at("payload_length"), encoded.size());
  ASSERT_EQ(captures.count(base + "/big"), 1u);
  const auto& big = captures.at(base + "/big")[0];
  EXPECT_EQ(big.at("truncated"), "length");
  EXPECT_LE(big.at("payload_length").get<std::size_t>(), 100u * 1024);
  EXPECT_GT(big.at("payload_length").get<std::size_t>(), 0u);
  // One JSONL record for the chain, whose metadata says it came by one redirect.
  bool found = false;
  for (const auto& m : report.at("metadata")) {
    if (m.at("uri") == base + "/chunked") {
      found = true;
      EXPECT_THAT(m.at("fields").get<std::string>(), HasSubstr("hopsFromSeed: R\r\n"));
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(count_type(report, "request"), 3u);
}

TEST(WarcIntegration, ARecrawlAnsweredNotModifiedIsARevisit) {
  TestServer server;
  server.route("/", [](const Request& request) {
    Response r;
    const auto validator = request.headers.find("if-none-match");
    if (validator != request.headers.end() && validator->second == "\"v1\"") {
      r.status = 304;
      r.headers.emplace_back("ETag", "\"v1\"");
      return r;
    }
    r.body = TestServer::html_page("Home", {});
    r.headers.emplace_back("ETag", "\"v1\"");
    return r;
  });
  TempDir dir;
  const std::string yaml =
      config_for({server.base_url() + "/"}, "", "", "state: {recrawl_after: 0s}\n");
  ASSERT_EQ(run_crawler(dir, yaml).exit_code, 0);
  std::this_thread::sleep_for(1100ms);  // fetch times have a one-second resolution
  const auto second = run_crawler(dir, yaml);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  const auto files = warc_files(dir);
  ASSERT_EQ(files.size(), 2u) << "one file per run";
  const auto first = read_back({files[0]});
  const auto report = read_back({files[1]});
  ASSERT_TRUE(first.is_object());
  ASSERT_TRUE(report.is_object());
  ASSERT_EQ(first.at("captures").size(), 1u);
  ASSERT_EQ(report.at("captures").size(), 1u) << second.records.size() << " " << second.output;
  const auto& original = first.at("captures")[0];
  const auto& revisit = report.at("captures")[0];
  EXPECT_EQ(revisit.at("type"), "revisit");
  EXPECT_EQ(revisit.at("status"), 304);
  EXPECT_EQ(revisit.at("profile"), "http://netpreserve.org/warc/1.1/revisit/server-not-modified");
  EXPECT_EQ(revisit.at("refers_to_uri"), server.base_url() + "/");
  EXPECT_EQ(revisit.at("refers_to_date"), original.at("date"));
  EXPECT_EQ(revisit.at("payload_digest"), original.at("payload_digest"));
}

// A re-crawl without validators: the same bytes again are an identical-payload-digest revisit
// referring to the first capture (through the state, across runs), changed bytes a response.
TEST(WarcIntegration, ARefetchedUnchangedPageIsAnIdenticalPayloadRevisit) {
  auto version = std::make_shared<std::atomic<int>>(1);
  TestServer server;
  server.route("/", [](const Request&) {
    Response r;
    r.body = TestServer::html_page("Home", {"/changing"});
    return r;
  });
  server.route("/changing", [version](const Request&) {
    Response r;
    r.body = TestServer::html_page("Version " + std::to_string(version->load()), {});
    return r;
  });
  TempDir dir;
  const std::string yaml =
      config_for({server.base_url() + "/"}, "", "", "state: {recrawl_after: 0s}\n");
  ASSERT_EQ(run_crawler(dir, yaml).exit_code, 0);
  std::this_thread::sleep_for(1100ms);  // fetch times have a one-second resolution
  version->store(2);
  ASSERT_EQ(run_crawler(dir, yaml).exit_code, 0);
  const auto files = warc_files(dir);
  ASSERT_EQ(files.size(), 2u);
  const auto first = captures_by_uri(read_back({files[0]}));
  const auto second = captures_by_uri(read_back({files[1]}));
  const std::string home = server.base_url() + "/";
  const std::string changing = server.base_url() + "/changing";
  ASSERT_EQ(second.at(home).size(), 1u);
  const auto& revisit = second.at(home)[0];
  EXPECT_EQ(revisit.at("type"), "revisit");
  EXPECT_EQ(revisit.at("status"), 200);
  EXPECT_EQ(revisit.at("profile"),
            "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest");
  EXPECT_EQ(revisit.at("payload_digest"), first.at(home)[0].at("payload_digest"));
  EXPECT_EQ(revisit.at("refers_to_date"), first.at(home)[0].at("date"));
  EXPECT_EQ(revisit.at("payload_length"), 0) << "headers only";
  ASSERT_EQ(second.at(changing).size(), 1u);
  EXPECT_EQ(second.at(changing)[0].at("type"), "response");
  EXPECT_NE(second.at(changing)[0].at("payload_digest"),
            first.at(changing)[0].at("payload_digest"));
}

TEST(WarcIntegration, FilesRollOverAtMaxSizeAndEachReadsOnItsOwn) {
  SampleSite site(SampleSiteOptions{.pages = 60, .seed = 5});
  TestServer server;
  // Files roll over at commits (every 250 ms): slow pages make the crawl span several.
  server.serve_site(site, 100ms);
  TempDir dir;
  const auto run = run_crawler(dir, config_for({server.base_url() + "/"}, ", max_size: 10KiB"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto files = warc_files(dir);
  ASSERT_GE(files.size(), 3u);
  std::size_t responses = 0;
  for (const auto& file : files) {
    const auto report = read_back({file});
    ASSERT_TRUE(report.is_object());
    EXPECT_EQ(count_type(report, "warcinfo"), 1u) << file;
    EXPECT_EQ(report.at("files")[0].at("cdxj"), count_type(report, "response")) << file;
    responses += count_type(report, "response");
  }
  std::size_t responded = 0;
  for (const auto& record : run.records) responded += record.at("status").get<int>() > 0 ? 1 : 0;
  EXPECT_EQ(responses, responded);
}

// The step and count of the last commit-protocol step the crash hook logged before the kill.
bool killed_at(const std::string& output, const std::string& step) {
  return output.find("test-hook: " + step + " ") != std::string::npos;
}

// kill -9 at each point of the commit protocol (CRAWLER_TEST_CRASH_AT), with WARC files rolling
// over in between; then a run that finishes. Every killed run's open WARC file is cut back to its
// committed length and closed (or deleted when nothing of it was committed), every file reads to
// its end, and over all runs each URL has exactly one response: the JSONL and the WARC agree.
TEST(WarcIntegration, KillNineAtEachCommitStepLeavesEveryUrlArchivedOnce) {
  // Slow enough pages (8 workers, 25 ms each) that six short runs leave work for the last one.
  SampleSite site(SampleSiteOptions{.pages = 3000, .seed = 21});
  TestServer server;
  server.set_request_logging(false);
  server.serve_site(site, 25ms);
  TempDir dir;
  const std::string yaml = "seeds: ['" + server.base_url() +
                           "/']\n"
                           "pool: {workers: 8}\n"
                           "fetch: {user_agent: 'crawler/1.0 (+mailto:ops@example.org)'}\n"
                           "politeness: {robots: false, delay: 0, per_host: 8}\n"
                           "output: {text: false, warc: {enabled: true, max_size: 40KiB}}\n"
                           "log: {level: info}\n";
  struct Open {
    std::filesystem::path file;
    std::uintmax_t size = 0;
  };
  std::vector<Open> left_open;
  const std::vector<std::string> points = {"written", "synced", "committed"};
  // Files roll over at commits once they hold 40 KiB: kills land in fresh files and in files
  // with committed records.
  for (int round = 0; round < 6; ++round) {
    const std::string& step = points[round % 3];
    const long n = 3 + round / 3;
    CrawlerProcess crawler(dir, yaml, {},
                           {"CRAWLER_TEST_CRASH_AT=" + step + ":" + std::to_string(n)});
    const auto run = crawler.wait(60s);
    ASSERT_EQ(run.exit_code, 128 + SIGKILL) << "round " << round << "\n" << run.output;
    ASSERT_TRUE(killed_at(run.output, step)) << run.output;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "out")) {
      if (entry.path().extension() == ".open") {
        left_open.push_back({entry.path(), std::filesystem::file_size(entry.path())});
      }
    }
  }
  ASSERT_GE(left_open.size(), 6u) << "every killed run left its open file";
  const auto last = run_crawler(dir, yaml, {}, 300s);
  ASSERT_EQ(last.exit_code, 0) << last.output;

  int cut = 0;
  for (const Open& open : left_open) {
    EXPECT_FALSE(std::filesystem::exists(open.file)) << open.file << " was not closed";
    std::filesystem::path closed = open.file;
    closed.replace_extension();
    if (std::filesystem::exists(closed)) {
      EXPECT_LE(std::filesystem::file_size(closed), open.size);
      if (std::filesystem::file_size(closed) < open.size) ++cut;
    } else if (open.size > 4096) {
      ++cut;  // records, none of them committed: deleted with the file
    }
  }
  // A kill after a sync and before its commit leaves synced records past the committed length.
  EXPECT_GT(cut, 0) << "no killed run left an uncommitted tail to cut";

  const auto files = warc_files(dir);
  const auto report = read_back(files);
  ASSERT_TRUE(report.is_object());
  for (const auto& file : report.at("files")) {
    EXPECT_FALSE(file.at("cdxj").is_null()) << file.at("file") << " has no CDXJ index";
  }
  std::map<std::string, int> archived;
  for (const auto& c : report.at("captures")) ++archived[c.at("uri").get<std::string>()];
  std::map<std::string, int> recorded;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "out")) {
    if (entry.path().filename().string().rfind("pages-", 0) != 0) continue;
    for (const auto& row : read_jsonl(entry.path())) {
      if (row.at("status").get<int>() == 0) continue;
      for (const auto& hop : row.at("redirects")) ++recorded[hop.get<std::string>()];
      ++recorded[row.at("final_url").get<std::string>()];
    }
  }
  EXPECT_GE(recorded.size(), site.reachable_paths().size());
  for (const auto& [url, n] : recorded) {
    EXPECT_EQ(n, 1) << url << " recorded " << n << " times";
    EXPECT_EQ(archived[url], 1) << url << " archived " << archived[url] << " times";
  }
  EXPECT_EQ(archived.size(), recorded.size()) << "the WARC holds URLs the JSONL does not";
}

}  // namespace
}  // namespace crawler::testing
