// Crash safety, resume, re-crawl and the state lock, with the real executable.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/crawler_runner.h"
#include "tests/support/sample_site.h"
#include "tests/support/test_server.h"

namespace crawler::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

std::string config_for(const std::string& seed, const std::string& extra = "") {
  return "seeds: ['" + seed +
         "']\n"
         "pool: {workers: 8}\n"
         "fetch: {timeout: 5s, connect_timeout: 1s}\n"
         "politeness: {robots: false, delay: 0, per_host: 8}\n"
         "log: {level: warn}\n" +
         extra;
}

// Every line of every results file of the run folder (pages-*.jsonl), with bad lines counted.
std::vector<nlohmann::json> all_results(const std::filesystem::path& out,
                                        std::vector<std::string>* bad) {
  std::vector<nlohmann::json> all;
  for (const auto& entry : std::filesystem::directory_iterator(out)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("pages-", 0) != 0) continue;
    auto rows = read_jsonl(entry.path(), bad);
    all.insert(all.end(), rows.begin(), rows.end());
  }
  return all;
}

// One step of the commit protocol as the crash hook logged it (CRAWLER_TEST_CRASH_AT).
struct HookStep {
  std::string step;  // written, synced, committed
  long n = 0;
  std::uint64_t length = 0;  // the results file's length then
  std::uint64_t syncs = 0;   // fdatasync calls so far
};

std::vector<HookStep> hook_steps(const std::string& output) {
  std::vector<HookStep> steps;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("test-hook: ", 0) != 0) continue;
    HookStep s;
    char name[16] = {};
    unsigned long long length = 0;
    unsigned long long syncs = 0;
    if (std::sscanf(line.c_str(), "test-hook: %15s %ld length=%llu syncs=%llu", name, &s.n, &length,
                    &syncs) == 4) {
      s.step = name;
      s.length = length;
      s.syncs = syncs;
      steps.push_back(s);
    }
  }
  return steps;
}

