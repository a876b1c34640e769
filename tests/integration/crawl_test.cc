// The real crawler executable against real HTTP servers on 127.0.0.1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <deque>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include "tests/support/crawler_runner.h"
#include "tests/support/sample_site.h"
#include "tests/support/test_server.h"

namespace crawler::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;
using namespace std::string_literals;

// A config for tests: fast timeouts, a few workers, output in ./out.
// `fetch` holds extra keys for the fetch section, `extra` whole extra sections.
std::string config_for(const std::string& seed, const std::string& extra = "",
                       const std::string& fetch = "") {
  return "seeds: ['" + seed +
         "']\n"
         "pool: {workers: 4, queue_capacity: 64}\n"
         "fetch: {timeout: 5s, connect_timeout: 2s" +
         fetch +
         "}\n"
         "output: {dir: out}\n"
         "politeness: {robots: false, delay: 0, per_host: 4}\n"
         "log: {level: warn}\n" +
         extra;
}

std::map<std::string, nlohmann::json> by_url(const CrawlRun& run) {
  std::map<std::string, nlohmann::json> map;
  for (const auto& r : run.records) {
    EXPECT_TRUE(map.emplace(r.at("url").get<std::string>(), r).second)
        << "two records for " << r.at("url");
  }
  return map;
}

std::string path_of(const std::string& base, const std::string& url) {
  return url.rfind(base, 0) == 0 ? url.substr(base.size()) : url;
}

// BFS over the site's link graph up to `max_depth` hops (-1: no limit).
std::map<std::string, int> depths_within(const SampleSite& site, int max_depth) {
  std::map<std::string, int> depth{{"/", 0}};
  std::deque<std::string> queue{"/"};
  while (!queue.empty()) {
    const std::string path = queue.front();
    queue.pop_front();
    if (max_depth >= 0 && depth[path] >= max_depth) continue;
    for (const auto& next : site.linked_paths(path)) {
      if (depth.count(next) == 0) {
        depth[next] = depth[path] + 1;
        queue.push_back(next);
      }
    }
  }
  return depth;
}

// How pages are parsed: Gumbo (output.text on, the default) or the streaming link scanner
// (output.text off, the path every benchmark measures). The core crawl tests run with both.
enum class Parser { kGumbo, kScanner };

class CrawlParsers : public ::testing::TestWithParam<Parser> {
 protected:
  // config_for() with output.text set for the parser under test.
  std::string config_for(const std::string& seed, const std::string& extra = "",
                         const std::string& fetch = "") const {
    std::string yaml = ::crawler::testing::config_for(seed, extra, fetch);
    if (!gumbo()) {
      const std::string plain = "output: {dir: out}";
      yaml.replace(yaml.find(plain), plain.size(), "output: {dir: out, text: false}");
    }
    return yaml;
  }
  bool gumbo() const { return GetParam() == Parser::kGumbo; }
};

INSTANTIATE_TEST_SUITE_P(Parsers, CrawlParsers, ::testing::Values(Parser::kGumbo, Parser::kScanner),
                         [](const ::testing::TestParamInfo<Parser>& info) {
                           return info.param == Parser::kGumbo ? "Gumbo" : "Scanner";
                         });

