// Tests of the test support code: TestServer, http_get() and SampleSite.
#include "tests/support/test_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/support/sample_site.h"

namespace crawler::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

Response text(std::string body) {
  Response response;
  response.content_type = "text/plain";
  response.body = std::move(body);
  return response;
}

// ---------------------------------------------------------------------------------------------
// A small, independent RFC 3986 resolver and link extractor, used to check that SampleSite's
// own idea of its link graph is what a correct crawler would find.

std::string remove_dot_segments(std::string input) {
  std::string output;
  while (!input.empty()) {
    if (input.rfind("../", 0) == 0) {
      input.erase(0, 3);
    } else if (input.rfind("./", 0) == 0) {
      input.erase(0, 2);
    } else if (input.rfind("/./", 0) == 0) {
      input.replace(0, 3, "/");
    } else if (input == "/.") {
      input = "/";
    } else if (input.rfind("/../", 0) == 0 || input == "/..") {
      input = input.size() == 3 ? "/" : input.substr(3);
      const auto slash = output.rfind('/');
      output.erase(slash == std::string::npos ? 0 : slash);
    } else if (input == "." || input == "..") {
      input.clear();
    } else {
      const auto next = input.find('/', 1);
      output += input.substr(0, next);
      input.erase(0, next == std::string::npos ? input.size() : next);
    }
  }
  return output;
}

// Splits an absolute "scheme://authority/path?query" URL (no fragment).
struct Parts {
  std::string origin;  // "scheme://authority"
  std::string path;
  std::string query;
};

Parts split(const std::string& url) {
  Parts parts;
  const auto authority = url.find("://") + 3;
  const auto path = url.find_first_of("/?", authority);
  parts.origin = url.substr(0, path);
  if (path == std::string::npos) {
    parts.path = "/";
    return parts;
  }
  const auto query = url.find('?', path);
  parts.path = url.substr(path, query - path);
  if (parts.path.empty()) parts.path = "/";
  if (query != std::string::npos) parts.query = url.substr(query);
  return parts;
}

// Whether `reference` starts with "scheme:" (RFC 3986: ALPHA *( ALPHA / DIGIT / + / - / . )).
bool has_scheme(const std::string& reference) {
  const auto colon = reference.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  if (!std::isalpha(static_cast<unsigned char>(reference[0]))) return false;
  return std::all_of(
      reference.begin(), reference.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
      });
}

// Resolves `reference` against the absolute `base`; the result has no fragment.
std::string resolve(const std::string& base, std::string reference) {
  reference = reference.substr(0, reference.find('#'));
  if (has_scheme(reference)) {
    if (reference.find("://") == std::string::npos) return reference;  // mailto:, javascript:
    const Parts parts = split(reference);
    return parts.origin + remove_dot_segments(parts.path) + parts.query;
  }
  const Parts b = split(base);
  if (reference.rfind("//", 0) == 0) {
    const Parts parts = split(b.origin.substr(0, b.origin.find(':')) + ":" + reference);
    return parts.origin + remove_dot_segments(parts.path) + parts.query;
  }
  if (reference.empty()) return b.origin + b.path + b.query;
  if (reference.front() == '?') return b.origin + b.path + reference;
  const auto query = reference.find('?');
  const std::string ref_query = query == std::string::npos ? "" : reference.substr(query);
  std::string ref_path = reference.substr(0, query);
  if (ref_path.front() != '/') ref_path = b.path.substr(0, b.path.rfind('/') + 1) + ref_path;
  return b.origin + remove_dot_segments(ref_path) + ref_query;
}

std::string replace_origin(std::string body, const std::string& origin) {
  const std::string token(SampleSite::kOriginToken);
  for (auto pos = body.find(token); pos != std::string::npos; pos = body.find(token, pos)) {
    body.replace(pos, token.size(), origin);
  }
  return body;
}

