// Politeness against real servers on 127.0.0.x: robots.txt, per-host pacing, retries, dead
// hosts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>

#include "tests/support/crawler_runner.h"
#include "tests/support/fault_server.h"
#include "tests/support/test_server.h"

namespace crawler::testing {
namespace {

using namespace std::chrono_literals;

std::string config_for(const std::vector<std::string>& seeds, const std::string& politeness,
                       const std::string& extra = "") {
  std::string yaml = "seeds: [";
  for (std::size_t i = 0; i < seeds.size(); ++i) yaml += (i ? ", '" : "'") + seeds[i] + "'";
  return yaml +
         "]\n"
         "pool: {workers: 8}\n"
         "fetch: {timeout: 5s, connect_timeout: 1s, user_agent: 'crawler/1.0 (+test)'}\n"
         "politeness: {" +
         politeness +
         "}\n"
         "log: {level: warn}\n" +
         extra;
}

std::map<std::string, nlohmann::json> by_url(const CrawlRun& run) {
  std::map<std::string, nlohmann::json> map;
  for (const auto& r : run.records) map.emplace(r.at("url").get<std::string>(), r);
  return map;
}

Response page(const std::vector<std::string>& links) {
  Response r;
  r.body = TestServer::html_page("page", links);
  return r;
}

TEST(PolitenessIntegration, RobotsTxtIsObeyedFetchedOnceAndSitemapsCounted) {
  TestServer server;
  server.route("/robots.txt", [&](const Request&) {
    Response r;
    r.content_type = "text/plain";
    r.body =
        "User-agent: otherbot\nDisallow: /\n\n"
        "User-agent: Crawler\nDisallow: /private\nAllow: /private/open\n\n"
        "Sitemap: " +
        server.base_url() + "/sitemap.xml\n";
    return r;
  });
  server.route("/", [](const Request&) {
    return page({"/private/a", "/private/open", "/public", "/private/b"});
  });
  for (const char* path : {"/private/a", "/private/open", "/public", "/private/b"}) {
    server.route(path, [](const Request&) { return page({}); });
  }
  TempDir dir;
  const auto run = run_crawler(dir, config_for({server.base_url() + "/"}, "delay: 0, per_host: 2"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto records = by_url(run);
  ASSERT_EQ(records.size(), 5u) << "blocked URLs still get a record";
  for (const char* path : {"/private/a", "/private/b"}) {
    EXPECT_EQ(records.at(server.base_url() + path).at("error"), "disallowed by robots.txt");
    EXPECT_EQ(records.at(server.base_url() + path).at("status"), 0);
    EXPECT_EQ(server.request_count(path), 0u) << path;
  }
  EXPECT_EQ(server.request_count("/private/open"), 1u);
  EXPECT_EQ(server.request_count("/public"), 1u);
  EXPECT_EQ(server.request_count("/robots.txt"), 1u);
  // robots.txt comes before any page of its origin.
  ASSERT_FALSE(server.requests().empty());
  EXPECT_EQ(server.requests().front().path, "/robots.txt");
  EXPECT_EQ(run.stats.at("robots").at("sitemaps"), 1);
  EXPECT_EQ(run.stats.at("errors_by_kind").at("robots"), 2);
}

// robots_ttl 1s, pages 300 ms apart in a chain: the answer expires during the crawl, is fetched
// again before the next page, and its new rules apply from then on.
TEST(PolitenessIntegration, RobotsTxtIsFetchedAgainAfterItsTimeToLive) {
  TestServer server;
  std::atomic<int> robots_calls{0};
  server.route("/robots.txt", [&](const Request&) {
    Response r;
    r.content_type = "text/plain";
    r.body = robots_calls.fetch_add(1) == 0 ? "User-agent: *\nAllow: /\n"
                                            : "User-agent: *\nDisallow: /p4\n";
    return r;
  });
  server.route("/", [](const Request&) { return page({"/p1"}); });
  for (int i = 1; i <= 3; ++i) {
    server.route("/p" + std::to_string(i),
                 [i](const Request&) { return page({"/p" + std::to_string(i + 1)}); });
  }
  server.route("/p4", [](const Request&) { return page({}); });
  TempDir dir;
  const auto run = run_crawler(
      dir, config_for({server.base_url() + "/"}, "delay: 300ms, per_host: 1, robots_ttl: 1s"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto records = by_url(run);
  // /p4 is released at least 5 gaps of 300 ms after the first answer: past its time to live.
  EXPECT_EQ(records.at(server.base_url() + "/p4").at("error"), "disallowed by robots.txt");
  EXPECT_EQ(server.request_count("/p4"), 0u);
  for (const char* path : {"/", "/p1", "/p2", "/p3"}) {
    EXPECT_EQ(server.request_count(path), 1u) << path;
  }
  EXPECT_GE(server.request_count("/robots.txt"), 2u);
  const auto requests = server.requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests.front().path, "/robots.txt");
  EXPECT_NE(requests.back().path, "/robots.txt") << "a page followed the second answer";
}

TEST(PolitenessIntegration, RobotsServerErrorDisallowsAfterRetriesAndIsRetriedFirst) {
  TestServer failing;
  failing.route("/robots.txt", [](const Request&) {
    Response r;
    r.status = 503;
    return r;
  });
  failing.route("/", [](const Request&) { return page({}); });

  TestServer recovering;
  auto calls = std::make_shared<std::atomic<int>>(0);
  recovering.route("/robots.txt", [calls](const Request&) {
    Response r;
    r.content_type = "text/plain";
    if (calls->fetch_add(1) == 0) r.status = 500;  // first answer fails, the retry works
    r.body = "User-agent: *\nAllow: /\n";
    return r;
  });
  recovering.route("/", [](const Request&) { return page({}); });

  TempDir dir;
  const auto run =
      run_crawler(dir, config_for({failing.base_url() + "/", recovering.base_url() + "/"},
                                  "delay: 0, retries: 2, backoff: 100ms"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto records = by_url(run);
  EXPECT_EQ(records.at(failing.base_url() + "/").at("error"),
            "disallowed by robots.txt (robots.txt answered 503)");
  EXPECT_EQ(failing.request_count("/robots.txt"), 3u) << "one try and two retries";
  EXPECT_EQ(failing.request_count("/"), 0u);
  EXPECT_EQ(records.at(recovering.base_url() + "/").at("status"), 200);
  EXPECT_EQ(recovering.request_count("/robots.txt"), 2u);
}

// Three hosts (127.0.0.1, .2, .3), 8 pages each, a 300 ms delay and one request at a time per
// host: each host sees its requests at least 300 ms apart, and the hosts are crawled in
// parallel, so the whole crawl takes about as long as one host's share.
TEST(PolitenessIntegration, PerHostDelayAndConcurrencyHoldWhileHostsRunInParallel) {
  std::vector<std::unique_ptr<TestServer>> servers;
  std::vector<std::string> seeds;
  std::string domains;
  constexpr int kPages = 8;
  for (const char* address : {"127.0.0.1", "127.0.0.2", "127.0.0.3"}) {
    auto server = std::make_unique<TestServer>(address);
    server->fallback([](const Request& request) {
      std::vector<std::string> links;
      for (int i = 1; i < kPages; ++i) links.push_back("/p" + std::to_string(i));
      Response r = page(request.path == "/" ? links : std::vector<std::string>{});
      r.delay = 20ms;
      return r;
    });
    seeds.push_back(server->base_url() + "/");
    domains += std::string(domains.empty() ? "" : ", ") + "'" + address + "'";
    servers.push_back(std::move(server));
  }
  TempDir dir;
  const auto run = run_crawler(dir, config_for(seeds, "robots: false, delay: 300ms, per_host: 1",
                                               "scope: {domains: [" + domains + "]}\n"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.records.size(), 3u * kPages);
  auto latest_second = std::chrono::steady_clock::time_point::min();
  auto earliest_last = std::chrono::steady_clock::time_point::max();
  for (const auto& server : servers) {
    const auto requests = server->requests();
    ASSERT_EQ(requests.size(), static_cast<std::size_t>(kPages)) << server->base_url();
    EXPECT_EQ(server->max_concurrent(), 1) << server->base_url();
    // Releases are 300 ms apart; an arrival lags its release by a scheduling delay that grows
    // with the machine's load. One gap can shrink by that lag, so each gets a wide margin; the
    // sum from the second request on (the first also waits for the process's first connection)
    // telescopes to 300 ms per gap minus one lag, so it gets a narrow one.
    for (std::size_t i = 2; i < requests.size(); ++i) {
      EXPECT_GE(requests[i].arrived - requests[i - 1].arrived, 100ms)
          << server->base_url() << " request " << i;
    }
    EXPECT_GE(requests.back().arrived - requests[1].arrived, (kPages - 2) * 300ms - 250ms)
        << server->base_url();
    latest_second = std::max(latest_second, requests[1].arrived);
    earliest_last = std::min(earliest_last, requests.back().arrived);
  }
  // In parallel, not one host after another: every host had its second page before any host
  // had its last. (An order, not a time bound: it holds however loaded the machine is.)
  EXPECT_LT(latest_second, earliest_last) << "hosts must be crawled in parallel";
}

TEST(PolitenessIntegration, CrawlDelayRaisesTheHostsGapUpToMaxDelay) {
  TestServer server;
  server.route("/robots.txt", [](const Request&) {
    Response r;
    r.content_type = "text/plain";
    r.body = "User-agent: *\nCrawl-delay: 0.4\n";
    return r;
  });
  TestServer capped("127.0.0.2");
  capped.route("/robots.txt", [](const Request&) {
    Response r;
    r.content_type = "text/plain";
    r.body = "User-agent: *\nCrawl-delay: 3600\n";
    return r;
  });
  for (TestServer* s : {&server, &capped}) {
    s->fallback([](const Request& request) {
      return page(request.path == "/" ? std::vector<std::string>{"/a", "/b", "/c"}
                                      : std::vector<std::string>{});
    });
  }
  TempDir dir;
  const auto run = run_crawler(dir, config_for({server.base_url() + "/", capped.base_url() + "/"},
                                               "delay: 0, per_host: 4, max_delay: 500ms",
                                               "scope: {domains: ['127.0.0.1', '127.0.0.2']}\n"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.records.size(), 8u);
  for (TestServer* s : {&server, &capped}) {
    auto requests = s->requests();
    ASSERT_EQ(requests.size(), 5u);  // robots.txt and four pages
    // 0.4 s; 3600 s capped at 0.5 s. Releases are exactly that far apart; arrivals add
    // connection jitter (slow under sanitizers), hence the margin.
    const auto limit = s == &server ? 250ms : 350ms;
    // Between pages. (The robots.txt -> first page gap is kept by the frontier too, but the
    // robots.txt request is the process's first connection, whose set-up time under
    // sanitizers makes its arrival time meaningless.)
    for (std::size_t i = 2; i < requests.size(); ++i) {
      EXPECT_GE(requests[i].arrived - requests[i - 1].arrived, limit) << s->base_url() << " " << i;
    }
  }
}

TEST(PolitenessIntegration, PerHostLimitsRequestsInFlight) {
  TestServer server;
  server.fallback([](const Request& request) {
    std::vector<std::string> links;
    for (int i = 1; i <= 12; ++i) links.push_back("/p" + std::to_string(i));
    Response r = page(request.path == "/" ? links : std::vector<std::string>{});
    // Long enough that three requests overlap even when the crawler is slow to start the next.
    r.delay = 500ms;
    return r;
  });
  TempDir dir;
  const auto run = run_crawler(
      dir, config_for({server.base_url() + "/"}, "robots: false, delay: 0, per_host: 3"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.records.size(), 13u);
  EXPECT_LE(server.max_concurrent(), 3) << "the limit";
  EXPECT_EQ(server.max_concurrent(), 3) << "and no lower limit than the one configured";
}

TEST(PolitenessIntegration, RetryAfterOn503IsHonouredThenTheFetchSucceeds) {
  TestServer server;
  auto calls = std::make_shared<std::atomic<int>>(0);
  server.route("/", [calls](const Request&) {
    Response r;
    if (calls->fetch_add(1) == 0) {
      r.status = 503;
      r.headers = {{"Retry-After", "1"}};
      return r;
    }
    r.body = TestServer::html_page("Back", {});
    return r;
  });
  TempDir dir;
  const auto run = run_crawler(
      dir, config_for({server.base_url() + "/"}, "robots: false, delay: 0, backoff: 50ms"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  ASSERT_EQ(run.records.size(), 1u);
  EXPECT_EQ(run.records[0].at("status"), 200);
  EXPECT_EQ(run.records[0].at("title"), "Back");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_GE(requests[1].arrived - requests[0].arrived, 950ms) << "Retry-After: 1 is a second";
}

// An HTTP-date in the future, RFC 9110's other Retry-After form.
std::string http_date_in(std::chrono::seconds from_now) {
  const std::time_t when = std::time(nullptr) + from_now.count();
  std::tm utc{};
  gmtime_r(&when, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return text;
}

// Retry-After as an HTTP-date is honoured, but never past politeness.max_delay: a date 60 s
// away waits max_delay (1 s), not a minute, and not just the 50 ms backoff.
TEST(PolitenessIntegration, RetryAfterAsAnHttpDateIsCappedByMaxDelay) {
  TestServer server;
  auto calls = std::make_shared<std::atomic<int>>(0);
  server.route("/", [calls](const Request&) {
    Response r;
    if (calls->fetch_add(1) == 0) {
      r.status = 503;
      r.headers = {{"Retry-After", http_date_in(60s)}};
      return r;
    }
    r.body = TestServer::html_page("Back", {});
    return r;
  });
  TempDir dir;
  const auto run =
      run_crawler(dir, config_for({server.base_url() + "/"},
                                  "robots: false, delay: 0, backoff: 50ms, max_delay: 1s"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_GE(requests[1].arrived - requests[0].arrived, 950ms) << "the date was read";
  EXPECT_LT(requests[1].arrived - requests[0].arrived, 30s) << "max_delay caps the date";
  EXPECT_EQ(run.records.at(0).at("status"), 200);
}

// A 429 (or 503) with Retry-After pauses the whole host, not only the refused URL.
TEST(PolitenessIntegration, A429PausesTheWholeHost) {
  TestServer server;
  auto calls = std::make_shared<std::atomic<int>>(0);
  server.route("/", [](const Request&) { return page({"/a", "/b", "/c"}); });
  server.route("/a", [calls](const Request&) {
    Response r;
    if (calls->fetch_add(1) == 0) {
      r.status = 429;
      r.headers = {{"Retry-After", "1"}};
      return r;
    }
    return page({});
  });
  server.route("/b", [](const Request&) { return page({}); });
  server.route("/c", [](const Request&) { return page({}); });
  TempDir dir;
  const auto run = run_crawler(
      dir, config_for({server.base_url() + "/"}, "robots: false, delay: 0, per_host: 1"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.records.size(), 4u);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 5u);
  std::size_t refused = 0;
  while (refused < requests.size() && requests[refused].path != "/a") ++refused;
  ASSERT_LT(refused + 1, requests.size()) << "/a was fetched last";
  EXPECT_GE(requests[refused + 1].arrived - requests[refused].arrived, 950ms)
      << requests[refused + 1].path << " was fetched while the host was paused";
}

// 500, 502 and 504 are retried like 429 and 503, and so is a connection closed without an answer.
TEST(PolitenessIntegration, ServerErrorsAndNetworkFailuresAreRetried) {
  TestServer server;
  struct Counts {
    std::mutex mutex;
    std::map<std::string, int> by_path;
  };
  auto counts = std::make_shared<Counts>();
  server.fallback([counts](const Request& request) {
    int seen = 0;
    {
      std::lock_guard lock(counts->mutex);
      seen = counts->by_path[request.path]++;
    }
    if (request.path == "/") return page({"/500", "/502", "/504"});
    Response r;
    if (seen == 0) {
      r.status = std::stoi(request.path.substr(1));
      return r;
    }
    return page({});
  });
  FaultServer flaky;
  auto connections = std::make_shared<std::atomic<int>>(0);
  flaky.on("/", [connections](FaultConnection& c) {
    if (connections->fetch_add(1) == 0) return;  // closed without a byte: a network failure
    c.respond(200, "text/html", "<html><title>second try</title></html>");
  });
  TempDir dir;
  const auto run =
      run_crawler(dir, config_for({server.base_url() + "/", flaky.base_url() + "/"},
                                  "robots: false, delay: 0, retries: 1, backoff: 20ms"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto records = by_url(run);
  for (const char* path : {"/500", "/502", "/504"}) {
    EXPECT_EQ(records.at(server.base_url() + path).at("status"), 200) << path;
    EXPECT_EQ(server.request_count(path), 2u) << path;
  }
  EXPECT_EQ(records.at(flaky.base_url() + "/").at("title"), "second try");
  EXPECT_EQ(connections->load(), 2);
}

// Each retry waits backoff * 2^attempt, with up to 25% jitter either way.
TEST(PolitenessIntegration, BackoffDoublesWithinAQuarter) {
  TestServer server;
  server.route("/", [](const Request&) {
    Response r;
    r.status = 500;
    return r;
  });
  TempDir dir;
  const auto run = run_crawler(
      dir, config_for({server.base_url() + "/"},
                      "robots: false, delay: 0, retries: 3, backoff: 200ms, max_delay: 10s"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  for (std::size_t i = 1; i < requests.size(); ++i) {
    const auto gap = requests[i].arrived - requests[i - 1].arrived;
    const auto nominal = 200ms * (1 << (i - 1));
    EXPECT_GE(gap, nominal * 3 / 4 - 10ms) << "retry " << i;
    // Late is allowed some slack (a busy machine); early is not.
    EXPECT_LE(gap, nominal * 5 / 4 + 2s) << "retry " << i;
  }
  EXPECT_EQ(run.records.at(0).at("error"), "HTTP 500 after 4 tries");
}

TEST(PolitenessIntegration, A429StormIsRiddenOutAndTheLastFailureIsRecorded) {
  TestServer server;
  struct Counts {
    std::mutex mutex;
    std::map<std::string, int> by_path;
  };
  auto counts = std::make_shared<Counts>();
  server.fallback([counts](const Request& request) {
    Response r;
    int seen = 0;
    {
      std::lock_guard lock(counts->mutex);
      seen = counts->by_path[request.path]++;
    }
    if (request.path == "/always" || seen < 2) {  // every page is refused twice at first
      r.status = 429;
      if (request.path != "/always") r.headers = {{"Retry-After", "0"}};
      return r;
    }
    std::vector<std::string> links = {"/always"};
    for (int i = 1; i <= 10; ++i) links.push_back("/p" + std::to_string(i));
    return page(request.path == "/" ? links : std::vector<std::string>{});
  });
  TempDir dir;
  const auto run = run_crawler(
      dir,
      config_for({server.base_url() + "/"}, "robots: false, delay: 0, retries: 3, backoff: 20ms"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto records = by_url(run);
  ASSERT_EQ(records.size(), 12u);
  for (const auto& [url, record] : records) {
    if (url == server.base_url() + "/always") {
      EXPECT_EQ(record.at("status"), 429);
      EXPECT_EQ(record.at("error"), "HTTP 429 after 4 tries");
      continue;
    }
    EXPECT_EQ(record.at("status"), 200) << url;
  }
  EXPECT_EQ(server.request_count("/always"), 4u);
}

TEST(PolitenessIntegration, ARefusingHostIsGivenUpWithoutStallingTheOthers) {
  int closed_port = 0;
  {
    TestServer gone;
    closed_port = gone.port();
  }
  TestServer healthy;
  healthy.fallback([](const Request& request) {
    std::vector<std::string> links;
    for (int i = 1; i <= 20; ++i) links.push_back("/p" + std::to_string(i));
    return page(request.path == "/" ? links : std::vector<std::string>{});
  });
  TempDir dir;
  {
    std::ofstream seeds(dir.path() / "seeds.txt");
    for (int i = 0; i < 40; ++i) {
      seeds << "http://127.0.0.2:" << closed_port << "/page-" << i << "\n";
    }
  }
  const auto start = std::chrono::steady_clock::now();
  const auto run = run_crawler(
      dir,
      config_for({healthy.base_url() + "/"}, "robots: false, delay: 0, retries: 1, backoff: 50ms",
                 "seeds_file: seeds.txt\nscope: {domains: ['127.0.0.1', '127.0.0.2']}\n"));
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto records = by_url(run);
  EXPECT_EQ(records.size(), 21u + 40u) << "every URL gets a record";
  int refused = 0;
  int abandoned = 0;
  for (const auto& [url, record] : records) {
    if (url.rfind(healthy.base_url(), 0) == 0) {
      EXPECT_EQ(record.at("status"), 200) << url;
      continue;
    }
    const std::string error = record.at("error");
    if (error == "connection refused") ++refused;
    if (error.find("host unreachable") != std::string::npos) ++abandoned;
  }
  EXPECT_EQ(refused + abandoned, 40);
  EXPECT_GT(abandoned, 0) << "a host that keeps refusing is given up";
  EXPECT_LT(wall, 20.0);
}

TEST(PolitenessIntegration, NoindexAndXRobotsTagNofollow) {
  TestServer server;
  server.route("/", [](const Request&) { return page({"/noindex", "/header-nofollow"}); });
  server.route("/noindex", [](const Request&) {
    Response r;
    r.body = "<meta name=robots content='noindex'><p>secret text</p><a href='/n1'>x</a>";
    return r;
  });
  server.route("/header-nofollow", [](const Request&) {
    Response r = page({"/n2"});
    r.headers = {{"X-Robots-Tag", "nofollow"}};
    return r;
  });
  server.fallback([](const Request&) { return page({}); });
  TempDir dir;
  const auto run =
      run_crawler(dir, config_for({server.base_url() + "/"}, "robots: false, delay: 0"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto records = by_url(run);
  const auto& noindex = records.at(server.base_url() + "/noindex");
  EXPECT_EQ(noindex.at("noindex"), true);
  EXPECT_FALSE(noindex.contains("text"));
  EXPECT_EQ(server.request_count("/n1"), 1u) << "noindex alone still follows links";
  EXPECT_EQ(server.request_count("/n2"), 0u) << "X-Robots-Tag: nofollow";
}

}  // namespace
}  // namespace crawler::testing