TEST_P(CrawlParsers, GeneratedSiteIsCrawledToExactlyItsReachableSetEachPageOnce) {
  SampleSite site(SampleSiteOptions{.pages = 2000, .seed = 7, .unreachable = 25});
  TestServer server;
  server.serve_site(site);
  TempDir dir;
  const auto run = run_crawler(dir, config_for(server.base_url() + "/"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(run.bad_lines.empty());

  std::set<std::string> expected;
  for (const auto& p : site.reachable_paths()) expected.insert(p);
  std::set<std::string> crawled;
  for (const auto& r : run.records) {
    EXPECT_TRUE(crawled.insert(path_of(server.base_url(), r.at("url"))).second)
        << "duplicate record " << r.at("url");
  }
  EXPECT_EQ(crawled, expected);
  EXPECT_EQ(run.records.size(), expected.size());
  // The server saw each page exactly once, and nothing outside the reachable set.
  for (const auto& request : server.requests()) {
    EXPECT_TRUE(expected.count(request.path) == 1) << "unexpected request " << request.path;
  }
  for (const auto& path : expected) EXPECT_EQ(server.request_count(path), 1u) << path;
  for (const auto& path : site.unreachable_paths()) EXPECT_EQ(server.request_count(path), 0u);

  for (const auto& missing : site.missing_linked_paths()) {
    const auto m = by_url(run);
    const auto it = m.find(server.base_url() + missing);
    ASSERT_NE(it, m.end()) << missing;
    EXPECT_EQ(it->second.at("status"), 404);
    break;
  }
  ASSERT_TRUE(run.stats.is_object());
  EXPECT_EQ(run.stats.at("pages"), expected.size());
  EXPECT_EQ(run.stats.at("statuses")["404"], site.missing_linked_paths().size());
  EXPECT_THAT(run.output, HasSubstr("crawl finished"));
}

TEST_P(CrawlParsers, RecordsCarryEveryDocumentedField) {
  TestServer server;
  server.route("/", [](const Request&) {
    Response r;
    r.body =
        "<html><head><title> Hello\n  World </title></head><body><p>Some text.</p>"
        "<a href='/b#frag'>b</a><a href='/b'>b again</a><a href='http://example.invalid/x'>x</a>"
        "<a href='mailto:a@b.c'>m</a></body></html>";
    return r;
  });
  server.route("/b", [](const Request&) {
    Response r;
    r.body = TestServer::html_page("B", {});
    return r;
  });
  TempDir dir;
  const auto run = run_crawler(dir, config_for(server.base_url() + "/"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto records = by_url(run);
  ASSERT_EQ(records.size(), 2u);
  const auto& home = records.at(server.base_url() + "/");
  EXPECT_EQ(home.at("final_url"), server.base_url() + "/");
  EXPECT_EQ(home.at("redirects"), nlohmann::json::array());
  EXPECT_EQ(home.at("status"), 200);
  EXPECT_TRUE(home.at("error").is_null());
  EXPECT_EQ(home.at("depth"), 0);
  EXPECT_TRUE(home.at("referrer").is_null());
  EXPECT_THAT(home.at("fetched_at").get<std::string>(),
              ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"));
  EXPECT_GE(home.at("elapsed_ms").get<int>(), 0);
  EXPECT_THAT(home.at("content_type").get<std::string>(), StartsWith("text/html"));
  EXPECT_GT(home.at("bytes").get<int>(), 100);
  EXPECT_THAT(home.at("digest").get<std::string>(), ::testing::MatchesRegex("sha256:[0-9a-f]{64}"));
  EXPECT_EQ(home.at("title"), "Hello World");
  EXPECT_EQ(home.at("links"),
            (nlohmann::json{server.base_url() + "/b", "http://example.invalid/x"}));
  if (gumbo()) {
    EXPECT_THAT(home.at("text").get<std::string>(), HasSubstr("Some text."));
  } else {
    EXPECT_FALSE(home.contains("text")) << "output.text: false";
  }
  const auto& b = records.at(server.base_url() + "/b");
  EXPECT_EQ(b.at("depth"), 1);
  EXPECT_EQ(b.at("referrer"), server.base_url() + "/");
  EXPECT_EQ(b.at("title"), "B");
}

TEST_P(CrawlParsers, MaxDepthIsExact) {
  SampleSite site(SampleSiteOptions{.pages = 400, .seed = 3});
  TestServer server;
  server.serve_site(site);
  for (int max_depth : {0, 1, 2}) {
    TempDir dir;
    const auto run =
        run_crawler(dir, config_for(server.base_url() + "/",
                                    "scope: {max_depth: " + std::to_string(max_depth) + "}\n"));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const auto expected = depths_within(site, max_depth);
    std::set<std::string> crawled;
    for (const auto& r : run.records) {
      const std::string path = path_of(server.base_url(), r.at("url"));
      crawled.insert(path);
      ASSERT_TRUE(expected.count(path)) << path << " at max_depth " << max_depth;
      EXPECT_EQ(r.at("depth").get<int>(), expected.at(path)) << path;
      EXPECT_LE(r.at("depth").get<int>(), max_depth);
    }
    EXPECT_EQ(crawled.size(), expected.size()) << "max_depth " << max_depth;
  }
}

TEST_P(CrawlParsers, MaxPagesIsExact) {
  SampleSite site(SampleSiteOptions{.pages = 500, .seed = 4});
  TestServer server;
  server.serve_site(site);
  TempDir dir;
  const auto run = run_crawler(dir, config_for(server.base_url() + "/"), {"--max-pages", "37"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.records.size(), 37u);
  EXPECT_EQ(server.total_requests(), 37u);
  EXPECT_EQ(run.stats.at("stopped_by"), "max_pages");
}

TEST_P(CrawlParsers, RedirectsAreFollowedByTheCrawlerWithTheSameChecks) {
  TestServer server;
  TestServer other;  // another port on 127.0.0.1: same host, but "http://127.0.0.1:<other>"
  other.route("/secret", [](const Request&) { return Response{}; });
  const std::string base = server.base_url();
  auto redirect = [](std::string location, int status = 301) {
    return [location, status](const Request&) {
      Response r;
      r.status = status;
      r.headers = {{"Location", location}};
      return r;
    };
  };
  server.route("/", [&](const Request&) {
    Response r;
    r.body = TestServer::html_page("Home", {"/chain1", "/loop1", "/long1", "/to-file", "/to-ftp",
                                            "/to-gopher", "/to-other-port", "/to-seen", "/target"});
    return r;
  });
  server.route("/chain1", redirect("/chain2", 302));
  server.route("/chain2", redirect(base + "/target", 307));
  server.route("/target", [](const Request&) {
    Response r;
    r.body = TestServer::html_page("Target", {});
    return r;
  });
  server.route("/loop1", redirect("/loop2"));
  server.route("/loop2", redirect("/loop1"));
  for (int i = 1; i <= 8; ++i) {
    server.route("/long" + std::to_string(i), redirect("/long" + std::to_string(i + 1)));
  }
  server.route("/to-file", redirect("file:///etc/passwd"));
  server.route("/to-ftp", redirect("ftp://127.0.0.1/x"));
  server.route("/to-gopher", redirect("gopher://127.0.0.1/x"));
  server.route("/to-other-port", redirect(other.base_url() + "/secret"));
  server.route("/to-seen", redirect("/"));

  TempDir dir;
  const auto run = run_crawler(dir, config_for(base + "/", "", ", max_redirects: 3"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto records = by_url(run);

  // /chain1 -> /chain2 -> /target: one record under the requested URL. /target is linked
  // from the home page too, but it is fetched once in all.
  EXPECT_EQ(server.request_count("/target"), 1u);
  const auto& chain = records.at(base + "/chain1");
  if (chain.at("final_url") == base + "/target" && chain.at("status") == 200) {
    EXPECT_EQ(chain.at("redirects"), (nlohmann::json{base + "/chain1", base + "/chain2"}));
    EXPECT_EQ(chain.at("title"), "Target");
    EXPECT_EQ(records.count(base + "/target"), 0u);
  } else {
    // /target was admitted from the home page first: the chain record points at it.
    EXPECT_EQ(chain.at("final_url"), base + "/target");
    EXPECT_EQ(records.at(base + "/target").at("status"), 200);
  }
  EXPECT_EQ(records.at(base + "/loop1").at("error"), "redirect loop");
  EXPECT_THAT(records.at(base + "/long1").at("error").get<std::string>(),
              HasSubstr("too many redirects"));
  EXPECT_EQ(server.request_count("/long5"), 0u);
  for (const char* path : {"/to-file", "/to-ftp", "/to-gopher"}) {
    EXPECT_THAT(records.at(base + path).at("error").get<std::string>(), HasSubstr("not followed"))
        << path;
  }
  EXPECT_THAT(records.at(base + "/to-other-port").at("error").get<std::string>(),
              HasSubstr("out of scope"));
  EXPECT_EQ(other.total_requests(), 0u) << "a redirect out of scope must not be fetched";
  const auto& to_seen = records.at(base + "/to-seen");
  EXPECT_EQ(to_seen.at("final_url"), base + "/");
  EXPECT_TRUE(to_seen.at("error").is_null());
  EXPECT_EQ(server.request_count("/"), 1u);
}

TEST_P(CrawlParsers, LinkSourcesNofollowAndMetaRobots) {
  TestServer server;
  server.route("/", [](const Request&) {
    Response r;
    r.body =
        "<html><head><link rel='next' href='/next'><link rel='stylesheet' href='/style.css'>"
        "<link rel='Alternate' href='/alt'></head><body>"
        "<a href='/a'>a</a><a rel='nofollow' href='/nofollow'>n</a>"
        "<map><area href='/area'></map><iframe src='/iframe'></iframe>"
        "<a href='/stopper'>s</a></body></html>";
    return r;
  });
  for (const char* path : {"/next", "/alt", "/a", "/area", "/iframe", "/nofollow"}) {
    server.route(path, [](const Request&) { return Response{}; });
  }
  server.route("/stopper", [](const Request&) {
    Response r;
    r.body = "<meta name='robots' content='NOFOLLOW'><a href='/behind-nofollow'>x</a>";
    return r;
  });
  TempDir dir;
  const auto run = run_crawler(dir, config_for(server.base_url() + "/"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const char* path : {"/next", "/alt", "/a", "/area", "/iframe", "/stopper"}) {
    EXPECT_EQ(server.request_count(path), 1u) << path;
  }
  EXPECT_EQ(server.request_count("/style.css"), 0u);
  EXPECT_EQ(server.request_count("/nofollow"), 0u);
  EXPECT_EQ(server.request_count("/behind-nofollow"), 0u);
  const auto records = by_url(run);
  EXPECT_THAT(records.at(server.base_url() + "/stopper").at("links"),
              ::testing::Contains(server.base_url() + "/behind-nofollow"))
      << "a nofollow link is still listed, just not followed";
}

TEST_P(CrawlParsers, NonHtmlIsRecordedNotParsedAndCharsetsBecomeUtf8) {
  TestServer server;
  server.route("/", [](const Request&) {
    Response r;
    r.body = TestServer::html_page("Home", {"/data.json", "/latin1", "/meta1252", "/empty"});
    return r;
  });
  server.route("/data.json", [](const Request&) {
    Response r;
    r.content_type = "application/json";
    r.body = R"({"href": "<a href='/from-json'>x</a>"})";
    return r;
  });
  server.route("/latin1", [](const Request&) {
    Response r;
    r.content_type = "text/html; charset=ISO-8859-1";
    r.body = "<title>Caf\xE9</title><p>na\xEFve</p>";
    return r;
  });
  server.route("/meta1252", [](const Request&) {
    Response r;
    r.content_type = "text/html";
    r.body = "<meta charset='windows-1252'><title>\x80 price</title>";
    return r;
  });
  server.route("/empty", [](const Request&) {
    Response r;
    r.body = "";
    return r;
  });
  TempDir dir;
  const auto run = run_crawler(dir, config_for(server.base_url() + "/"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto records = by_url(run);
  const auto& json = records.at(server.base_url() + "/data.json");
  EXPECT_EQ(json.at("content_type"), "application/json");
  EXPECT_EQ(json.at("bytes"), 38);
  EXPECT_EQ(json.at("links"), nlohmann::json::array());
  EXPECT_EQ(server.request_count("/from-json"), 0u);
  EXPECT_EQ(records.at(server.base_url() + "/latin1").at("title"), "Caf\xC3\xA9");
  if (gumbo()) {
    EXPECT_THAT(records.at(server.base_url() + "/latin1").at("text").get<std::string>(),
                HasSubstr("na\xC3\xAFve"));
  }
  EXPECT_EQ(records.at(server.base_url() + "/meta1252").at("title"), "\xE2\x82\xAC price");
  EXPECT_EQ(records.at(server.base_url() + "/empty").at("bytes"), 0);
  EXPECT_TRUE(records.at(server.base_url() + "/empty").at("error").is_null());
}

TEST_P(CrawlParsers, ScopeIncludeExcludeAndDomainsHoldForEveryFetch) {
  SampleSite site(SampleSiteOptions{.pages = 300, .seed = 5});
  TestServer server;
  server.serve_site(site);
  TempDir dir;
  const auto run = run_crawler(
      dir, config_for(
               server.base_url() + "/",
               "scope:\n  include: ['/$', 'section-[1-3]/']\n  exclude: ['page-1[0-9]\\.html']\n"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  ASSERT_GT(run.records.size(), 3u);
  const std::regex included("^/$|^/section-[1-3]/");
  const std::regex excluded("page-1[0-9]\\.html");
  for (const auto& request : server.requests()) {
    EXPECT_TRUE(std::regex_search(request.path, included)) << request.path;
    EXPECT_FALSE(std::regex_search(request.path, excluded)) << request.path;
  }
}

TEST_P(CrawlParsers, FailuresBecomeRecordsNotCrashes) {
  TestServer server;
  // A port that was open and is now closed: connection refused.
  int closed_port = 0;
  {
    TestServer gone;
    closed_port = gone.port();
  }
  const std::string refused = "http://127.0.0.1:" + std::to_string(closed_port) + "/";
  server.route("/", [](const Request&) {
    Response r;
    r.body = TestServer::html_page("Home", {"/slow", "/big", "/broken", "/500"});
    return r;
  });
  server.route("/slow", [](const Request&) {
    Response r;
    r.delay = 3s;
    return r;
  });
  server.route("/big", [](const Request&) {
    Response r;
    r.body =
        "<html><body>" + std::string(std::size_t{300} * 1024, 'x') + "<a href='/after-cut'>x</a>";
    return r;
  });
  server.route("/broken", [](const Request&) {
    Response r;
    r.body =
        "<html><<<<div>\xFF\xFE\x00\x01 <table><td></p><a href=/ok-despite-garbage>x\0<b><i></b>"s;
    return r;
  });
  server.route("/500", [](const Request&) {
    Response r;
    r.status = 500;
    r.body = "oops";
    return r;
  });
  server.route("/ok-despite-garbage", [](const Request&) { return Response{}; });
  TempDir dir;
  const std::string yaml = "seeds: ['" + server.base_url() + "/', '" + refused +
                           "']\n"
                           "scope: {domains: ['127.0.0.1']}\n"
                           "pool: {workers: 4}\n"
                           "fetch: {timeout: 1s, connect_timeout: 1s, max_body: 100KiB}\n"
                           "politeness: {robots: false, delay: 0, retries: 0}\n"
                           "log: {level: warn}\n";
  const auto run = run_crawler(dir, yaml);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto records = by_url(run);
  EXPECT_EQ(records.at(refused).at("status"), 0);
  EXPECT_EQ(records.at(refused).at("error"), "connection refused");
  EXPECT_EQ(records.at(server.base_url() + "/slow").at("error"), "timeout after 1s");
  const auto& big = records.at(server.base_url() + "/big");
  EXPECT_EQ(big.at("error"), "body larger than 100KiB");
  EXPECT_EQ(big.at("bytes"), 100 * 1024);
  EXPECT_EQ(server.request_count("/after-cut"), 0u);
  EXPECT_EQ(records.at(server.base_url() + "/500").at("status"), 500);
  EXPECT_EQ(server.request_count("/ok-despite-garbage"), 1u);
  EXPECT_EQ(run.stats.at("errors_by_kind").at("connect"), 1);
  EXPECT_EQ(run.stats.at("errors_by_kind").at("timeout"), 1);
  EXPECT_EQ(run.stats.at("errors_by_kind").at("too_large"), 1);
}

TEST(CrawlIntegration, BadConfigExitsTwoWithOneLine) {
  TempDir dir;
  struct Case {
    std::string yaml;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"seeds: [http://127.0.0.1:1/\n", "malformed YAML"},
      {"seeds: [http://127.0.0.1:1/]\nscope: {max_dept: 1}\n", "did you mean 'scope.max_depth'"},
      {"seeds: [http://127.0.0.1:1/]\npool: {workers: lots}\n", "pool.workers"},
      {"seeds: ['ftp://127.0.0.1/']\n", "not http or https"},
      {"scope: {max_depth: 1}\n", "no seeds"},
      {"seeds: [http://127.0.0.1:1/]\nscope: {include: ['(unclosed']}\n", "scope.include"},
  };
  for (const auto& c : cases) {
    const auto run = run_crawler(dir, c.yaml);
    EXPECT_EQ(run.exit_code, 2) << c.yaml << run.output;
    EXPECT_THAT(run.output, HasSubstr(c.message)) << c.yaml;
    EXPECT_EQ(std::count(run.output.begin(), run.output.end(), '\n'), 1) << run.output;
  }
  const auto bad_flag = run_crawler(dir, "seeds: [http://127.0.0.1:1/]\n", {"--workers", "x"});
  EXPECT_EQ(bad_flag.exit_code, 2);
}

TEST(CrawlIntegration, SigtermStopsGracefullyWithExit143AndWholeRecords) {
  SampleSite site(SampleSiteOptions{.pages = 400, .seed = 9});
  TestServer server;
  server.serve_site(site, 100ms);
  TempDir dir;
  CrawlerProcess crawler(dir, config_for(server.base_url() + "/"));
  ASSERT_TRUE(wait_for([&] { return server.total_requests() >= 20; })) << "the crawl stalled";
  crawler.signal(SIGTERM);
  const auto run = crawler.wait(30s);
  EXPECT_EQ(run.exit_code, 143) << run.output;
  EXPECT_TRUE(run.bad_lines.empty()) << "every line is a whole JSON object";
  EXPECT_GE(run.records.size(), 15u);
  EXPECT_LT(run.records.size(), site.reachable_paths().size());
  EXPECT_EQ(run.stats.at("stopped_by"), "signal");
  EXPECT_EQ(run.stats.at("pages"), run.records.size());
  // Every request that reached the server finished and was written: with robots off and no
  // redirects, one request is one record, and a job queued but never started sent nothing.
  EXPECT_EQ(server.total_requests(), run.records.size());
}

// SIGINT: exit 130. A second signal exits at once, without waiting for the fetches in flight,
// leaving only whole lines; the next run then records every page exactly once.
TEST(CrawlIntegration, SigintExits130AndASecondSignalExitsAtOnceThenResumeRecordsEachPageOnce) {
  SampleSite site(SampleSiteOptions{.pages = 60, .seed = 10});
  TestServer server;
  server.serve_site(site, 100ms);
  TempDir dir;
  const std::string yaml = config_for(server.base_url() + "/");
  {
    CrawlerProcess crawler(dir, yaml);
    ASSERT_TRUE(wait_for([&] { return server.total_requests() >= 10; })) << "the crawl stalled";
    crawler.signal(SIGINT);
    const auto run = crawler.wait(30s);
    EXPECT_EQ(run.exit_code, 130) << run.output;
    EXPECT_EQ(run.stats.at("stopped_by"), "signal");
    EXPECT_EQ(server.total_requests(), run.records.size()) << "fetches in flight finished";
  }
  server.serve_site(site, 10s);  // every fetch now outlasts a second signal by far
  {
    CrawlerProcess crawler(dir, yaml);
    const std::size_t before = server.total_requests();
    ASSERT_TRUE(wait_for([&] { return server.total_requests() >= before + 4; }))
        << "the resumed crawl stalled";
    crawler.signal(SIGINT);
    std::this_thread::sleep_for(200ms);
    crawler.signal(SIGINT);
    const auto run = crawler.wait(60s);
    EXPECT_EQ(run.exit_code, 130) << run.output;
    // Counts, not time: had the second signal waited for the 10 s fetches in flight, each
    // would have its record (pages.jsonl is this run's file).
    EXPECT_LT(run.records.size(), server.total_requests() - before)
        << "the second signal did not wait for the fetches in flight";
    EXPECT_TRUE(run.bad_lines.empty()) << "whole lines only";
  }
  server.serve_site(site);
  const auto resumed = run_crawler(dir, yaml);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  std::vector<std::string> bad;
  std::map<std::string, int> count;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "out")) {
    if (entry.path().filename().string().rfind("pages-", 0) != 0) continue;
    for (const auto& row : read_jsonl(entry.path(), &bad))
      ++count[row.at("url").get<std::string>()];
  }
  EXPECT_TRUE(bad.empty());
  for (const auto& path : site.reachable_paths()) {
    EXPECT_EQ(count[server.base_url() + path], 1) << path;
  }
  EXPECT_EQ(count.size(), site.reachable_paths().size());
}

TEST(CrawlIntegration, EachRunKeepsItsOwnResultsFileAndPagesJsonlLinksTheNewest) {
  TestServer server;
  server.route("/", [](const Request&) {
    Response r;
    r.body = TestServer::html_page("Home", {});
    return r;
  });
  TempDir dir;
  const auto first = run_crawler(dir, config_for(server.base_url() + "/"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  // --fresh: a state folder would otherwise know the page is done and fetch nothing.
  const auto second = run_crawler(dir, config_for(server.base_url() + "/"), {"--fresh"});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(second.records.size(), 1u) << "pages.jsonl shows the newest run only";
  int run_files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "out")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("pages-", 0) == 0) {
      ++run_files;
      EXPECT_EQ(read_jsonl(entry.path()).size(), 1u) << name;
    }
  }
  EXPECT_EQ(run_files, 2) << "the first run's results are kept";
  EXPECT_TRUE(std::filesystem::is_symlink(dir.path() / "out" / "pages.jsonl"));
}

// Without a terminal (cron), progress is an info log line every 10 seconds.
TEST(CrawlIntegration, ProgressIsLoggedEveryTenSecondsWithoutATerminal) {
  TestServer server;
  server.fallback([](const Request& request) {
    std::vector<std::string> links;
    for (int i = 1; i <= 40; ++i) links.push_back("/p" + std::to_string(i));
    Response r;
    r.body = TestServer::html_page("p", request.path == "/" ? links : std::vector<std::string>{});
    r.delay = 300ms;
    return r;
  });
  TempDir dir;
  const auto run = run_crawler(dir, "seeds: ['" + server.base_url() +
                                        "/']\npool: {workers: 1}\n"
                                        "politeness: {robots: false, delay: 0}\n");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.records.size(), 41u);
  EXPECT_THAT(run.output, ::testing::ContainsRegex("info progress: [0-9]+ pages, [0-9.]+ pages/s, "
                                                   "[0-9]+ queued, [0-9]+ in flight, 0 errors"));
}

TEST(CrawlIntegration, CheckPrintsEffectiveSettingsAndFetchesNothing) {
  TestServer server;
  TempDir dir;
  const auto run = run_crawler(dir, config_for(server.base_url() + "/"),
                               {"--check", "--workers", "7", "--max-depth", "2"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("workers: 7"));
  EXPECT_THAT(run.output, HasSubstr("max_depth: 2"));
  EXPECT_EQ(server.total_requests(), 0u);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "out" / "pages.jsonl"));
}

}  // namespace
}  // namespace crawler::testing