struct Extracted {
  std::vector<std::string> hrefs;  // raw, in document order
  std::vector<std::string> urls;   // resolved, without fragment
};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The href of every <a> and <base> tag (double- or single-quoted), in document order.
Extracted extract_links(const std::string& page_url, const std::string& html) {
  Extracted out;
  std::string base = page_url;
  for (auto open = html.find('<'); open != std::string::npos; open = html.find('<', open + 1)) {
    const auto close = html.find('>', open);
    if (close == std::string::npos) break;
    const std::string tag = html.substr(open + 1, close - open - 1);
    const auto name_end = tag.find_first_of(" \t\n");
    if (name_end == std::string::npos) continue;
    const std::string name = lower(tag.substr(0, name_end));
    if (name != "a" && name != "base") continue;
    auto attr = lower(tag).find("href", name_end);
    if (attr == std::string::npos) continue;
    attr = tag.find_first_not_of(" \t\n", attr + 4);
    if (attr == std::string::npos || tag[attr] != '=') continue;
    attr = tag.find_first_not_of(" \t\n", attr + 1);
    if (attr == std::string::npos || (tag[attr] != '"' && tag[attr] != '\'')) continue;
    const auto end = tag.find(tag[attr], attr + 1);
    if (end == std::string::npos) continue;
    const std::string href = tag.substr(attr + 1, end - attr - 1);
    if (name == "base") {
      base = resolve(page_url, href);
    } else {
      out.hrefs.push_back(href);
    }
  }
  for (const auto& href : out.hrefs) out.urls.push_back(resolve(base, href));
  return out;
}

// In-scope paths (same origin, http) found on a page, deduplicated, in first-seen order.
std::vector<std::string> in_scope_paths(const std::string& origin, const std::string& path,
                                        const std::string& html) {
  std::vector<std::string> paths;
  for (const auto& url : extract_links(origin + path, html).urls) {
    if (url.rfind(origin + "/", 0) != 0) continue;
    const std::string target = split(url).path;
    if (std::find(paths.begin(), paths.end(), target) == paths.end()) paths.push_back(target);
  }
  return paths;
}

// ---------------------------------------------------------------------------------------------
// TestServer

TEST(TestServerTest, AnswersARouteWithExactHeaders) {
  TestServer server;
  EXPECT_GT(server.port(), 0);
  EXPECT_EQ(server.base_url(), "http://127.0.0.1:" + std::to_string(server.port()));
  server.route("/hello", [](const Request&) {
    Response response = text("hello world");
    response.headers.emplace_back("X-Extra", "yes");
    return response;
  });
  const HttpGetResult result = http_get(server.base_url() + "/hello");
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "hello world");
  EXPECT_EQ(result.headers.at("content-type"), "text/plain");
  EXPECT_EQ(result.headers.at("content-length"), "11");
  EXPECT_EQ(result.headers.at("x-extra"), "yes");
  EXPECT_EQ(result.headers.count("content-encoding"), 0U);
}

TEST(TestServerTest, DefaultContentTypeIsHtml) {
  TestServer server;
  server.route("/", [](const Request&) {
    Response response;
    response.body = TestServer::html_page("Home", {"/a"});
    return response;
  });
  const HttpGetResult result = http_get(server.base_url() + "/");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.headers.at("content-type"), "text/html; charset=utf-8");
}

TEST(TestServerTest, UnroutedPathIs404ByDefault) {
  TestServer server;
  server.route("/a", [](const Request&) { return text("a"); });
  EXPECT_EQ(http_get(server.base_url() + "/b").status, 404);
  EXPECT_EQ(http_get(server.base_url() + "/a/").status, 404);
  EXPECT_EQ(http_get(server.base_url() + "/a").status, 200);
}

TEST(TestServerTest, FallbackAnswersUnroutedPaths) {
  TestServer server;
  server.route("/routed", [](const Request&) { return text("routed"); });
  server.fallback([](const Request& request) { return text("fallback for " + request.path); });
  EXPECT_EQ(http_get(server.base_url() + "/routed").body, "routed");
  const HttpGetResult result = http_get(server.base_url() + "/other?q=1");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "fallback for /other?q=1");
}

TEST(TestServerTest, RouteMatchesWithoutQueryAndCanBeReplaced) {
  TestServer server;
  server.route("/page", [](const Request&) { return text("one"); });
  EXPECT_EQ(http_get(server.base_url() + "/page?x=1&y=2").body, "one");
  server.route("/page", [](const Request&) { return text("two"); });
  EXPECT_EQ(http_get(server.base_url() + "/page").body, "two");
}