// kill -9 at each point of the commit protocol, chosen by the crash hook rather than by a timer:
// after the records were written (not synced), after they were synced (not committed), and after
// the commit. Each round must have committed progress; a kill past a commit's sync must have
// left a tail past the committed length, which the next run cuts back; fdatasync must have run.
// The crawl that finishes then holds every page exactly once.
TEST(StateIntegration, KillNineAtEachCommitStepLosesAndDuplicatesNothing) {
  // Slow enough pages (8 workers, 20 ms each) that nine short runs leave work for the last one.
  SampleSite site(SampleSiteOptions{.pages = 5000, .seed = 11});
  TestServer server;
  server.set_request_logging(false);
  server.serve_site(site, 20ms);
  TempDir dir;
  // A small frontier budget, so kills also land while URLs are parked in the spill.
  const std::string yaml = config_for(server.base_url() + "/", "state: {frontier_memory: 1000}\n");
  const std::vector<std::string> points = {"written", "synced", "committed"};
  struct Killed {
    std::filesystem::path file;   // the killed run's results file
    std::uint64_t committed = 0;  // its committed length: what the next run must cut it back to
    std::uint64_t on_disk = 0;    // its length when it died
  };
  std::vector<Killed> killed;
  int tails = 0;
  for (int round = 0; round < 9; ++round) {
    const std::string& step = points[round % 3];
    const long n = 2 + round / 3;  // after at least one whole commit
    CrawlerProcess crawler(dir, yaml, {},
                           {"CRAWLER_TEST_CRASH_AT=" + step + ":" + std::to_string(n)});
    const auto run = crawler.wait(60s);
    ASSERT_EQ(run.exit_code, 128 + SIGKILL)
        << "round " << round << " was not killed at " << step << ":" << n << "\n"
        << run.output;
    const std::vector<HookStep> steps = hook_steps(run.output);
    ASSERT_FALSE(steps.empty()) << run.output;
    const HookStep& last = steps.back();
    EXPECT_EQ(last.step, step);
    EXPECT_EQ(last.n, n);
    std::uint64_t committed = 0;
    std::uint64_t synced = 0;
    for (const HookStep& s : steps) {
      if (s.step == "committed") committed = s.length;
      if (s.step == "synced") synced = s.length;
    }
    EXPECT_GT(committed, 0u) << "round " << round << " committed no progress";
    EXPECT_GE(last.syncs, static_cast<std::uint64_t>(n - 1)) << "every commit is fdatasync()ed";
    if (step == "synced") {
      EXPECT_GT(synced, committed) << "round " << round << ": no tail past the committed length";
      if (synced > committed) ++tails;
    }
    const auto file = std::filesystem::canonical(dir.path() / "out" / "pages.jsonl");
    killed.push_back({file, committed, std::filesystem::file_size(file)});
  }
  EXPECT_EQ(tails, 3);
  const auto last = run_crawler(dir, yaml, {}, 300s);
  ASSERT_EQ(last.exit_code, 0) << last.output;
  for (const Killed& k : killed) {
    EXPECT_EQ(std::filesystem::file_size(k.file), k.committed)
        << k.file << " (" << k.on_disk << " bytes when killed) was not cut back to its commit";
  }

  std::vector<std::string> bad;
  const auto rows = all_results(dir.path() / "out", &bad);
  EXPECT_TRUE(bad.empty()) << bad.size()
                           << " torn or invalid lines, first: " << (bad.empty() ? "" : bad.front());
  std::map<std::string, int> count;
  for (const auto& row : rows)
    ++count[row.at("url").get<std::string>().substr(server.base_url().size())];
  std::set<std::string> expected;
  for (const auto& path : site.reachable_paths()) expected.insert(path);
  std::set<std::string> got;
  for (const auto& [path, n] : count) {
    got.insert(path);
    EXPECT_EQ(n, 1) << path << " recorded " << n << " times";
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(rows.size(), expected.size());
}

// state.frontier_memory: 50,000 URLs on five hosts through a frontier that may hold 1,000 in RAM.
TEST(StateIntegration, FrontierSpillKeepsRamBoundedAndFetchesEveryPageOncePolitely) {
  constexpr int kHosts = 5;
  SampleSite site(SampleSiteOptions{.pages = 10000, .seed = 13});
  std::vector<std::unique_ptr<TestServer>> servers;
  std::string seeds;
  for (int i = 1; i <= kHosts; ++i) {
    servers.push_back(std::make_unique<TestServer>("127.0.0." + std::to_string(i)));
    servers.back()->set_request_logging(false);
    servers.back()->serve_site(site);
    seeds += (i > 1 ? ", '" : "'") + servers.back()->base_url() + "/'";
  }
  TempDir dir;
  const auto run = run_crawler(dir,
                               "seeds: [" + seeds +
                                   "]\n"
                                   "pool: {workers: 8}\n"
                                   "politeness: {robots: false, delay: 1ms, per_host: 1}\n"
                                   "state: {frontier_memory: 1000}\n"
                                   "log: {level: warn}\n",
                               {}, 480s);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(run.bad_lines.empty());
  std::map<std::string, int> count;
  for (const auto& row : run.records) ++count[row.at("url").get<std::string>()];
  std::size_t expected = 0;
  for (const auto& server : servers) {
    for (const auto& path : site.reachable_paths()) {
      ++expected;
      EXPECT_EQ(count[server->base_url() + path], 1) << server->base_url() + path;
    }
    EXPECT_EQ(server->max_concurrent(), 1) << server->base_url() << ": per_host 1 was not kept";
  }
  EXPECT_GE(expected, 50000u);
  EXPECT_EQ(run.records.size(), expected);
  // The budget plus one spill batch being gathered (a quarter of it).
  EXPECT_LE(run.stats.at("frontier").at("peak_in_ram").get<std::uint64_t>(), 1250u);
  EXPECT_GE(run.stats.at("frontier").at("spilled").get<std::uint64_t>(), 10000u);
}

TEST(StateIntegration, SigtermThenResumeCompletesTheCrawl) {
  SampleSite site(SampleSiteOptions{.pages = 600, .seed = 12});
  TestServer server;
  server.serve_site(site, 20ms);
  TempDir dir;
  const std::string yaml = config_for(server.base_url() + "/");
  {
    CrawlerProcess crawler(dir, yaml);
    ASSERT_TRUE(wait_for([&] { return server.total_requests() >= 50; })) << "the crawl stalled";
    crawler.signal(SIGTERM);
    const auto run = crawler.wait(30s);
    EXPECT_EQ(run.exit_code, 143) << run.output;
  }
  const auto resumed = run_crawler(dir, yaml);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(resumed.stats.at("errors"), 0);
  std::vector<std::string> bad;
  const auto rows = all_results(dir.path() / "out", &bad);
  EXPECT_TRUE(bad.empty());
  std::set<std::string> urls;
  for (const auto& row : rows) EXPECT_TRUE(urls.insert(row.at("url")).second) << row.at("url");
  EXPECT_EQ(urls.size(), site.reachable_paths().size());
}

// A fetch still running when the grace period ends is aborted and left for the next run.
TEST(StateIntegration, AStalledFetchIsAbortedAfterTheGracePeriodAndFetchedOnResume) {
  auto stall = std::make_shared<std::atomic<bool>>(true);
  TestServer server;
  server.route("/", [](const Request&) {
    Response r;
    r.body = TestServer::html_page("Home", {"/stall"});
    return r;
  });
  server.route("/stall", [stall](const Request&) {
    Response r;
    r.body = TestServer::html_page("Stall", {});
    if (stall->load()) r.delay = 14s;
    return r;
  });
  TempDir dir;
  const std::string yaml = "seeds: ['" + server.base_url() +
                           "/']\n"
                           "fetch: {timeout: 60s}\n"
                           "politeness: {robots: false, delay: 0}\n";
  {
    CrawlerProcess crawler(dir, yaml);
    const auto give_up = std::chrono::steady_clock::now() + 20s;
    while (server.request_count("/stall") == 0) {
      ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "the crawl never reached /stall";
      std::this_thread::sleep_for(10ms);
    }
    const auto signalled = std::chrono::steady_clock::now();
    crawler.signal(SIGTERM);
    const auto run = crawler.wait(30s);
    const auto took = std::chrono::steady_clock::now() - signalled;
    EXPECT_EQ(run.exit_code, 143) << run.output;
    EXPECT_GE(took, 9s) << "fetches in flight get the grace period";
    // And no more: without the abort, /stall would be answered after 14 s and recorded. (A
    // count, not a time bound: it holds however loaded the machine is.)
    EXPECT_EQ(run.records.size(), 1u) << "the aborted fetch has no record";
  }
  stall->store(false);
  const auto resumed = run_crawler(dir, yaml);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  ASSERT_EQ(resumed.records.size(), 1u);
  EXPECT_EQ(resumed.records[0].at("url"), server.base_url() + "/stall");
  EXPECT_EQ(resumed.records[0].at("status"), 200);
}

TEST(StateIntegration, RecrawlSendsValidatorsAndRecordsUnchangedChangedAndNewPages) {
  struct Site {
    std::mutex mutex;
    std::map<std::string, std::string> bodies;
    int not_modified = 0;  // 304s answered
  };
  auto pages = std::make_shared<Site>();
  pages->bodies["/"] = TestServer::html_page("Home", {"/a", "/b"});
  pages->bodies["/a"] = TestServer::html_page("A", {});
  pages->bodies["/b"] = TestServer::html_page("B", {});
  TestServer server;
  server.fallback([pages](const Request& request) {
    std::lock_guard lock(pages->mutex);
    Response r;
    auto it = pages->bodies.find(request.path);
    if (it == pages->bodies.end()) {
      r.status = 404;
      return r;
    }
    const std::string etag = "\"" + std::to_string(std::hash<std::string>{}(it->second)) + "\"";
    auto inm = request.headers.find("if-none-match");
    if (inm != request.headers.end() && inm->second == etag) {
      r.status = 304;
      r.headers = {{"ETag", etag}};
      ++pages->not_modified;
      return r;
    }
    r.body = it->second;
    r.headers = {{"ETag", etag}};
    return r;
  });
  TempDir dir;
  const std::string yaml = config_for(server.base_url() + "/", "state: {recrawl_after: 0s}\n");
  const auto first = run_crawler(dir, yaml);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  ASSERT_EQ(first.records.size(), 3u);
  {
    std::lock_guard lock(pages->mutex);
    pages->bodies["/b"] = TestServer::html_page("B changed", {"/c"});
    pages->bodies["/c"] = TestServer::html_page("C", {});
  }
  std::this_thread::sleep_for(1100ms);  // fetch times have a one-second resolution
  const auto second = run_crawler(dir, yaml);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  std::map<std::string, nlohmann::json> by_url;
  for (const auto& r : second.records)
    by_url[r.at("url").get<std::string>().substr(server.base_url().size())] = r;
  ASSERT_EQ(by_url.size(), 4u) << second.output;
  EXPECT_EQ(by_url.at("/").at("status"), 304);
  EXPECT_EQ(by_url.at("/").at("unchanged"), true);
  EXPECT_EQ(by_url.at("/a").at("status"), 304);
  EXPECT_EQ(by_url.at("/b").at("status"), 200);
  EXPECT_EQ(by_url.at("/b").at("title"), "B changed");
  EXPECT_FALSE(by_url.at("/b").contains("unchanged"));
  EXPECT_EQ(by_url.at("/c").at("status"), 200) << "a page added since is found";

  // With output.unchanged: skip, a 304 produces no record, but the page was asked for: every
  // known page is re-fetched conditionally and answered 304.
  const auto not_modified = [&] {
    std::lock_guard lock(pages->mutex);
    return pages->not_modified;
  };
  const int before = not_modified();
  std::this_thread::sleep_for(1100ms);
  const auto third =
      run_crawler(dir, config_for(server.base_url() + "/",
                                  "state: {recrawl_after: 0s}\noutput: {unchanged: skip}\n"));
  ASSERT_EQ(third.exit_code, 0) << third.output;
  EXPECT_EQ(not_modified() - before, 4) << "/, /a, /b and /c re-fetched and unchanged";
  EXPECT_TRUE(third.records.empty()) << third.records.size() << " records";
}

// Validators without an ETag: Last-Modified alone makes the re-crawl conditional. And a page
// younger than state.recrawl_after is not asked for at all.
TEST(StateIntegration, RecrawlWorksWithLastModifiedAloneAndSkipsYoungPages) {
  struct Counts {
    std::mutex mutex;
    int conditional = 0;  // requests with If-Modified-Since
    int not_modified = 0;
    int requests = 0;
  };
  auto counts = std::make_shared<Counts>();
  const std::string modified = "Tue, 01 Sep 2026 00:00:00 GMT";
  TestServer server;
  server.fallback([counts, modified](const Request& request) {
    std::lock_guard lock(counts->mutex);
    ++counts->requests;
    Response r;
    if (request.path != "/" && request.path != "/a") {
      r.status = 404;
      return r;
    }
    r.headers = {{"Last-Modified", modified}};
    auto since = request.headers.find("if-modified-since");
    if (since != request.headers.end()) {
      ++counts->conditional;
      if (since->second == modified) {
        ++counts->not_modified;
        r.status = 304;
        return r;
      }
    }
    r.body = TestServer::html_page(request.path, {"/a"});
    return r;
  });
  const auto read = [&](int Counts::*field) {
    std::lock_guard lock(counts->mutex);
    return (*counts).*field;
  };
  TempDir dir;
  const std::string base = "seeds: ['" + server.base_url() +
                           "/']\n"
                           "politeness: {robots: false, delay: 0}\n"
                           "log: {level: info}\n";
  const auto first = run_crawler(dir, base + "state: {recrawl_after: 0s}\n");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  ASSERT_EQ(first.records.size(), 2u);
  EXPECT_EQ(read(&Counts::conditional), 0);

  std::this_thread::sleep_for(1100ms);  // fetched_at has a resolution of one second
  const auto second = run_crawler(dir, base + "state: {recrawl_after: 0s}\n");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(read(&Counts::conditional), 2) << "both pages re-fetched with If-Modified-Since";
  EXPECT_EQ(read(&Counts::not_modified), 2);
  ASSERT_EQ(second.records.size(), 2u);
  for (const auto& record : second.records) {
    EXPECT_EQ(record.at("status"), 304);
    EXPECT_EQ(record.at("unchanged"), true);
  }

  const int requests = read(&Counts::requests);
  const auto third = run_crawler(dir, base + "state: {recrawl_after: 1h}\n");
  ASSERT_EQ(third.exit_code, 0) << third.output;
  EXPECT_EQ(read(&Counts::requests), requests) << "pages younger than recrawl_after";
  EXPECT_TRUE(third.records.empty());
  EXPECT_THAT(third.output, HasSubstr("nothing to fetch"));
}

// A crash point the hook does not know would make the crash test pass without a crash.
TEST(StateIntegration, AnUnknownCrashPointIsRefused) {
  TestServer server;
  TempDir dir;
  for (const char* spec : {"CRAWLER_TEST_CRASH_AT=flushed:2", "CRAWLER_TEST_CRASH_AT=synced:0"}) {
    CrawlerProcess crawler(dir, config_for(server.base_url() + "/"), {}, {spec});
    const auto run = crawler.wait(30s);
    EXPECT_EQ(run.exit_code, 2) << spec << "\n" << run.output;
    EXPECT_THAT(run.output, HasSubstr("expected <written|synced|committed>:<n >= 1>")) << spec;
  }
}

// A new user runs the same crawl twice: the second run has nothing to do, and says why.
TEST(StateIntegration, ARunWithNothingToFetchSaysWhyInOneLine) {
  TestServer server;
  server.route("/", [](const Request&) {
    Response r;
    r.body = TestServer::html_page("Home", {"/a", "/b"});
    return r;
  });
  TempDir dir;
  const std::string yaml = "seeds: ['" + server.base_url() +
                           "/']\n"
                           "politeness: {robots: false, delay: 0}\n";
  const auto first = run_crawler(dir, yaml);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_THAT(first.output, Not(HasSubstr("nothing to fetch")));
  EXPECT_THAT(first.output, Not(HasSubstr("names no contact"))) << "a loopback crawl";
  const auto second = run_crawler(dir, yaml);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_TRUE(second.records.empty());
  std::string line;
  std::istringstream lines(second.output);
  while (std::getline(lines, line) && line.find("nothing to fetch") == std::string::npos) {
  }
  EXPECT_THAT(line, HasSubstr("knows 3 URLs"));
  EXPECT_THAT(line, HasSubstr("fetched within state.recrawl_after (24h)"));
  EXPECT_THAT(line, HasSubstr("the next re-crawl is due at 20"));
  EXPECT_THAT(line, HasSubstr("--fresh starts over"));
  const auto fresh = run_crawler(dir, yaml, {"--fresh"});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.output;
  EXPECT_EQ(fresh.records.size(), 3u);
}

TEST(StateIntegration, ASecondRunExitsThreeNamingThePidAndAKilledRunsLockDoesNotBlock) {
  SampleSite site(SampleSiteOptions{.pages = 300, .seed = 13});
  TestServer server;
  server.serve_site(site, 50ms);
  TempDir dir;
  const std::string yaml = config_for(server.base_url() + "/");
  CrawlerProcess first(dir, yaml);
  ASSERT_TRUE(wait_for([&] { return server.total_requests() >= 5; })) << "the crawl stalled";
  TempDir other;  // same state folder, through an absolute path
  const auto second =
      run_crawler(other, config_for(server.base_url() + "/",
                                    "state: {dir: '" + (dir.path() / "state").string() + "'}\n"));
  EXPECT_EQ(second.exit_code, 3) << second.output;
  EXPECT_THAT(second.output, HasSubstr("PID " + std::to_string(first.pid())));
  first.signal(SIGKILL);
  EXPECT_EQ(first.wait(30s).exit_code, 128 + SIGKILL);
  const auto after = run_crawler(dir, yaml, {}, 120s);
  EXPECT_EQ(after.exit_code, 0) << "a lock left by a killed run never blocks: " << after.output;
}

TEST(StateIntegration, UnreadableStateExitsFourAndFreshSetsItAside) {
  TestServer server;
  server.route("/", [](const Request&) {
    Response r;
    r.body = TestServer::html_page("Home", {});
    return r;
  });
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "state");
  {
    std::ofstream garbage(dir.path() / "state" / "state.db");
    garbage << std::string(4096, 'x');
  }
  const std::string yaml = config_for(server.base_url() + "/");
  const auto broken = run_crawler(dir, yaml);
  EXPECT_EQ(broken.exit_code, 4) << broken.output;
  EXPECT_THAT(broken.output, HasSubstr("state.db"));
  EXPECT_EQ(server.total_requests(), 0u) << "no silent restart";

  const auto fresh = run_crawler(dir, yaml, {"--fresh"});
  EXPECT_EQ(fresh.exit_code, 0) << fresh.output;
  EXPECT_EQ(fresh.records.size(), 1u);
  int set_aside = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().filename().string().rfind("state.", 0) == 0) ++set_aside;
  }
  EXPECT_EQ(set_aside, 1) << "the old state is kept as state.<UTC time>";
}

}  // namespace
}  // namespace crawler::testing