TEST(TestServerTest, LogsEveryRequestInOrder) {
  TestServer server;
  server.route("/a", [](const Request&) { return text("a"); });
  const auto before = steady_clock::now();
  http_get(server.base_url() + "/a");
  http_get(server.base_url() + "/a?x=1", {{"X-Probe", "42"}, {"User-Agent", "unit-test/1"}});
  http_get(server.base_url() + "/missing");
  http_request("HEAD", server.base_url() + "/a");

  const std::vector<Request> log = server.requests();
  ASSERT_EQ(log.size(), 4U);
  EXPECT_EQ(log[0].method, "GET");
  EXPECT_EQ(log[0].path, "/a");
  EXPECT_EQ(log[1].path, "/a?x=1");
  EXPECT_EQ(log[1].headers.at("x-probe"), "42");
  EXPECT_EQ(log[1].headers.at("user-agent"), "unit-test/1");
  EXPECT_EQ(log[1].host_header, "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(log[2].path, "/missing");
  EXPECT_EQ(log[3].method, "HEAD");
  for (std::size_t i = 0; i < log.size(); ++i) {
    EXPECT_GE(log[i].arrived, before);
    if (i > 0) {
      EXPECT_GE(log[i].arrived, log[i - 1].arrived);
    }
  }

  EXPECT_EQ(server.request_count("/a"), 3U);
  EXPECT_EQ(server.request_count("/a?x=1"), 1U);
  EXPECT_EQ(server.request_count("/a?x=2"), 0U);
  EXPECT_EQ(server.request_count("/missing"), 1U);
  EXPECT_EQ(server.request_count("/never"), 0U);
  EXPECT_EQ(server.total_requests(), 4U);

  server.clear_log();
  EXPECT_TRUE(server.requests().empty());
  EXPECT_EQ(server.total_requests(), 0U);
  server.set_request_logging(false);
  http_get(server.base_url() + "/a");
  EXPECT_TRUE(server.requests().empty());
  EXPECT_EQ(server.total_requests(), 1U);
}

TEST(TestServerTest, HeadHasContentLengthButNoBody) {
  TestServer server;
  server.route("/doc", [](const Request&) { return text(std::string(1000, 'x')); });
  const HttpGetResult head = http_request("HEAD", server.base_url() + "/doc");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.headers.at("content-length"), "1000");
  EXPECT_EQ(head.headers.at("content-type"), "text/plain");
}

TEST(TestServerTest, NeverCompressesEvenWhenAsked) {
  TestServer server;
  const std::string body = TestServer::html_page("Big", {}, std::string(5000, 'a'));
  server.route("/big", [&body](const Request&) {
    Response response;
    response.body = body;
    return response;
  });
  const HttpGetResult result =
      http_get(server.base_url() + "/big", {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.headers.count("content-encoding"), 0U);
  EXPECT_EQ(result.headers.at("content-length"), std::to_string(body.size()));
  EXPECT_EQ(result.body, body);
}

TEST(TestServerTest, StatusEmptyBodyAndHeadersPassThrough) {
  TestServer server;
  server.route("/moved", [](const Request&) {
    Response response;
    response.status = 301;
    response.content_type = "";
    response.headers = {{"Location", "/target"}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}};
    return response;
  });
  const HttpGetResult result = http_get(server.base_url() + "/moved");
  EXPECT_EQ(result.status, 301);  // not followed
  EXPECT_EQ(result.body, "");
  EXPECT_EQ(result.headers.at("location"), "/target");
  EXPECT_EQ(result.headers.at("set-cookie"), "a=1, b=2");
  EXPECT_EQ(result.headers.at("content-length"), "0");
  EXPECT_EQ(result.headers.count("content-type"), 0U);
}

TEST(TestServerTest, ContentTypeHeaderOverridesField) {
  TestServer server;
  server.route("/data", [](const Request&) {
    Response response;
    response.body = "{}";
    response.headers = {{"Content-Type", "application/json"}};
    return response;
  });
  const HttpGetResult result = http_get(server.base_url() + "/data");
  EXPECT_EQ(result.headers.at("content-type"), "application/json");
  EXPECT_EQ(result.body, "{}");
}

TEST(TestServerTest, ThrowingHandlerAnswers500) {
  TestServer server;
  server.route("/boom", [](const Request&) -> Response { throw std::runtime_error("boom"); });
  const HttpGetResult result = http_get(server.base_url() + "/boom");
  EXPECT_EQ(result.status, 500);
  EXPECT_NE(result.body.find("boom"), std::string::npos);
}

TEST(TestServerTest, DelayedRequestsRunConcurrently) {
  TestServer server;
  constexpr auto kDelay = milliseconds(400);
  server.route("/slow", [&](const Request&) {
    Response response = text("slow");
    response.delay = kDelay;
    return response;
  });
  const auto start = steady_clock::now();
  std::vector<int> statuses(4, 0);
  std::vector<std::thread> clients;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    clients.emplace_back([&, i] { statuses[i] = http_get(server.base_url() + "/slow").status; });
  }
  for (auto& client : clients) client.join();
  const auto elapsed = steady_clock::now() - start;
  for (const int status : statuses) EXPECT_EQ(status, 200);
  EXPECT_EQ(server.max_concurrent(), 4);
  EXPECT_GE(elapsed, kDelay);  // max_concurrent() above proves the overlap without a clock
}

TEST(TestServerTest, SequentialRequestsAreNotConcurrent) {
  TestServer server;
  server.route("/a", [](const Request&) { return text("a"); });
  for (int i = 0; i < 5; ++i) EXPECT_EQ(http_get(server.base_url() + "/a").status, 200);
  EXPECT_EQ(server.max_concurrent(), 1);
}

TEST(TestServerTest, BindsOnlyToLoopback) {
  EXPECT_THROW(TestServer("0.0.0.0"), std::invalid_argument);
  EXPECT_THROW(TestServer("192.168.1.1"), std::invalid_argument);
  EXPECT_THROW(TestServer("localhost"), std::invalid_argument);
  EXPECT_THROW(TestServer("127.0.0.256"), std::invalid_argument);
  TestServer other("127.0.0.2");
  other.route("/", [](const Request&) { return text("two"); });
  EXPECT_EQ(other.base_url(), "http://127.0.0.2:" + std::to_string(other.port()));
  EXPECT_EQ(http_get(other.base_url() + "/").body, "two");
}

TEST(TestServerTest, FixedPortInUseThrows) {
  TestServer first;
  EXPECT_THROW(TestServer("127.0.0.1", first.port()), std::runtime_error);
  EXPECT_THROW(TestServer("127.0.0.1", 70000), std::invalid_argument);
}

TEST(TestServerTest, StopsInDestructor) {
  std::string url;
  {
    TestServer server;
    server.route("/", [](const Request&) { return text("up"); });
    url = server.base_url() + "/";
    EXPECT_EQ(http_get(url).status, 200);
  }
  const HttpGetResult result = http_get(url);
  EXPECT_EQ(result.status, 0);
  EXPECT_NE(result.error, "");
}

TEST(TestServerTest, HttpGetReportsBadUrls) {
  EXPECT_NE(http_get("https://127.0.0.1/").error, "");
  EXPECT_NE(http_get("ftp://127.0.0.1/").error, "");
}

TEST(TestServerTest, HtmlPageHasTitleAndLinks) {
  const std::string html = TestServer::html_page("A & B", {"/x", "y.html"}, "<p>extra</p>");
  EXPECT_NE(html.find("<title>A &amp; B</title>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"/x\">"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"y.html\">"), std::string::npos);
  EXPECT_NE(html.find("<p>extra</p>"), std::string::npos);
  const Extracted links = extract_links("http://h/dir/page", html);
  EXPECT_EQ(links.urls, (std::vector<std::string>{"http://h/x", "http://h/dir/y.html"}));
}

TEST(TestServerTest, ServesSampleSiteWithOriginReplaced) {
  const SampleSite site({.pages = 50, .seed = 3});
  TestServer server;
  server.serve_site(site);
  server.route("/robots.txt", [](const Request&) { return text("User-agent: *\n"); });

  const HttpGetResult home = http_get(server.base_url() + "/");
  ASSERT_EQ(home.status, 200);
  EXPECT_EQ(home.headers.at("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(home.body.find("{{ORIGIN}}"), std::string::npos);
  EXPECT_NE(home.body.find("href=\"" + server.base_url() + "/"), std::string::npos);
  EXPECT_EQ(home.body, replace_origin(*site.page("/"), server.base_url()));
  EXPECT_EQ(home.headers.at("content-length"), std::to_string(home.body.size()));

  for (const auto& path : site.paths()) {
    const HttpGetResult page = http_get(server.base_url() + path + "?ignored=1");
    EXPECT_EQ(page.status, 200) << path;
    EXPECT_EQ(page.body, replace_origin(*site.page(path), server.base_url())) << path;
  }
  for (const auto& path : site.missing_linked_paths()) {
    EXPECT_EQ(http_get(server.base_url() + path).status, 404) << path;
  }
  EXPECT_EQ(http_get(server.base_url() + "/section-1/").status, 404);
  EXPECT_EQ(http_get(server.base_url() + "/robots.txt").body, "User-agent: *\n");
}

// A minimal breadth-first crawl over HTTP, with the independent resolver above, finds exactly
// reachable_paths() and fetches nothing else.
TEST(TestServerTest, MiniCrawlOfServedSiteFindsReachablePaths) {
  const SampleSite site({.pages = 120, .seed = 11, .unreachable = 4});
  TestServer server;
  server.serve_site(site);
  const std::string origin = server.base_url();

  std::set<std::string> seen{"/"};
  std::deque<std::string> queue{"/"};
  std::size_t not_found = 0;
  while (!queue.empty()) {
    const std::string path = queue.front();
    queue.pop_front();
    const HttpGetResult page = http_get(origin + path);
    if (page.status == 404) {
      ++not_found;
      continue;
    }
    ASSERT_EQ(page.status, 200) << path;
    for (const auto& target : in_scope_paths(origin, path, page.body)) {
      if (seen.insert(target).second) queue.push_back(target);
    }
  }
  const auto reachable = site.reachable_paths();
  EXPECT_EQ(seen, std::set<std::string>(reachable.begin(), reachable.end()));
  EXPECT_EQ(not_found, site.missing_linked_paths().size());
  EXPECT_EQ(server.requests().size(), reachable.size());
  for (const auto& path : reachable) EXPECT_EQ(server.request_count(path), 1U) << path;
  for (const auto& request : server.requests()) {
    EXPECT_EQ(request.host_header, origin.substr(7));
  }
}

// ---------------------------------------------------------------------------------------------
// SampleSite

TEST(SampleSiteTest, SameSeedGivesSameSite) {
  const SampleSite a({.pages = 500, .seed = 7});
  const SampleSite b({.pages = 500, .seed = 7});
  ASSERT_EQ(a.paths(), b.paths());
  for (const auto& path : a.paths()) EXPECT_EQ(*a.page(path), *b.page(path)) << path;
  EXPECT_EQ(a.reachable_paths(), b.reachable_paths());
  EXPECT_EQ(a.missing_linked_paths(), b.missing_linked_paths());
}

TEST(SampleSiteTest, DifferentSeedGivesDifferentSite) {
  const SampleSite a({.pages = 500, .seed = 1});
  const SampleSite b({.pages = 500, .seed = 2});
  EXPECT_EQ(a.paths(), b.paths());
  std::size_t differing = 0;
  for (const auto& path : a.paths()) differing += *a.page(path) != *b.page(path) ? 1 : 0;
  EXPECT_GT(differing, 400U);
}

TEST(SampleSiteTest, PagesHaveExpectedPathsAndTitles) {
  const SampleSite site({.pages = 60});
  EXPECT_EQ(site.size(), 60U);
  const auto paths = site.paths();
  ASSERT_EQ(paths.size(), 60U);
  EXPECT_EQ(paths[0], "/");
  EXPECT_EQ(paths[1], "/section-1/page-1.html");
  EXPECT_EQ(paths[21], "/section-2/page-21.html");
  EXPECT_EQ(paths[59], "/section-3/page-59.html");
  ASSERT_NE(site.page("/"), nullptr);
  EXPECT_NE(site.page("/")->find("<title>Home</title>"), std::string::npos);
  ASSERT_NE(site.page("/section-3/page-59.html"), nullptr);
  EXPECT_NE(site.page("/section-3/page-59.html")->find("<title>Page 59</title>"),
            std::string::npos);
  EXPECT_NE(site.page("/section-1/page-17.html")->find("<p"), std::string::npos);
  EXPECT_EQ(site.page("/section-1/page-60.html"), nullptr);
  EXPECT_EQ(site.page("/section-3/page-60.html"), nullptr);
  EXPECT_EQ(site.page("/section-2/page-1.html"), nullptr);
  EXPECT_EQ(site.page("/section-1/page-01.html"), nullptr);
  EXPECT_EQ(site.page("/section-1/page-1.html?x"), nullptr);
  EXPECT_EQ(site.page("/section-1/page-1.htm"), nullptr);
  EXPECT_EQ(site.page("/index.html"), nullptr);
  EXPECT_EQ(site.page(""), nullptr);
}

TEST(SampleSiteTest, EveryPageIsReachable) {
  const SampleSite site({.pages = 2000, .seed = 5});
  const auto reachable = site.reachable_paths();
  const auto missing = site.missing_linked_paths();
  EXPECT_FALSE(missing.empty());
  EXPECT_EQ(reachable.size(), 2000U + missing.size());
  EXPECT_EQ(reachable.front(), "/");
  std::set<std::string> expected(missing.begin(), missing.end());
  for (const auto& path : site.paths()) expected.insert(path);
  EXPECT_EQ(std::set<std::string>(reachable.begin(), reachable.end()), expected);
  EXPECT_EQ(std::set<std::string>(reachable.begin(), reachable.end()).size(), reachable.size());
  for (const auto& path : missing) EXPECT_EQ(site.page(path), nullptr) << path;
  EXPECT_TRUE(site.unreachable_paths().empty());
}

TEST(SampleSiteTest, UnreachablePagesExistButAreNotLinked) {
  const SampleSite site({.pages = 300, .seed = 9, .unreachable = 7});
  const auto reachable = site.reachable_paths();
  const auto missing = site.missing_linked_paths();
  EXPECT_EQ(reachable.size(), 300U - 7U + missing.size());
  const std::set<std::string> reached(reachable.begin(), reachable.end());
  const auto unreachable = site.unreachable_paths();
  ASSERT_EQ(unreachable.size(), 7U);
  for (const auto& path : unreachable) {
    EXPECT_NE(site.page(path), nullptr) << path;
    EXPECT_EQ(reached.count(path), 0U) << path;
  }
  for (const auto& path : site.paths()) {
    for (const auto& target : site.linked_paths(path)) {
      if (reached.count(path) != 0) {
        EXPECT_EQ(reached.count(target), 1U) << path << " -> " << target;
      }
      if (target != path) {  // a fragment-only link points to the page itself
        EXPECT_EQ(std::count(unreachable.begin(), unreachable.end(), target), 0) << target;
      }
    }
  }
}

// Parses every page with the independent resolver: the links found are linked_paths(), and a
// BFS over them gives reachable_paths().
TEST(SampleSiteTest, LinksResolveAsACrawlerWould) {
  const SampleSite site({.pages = 1500, .seed = 21, .unreachable = 3});
  const std::string origin = "http://127.0.0.1:8080";
  std::map<std::string, std::vector<std::string>> graph;
  for (const auto& path : site.paths()) {
    const std::string html = replace_origin(*site.page(path), origin);
    graph[path] = in_scope_paths(origin, path, html);
    EXPECT_EQ(graph[path], site.linked_paths(path)) << path;
  }
  std::set<std::string> seen{"/"};
  std::deque<std::string> queue{"/"};
  while (!queue.empty()) {
    const std::string path = queue.front();
    queue.pop_front();
    for (const auto& target : graph[path]) {
      if (seen.insert(target).second) queue.push_back(target);
    }
  }
  const auto reachable = site.reachable_paths();
  EXPECT_EQ(seen, std::set<std::string>(reachable.begin(), reachable.end()));
}

TEST(SampleSiteTest, UsesEveryLinkForm) {
  const SampleSite site({.pages = 2000, .seed = 1});
  const std::string origin = "http://127.0.0.1:8080";
  std::set<std::string> forms;
  std::size_t pages_with_duplicates = 0;
  std::size_t link_count = 0;
  for (const auto& path : site.paths()) {
    const std::string& raw = *site.page(path);
    if (raw.find("<base href=\"{{ORIGIN}}/section-") != std::string::npos) forms.insert("base");
    if (raw.find("href='") != std::string::npos) forms.insert("single-quoted");
    const Extracted links = extract_links(origin + path, replace_origin(raw, origin));
    link_count += links.hrefs.size();
    std::set<std::string> unique;
    for (const auto& url : links.urls) {
      if (!unique.insert(url).second) {
        ++pages_with_duplicates;
        break;
      }
    }
    for (const auto& href : links.hrefs) {
      if (href.rfind(origin + "/", 0) == 0) forms.insert("absolute");
      if (href.rfind('/', 0) == 0) forms.insert("root-relative");
      if (href.rfind("../", 0) == 0) forms.insert("parent-relative");
      if (href.rfind("./", 0) == 0) forms.insert("dot-relative");
      if (href.rfind("page-", 0) == 0) forms.insert("same-dir-relative");
      if (href.rfind('#', 0) == 0) forms.insert("fragment-only");
      if (href.find('#') != std::string::npos && href.front() != '#') forms.insert("fragment");
      if (href.rfind("mailto:", 0) == 0) forms.insert("mailto");
      if (href.rfind("javascript:", 0) == 0) forms.insert("javascript");
      if (href.rfind("http://example.invalid/", 0) == 0) forms.insert("external");
    }
  }
  EXPECT_EQ(forms,
            (std::set<std::string>{"absolute", "base", "dot-relative", "external", "fragment",
                                   "fragment-only", "javascript", "mailto", "parent-relative",
                                   "root-relative", "same-dir-relative", "single-quoted"}));
  EXPECT_GT(pages_with_duplicates, 100U);
  EXPECT_GT(link_count, 2000U * 5);
  // The home page has every out-of-scope kind, a duplicate and a missing link.
  const std::string& home = *site.page("/");
  EXPECT_NE(home.find("href=\"mailto:"), std::string::npos);
  EXPECT_NE(home.find("javascript:"), std::string::npos);
  EXPECT_NE(home.find("http://example.invalid/"), std::string::npos);
  const auto missing = site.missing_linked_paths();
  const auto home_links = site.linked_paths("/");
  EXPECT_TRUE(std::any_of(home_links.begin(), home_links.end(), [&](const std::string& p) {
    return std::find(missing.begin(), missing.end(), p) != missing.end();
  }));
}

TEST(SampleSiteTest, LinkCountsFollowOptions) {
  const SampleSite site({.pages = 400, .seed = 4, .min_links = 3, .max_links = 4});
  const std::string origin = "http://127.0.0.1:1";
  std::size_t total = 0;
  for (const auto& path : site.paths()) {
    const Extracted links = extract_links(origin + path, replace_origin(*site.page(path), origin));
    const auto in_scope = std::count_if(links.urls.begin(), links.urls.end(), [&](const auto& u) {
      return u.rfind(origin + "/", 0) == 0;
    });
    EXPECT_GE(in_scope, 3) << path;
    total += static_cast<std::size_t>(in_scope);
  }
  EXPECT_LT(total, 400U * 7);  // 3-4 random links, + tree links, duplicates and fragments
}

TEST(SampleSiteTest, ScalesToFiftyThousandPages) {
  const SampleSite site({.pages = 2000});
  EXPECT_EQ(site.paths().size(), 2000U);

  const SampleSite large({.pages = 50000, .seed = 3, .unreachable = 100});
  EXPECT_EQ(large.size(), 50000U);
  EXPECT_EQ(large.reachable_paths().size(), 50000U - 100U + large.missing_linked_paths().size());
  EXPECT_NE(large.page("/section-2500/page-49999.html"), nullptr);
}

TEST(SampleSiteTest, TinySitesAndBadOptions) {
  const SampleSite one({.pages = 1});
  EXPECT_EQ(one.paths(), std::vector<std::string>{"/"});
  EXPECT_EQ(one.reachable_paths().size(), 1U + one.missing_linked_paths().size());
  const SampleSite two({.pages = 2, .min_links = 0, .max_links = 0});
  EXPECT_EQ(two.reachable_paths().size(), 2U + two.missing_linked_paths().size());
  EXPECT_THROW(SampleSite({.pages = 0}), std::invalid_argument);
  EXPECT_THROW(SampleSite({.pages = 5, .unreachable = 5}), std::invalid_argument);
  EXPECT_THROW(SampleSite({.pages = 5, .min_links = 3, .max_links = 2}), std::invalid_argument);
}

TEST(SampleSiteTest, CopiesShareTheSamePages) {
  const SampleSite site({.pages = 30});
  const SampleSite copy = site;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(site.page("/"), copy.page("/"));
}

}  // namespace
}  // namespace crawler::testing
