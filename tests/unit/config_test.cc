#include "crawler/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace crawler {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

Config parse(const std::string& yaml) { return parse_config(yaml, "crawl.yaml", "."); }

std::string error_of(const std::string& yaml) {
  try {
    parse(yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Config, DefaultsWhenEmpty) {
  const Config c = parse("");
  EXPECT_TRUE(c.seeds.empty());
  EXPECT_EQ(c.scope.max_depth, -1);
  EXPECT_EQ(c.scope.max_pages, 0u);
  EXPECT_EQ(c.pool.workers, 32u);
  EXPECT_EQ(c.pool.queue_capacity, 1024u);
  EXPECT_EQ(c.fetch.timeout, 30s);
  EXPECT_EQ(c.fetch.connect_timeout, 10s);
  EXPECT_EQ(c.fetch.max_redirects, 5);
  EXPECT_EQ(c.fetch.max_body, 10u << 20);
  EXPECT_THAT(c.fetch.user_agent, HasSubstr("crawler/"));
  EXPECT_EQ(c.output.dir, "out");
  EXPECT_EQ(c.output.pages, "pages.jsonl");
  EXPECT_TRUE(c.output.text);
  EXPECT_EQ(c.log.level, "info");
}

// The README promises a polite crawler out of the box.
TEST(Config, PoliteByDefault) {
  const Config c = parse("");
  EXPECT_EQ(c.politeness.delay, 1s);
  EXPECT_EQ(c.politeness.per_host, 2u);
  EXPECT_TRUE(c.politeness.robots);
  EXPECT_FALSE(c.politeness.follow_nofollow);
  EXPECT_EQ(c.politeness.retries, 3);
  EXPECT_EQ(c.politeness.backoff, 1s);
  EXPECT_EQ(c.politeness.max_delay, 30s);
  EXPECT_EQ(c.politeness.robots_ttl, 24h) << "RFC 9309's cache limit";
  EXPECT_EQ(c.state.dir, "state") << "resumable by default";
  EXPECT_EQ(c.state.recrawl_after, 24h);
  EXPECT_EQ(c.fetch.user_agent, std::string("crawler/") + CRAWLER_VERSION)
      << "no contact of someone else's: the user running the crawl is the contact";
}

TEST(Config, AUserAgentWithoutAContactIsWarnedAboutOnlyForOtherMachines) {
  Config c = parse("seeds: [http://127.0.0.1:8080/, 'http://localhost/']");
  EXPECT_FALSE(user_agent_warning(c)) << "a crawl of one's own machine needs no contact";
  c.seeds.push_back("https://127.example.com/");  // a name, not a loopback address
  const auto warning = user_agent_warning(c);
  ASSERT_TRUE(warning);
  EXPECT_THAT(*warning, HasSubstr("fetch.user_agent"));
  EXPECT_THAT(*warning, HasSubstr("names no contact"));
  for (const char* agent : {"bot/1 (+https://example.org/bot)", "bot/1 (ops@example.org)",
                            "bot/1 (+http://example.org/)"}) {
    c.fetch.user_agent = agent;
    EXPECT_FALSE(user_agent_warning(c)) << agent;
  }
}

TEST(Config, ReadsEverySection) {
  const Config c = parse(R"(
seeds: [HTTP://Example.COM:80/a/../b]
scope:
  domains: [Example.com]
  subdomains: true
  include: ['^https?://example\.com/']
  exclude: ['\.pdf$']
  max_depth: 3
  max_pages: 100
pool:
  workers: 4
  queue_capacity: 16
fetch:
  user_agent: "test/1.0"
  timeout: 1500ms
  connect_timeout: 2s
  max_redirects: 2
  max_body: 64KiB
  headers: {X-Test: yes}
  proxy: "http://127.0.0.1:3128"
output:
  dir: results
  pages: p.jsonl
  text: false
  links: false
log:
  level: debug
  file: crawl.log
)");
  ASSERT_EQ(c.seeds.size(), 1u);
  EXPECT_EQ(c.seeds[0], "http://example.com/b");
  EXPECT_EQ(c.scope.domains, std::vector<std::string>{"example.com"});
  EXPECT_TRUE(c.scope.subdomains);
  EXPECT_EQ(c.scope.include.size(), 1u);
  EXPECT_EQ(c.scope.exclude.size(), 1u);
  EXPECT_EQ(c.scope.max_depth, 3);
  EXPECT_EQ(c.scope.max_pages, 100u);
  EXPECT_EQ(c.pool.workers, 4u);
  EXPECT_EQ(c.pool.queue_capacity, 16u);
  EXPECT_EQ(c.fetch.user_agent, "test/1.0");
  EXPECT_EQ(c.fetch.timeout, 1500ms);
  EXPECT_EQ(c.fetch.connect_timeout, 2s);
  EXPECT_EQ(c.fetch.max_redirects, 2);
  EXPECT_EQ(c.fetch.max_body, 64u * 1024);
  EXPECT_EQ(c.fetch.headers.at("X-Test"), "yes");
  EXPECT_EQ(c.fetch.proxy, "http://127.0.0.1:3128");
  EXPECT_EQ(c.output.dir, "results");
  EXPECT_EQ(c.output.pages, "p.jsonl");
  EXPECT_FALSE(c.output.text);
  EXPECT_FALSE(c.output.links);
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.log.file, "crawl.log");
}

TEST(Config, MalformedYamlNamesLineAndColumn) {
  const std::string e = error_of("seeds: [http://a/\nscope:\n  max_depth: 2\n");
  EXPECT_THAT(e, HasSubstr("crawl.yaml:"));
  EXPECT_THAT(e, HasSubstr("malformed YAML"));
  EXPECT_THAT(e, ::testing::ContainsRegex("crawl\\.yaml:[0-9]+:[0-9]+"));
}

TEST(Config, UnknownKeyNamesItAndTheClosestValidKey) {
  EXPECT_THAT(error_of("scope:\n  max_dept: 2\n"),
              HasSubstr("crawl.yaml:2:3: unknown key 'scope.max_dept'; did you mean "
                        "'scope.max_depth'?"));
  EXPECT_THAT(error_of("seed: [http://a/]\n"), HasSubstr("did you mean 'seeds'?"));
  EXPECT_THAT(error_of("fetch:\n  timeot: 3s\n"), HasSubstr("did you mean 'fetch.timeout'?"));
}

TEST(Config, WrongTypesAndRangesNameTheKeyAndWhatIsAllowed) {
  EXPECT_THAT(error_of("pool:\n  workers: many\n"),
              HasSubstr("crawl.yaml:2:12: pool.workers: expected an integer from 1 to 4096, got "
                        "'many'"));
  EXPECT_THAT(error_of("pool:\n  workers: 0\n"), HasSubstr("pool.workers: expected an integer"));
  EXPECT_THAT(error_of("scope:\n  max_depth: -2\n"), HasSubstr("scope.max_depth"));
  EXPECT_THAT(error_of("scope:\n  subdomains: maybe\n"),
              HasSubstr("scope.subdomains: expected true or false"));
  EXPECT_THAT(error_of("fetch:\n  timeout: 30\n"), HasSubstr("fetch.timeout: expected a duration"));
  EXPECT_THAT(error_of("fetch:\n  max_body: 10 parsecs\n"), HasSubstr("fetch.max_body"));
  EXPECT_THAT(error_of("log:\n  level: loud\n"), HasSubstr("log.level: expected one of"));
  EXPECT_THAT(error_of("scope: 3\n"), HasSubstr("expected a mapping"));
  EXPECT_THAT(error_of("fetch: {timeout: 1s}\nfetch: {max_redirects: 2}\n"),
              HasSubstr("duplicate key 'fetch'"));
  EXPECT_THAT(error_of("output:\n  pages: ../escape.jsonl\n"),
              HasSubstr("output.pages: must be a plain file name"));
}

TEST(Config, BadSeedsAreRejectedWithTheUrl) {
  EXPECT_THAT(error_of("seeds: ['not a url']\n"), HasSubstr("seed 'not a url'"));
  EXPECT_THAT(error_of("seeds: ['ftp://example.com/']\n"), HasSubstr("not http or https"));
}

TEST(Config, SeedsFileSkipsBlanksAndComments) {
  const auto dir = std::filesystem::temp_directory_path() / "crawler_config_test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "seeds.txt");
    f << "# comment\n\nhttp://a.example/\n  https://b.example/x  \n";
  }
  {
    std::ofstream f(dir / "crawl.yaml");
    f << "seeds: [http://c.example/]\nseeds_file: seeds.txt\n";
  }
  const Config c = load_config(dir / "crawl.yaml");
  EXPECT_EQ(c.seeds, (std::vector<std::string>{"http://c.example/", "http://a.example/",
                                               "https://b.example/x"}));
  {
    std::ofstream f(dir / "seeds.txt");
    f << "http://ok.example/\nnope\n";
  }
  try {
    load_config(dir / "crawl.yaml");
    FAIL() << "a bad seed line must be rejected";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("seeds.txt:2: seed 'nope'"));
  }
  std::filesystem::remove_all(dir);
}

TEST(Config, CaFileIsFoundBesideTheConfigAndMustBeReadable) {
  const auto dir = std::filesystem::temp_directory_path() / "crawler_config_ca_test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "crawl.yaml");
    f << "fetch: {ca_file: company-ca.pem}\n";
  }
  try {
    load_config(dir / "crawl.yaml");
    FAIL() << "a missing CA file must be rejected before the crawl";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("fetch.ca_file: cannot read '" +
                                    (dir / "company-ca.pem").string() + "'"));
  }
  {
    std::ofstream f(dir / "company-ca.pem");
    f << "-----BEGIN CERTIFICATE-----\n";
  }
  EXPECT_EQ(load_config(dir / "crawl.yaml").fetch.ca_file, (dir / "company-ca.pem").string());
  EXPECT_EQ(parse("").fetch.ca_file, "");
  std::filesystem::remove_all(dir);
}

TEST(Config, WarcOutputIsOffByDefaultAndValidated) {
  const Config defaults = parse("");
  EXPECT_FALSE(defaults.output.warc.enabled);
  EXPECT_EQ(defaults.output.warc.prefix, "crawl");
  EXPECT_EQ(defaults.output.warc.max_size, 1u << 30);
  EXPECT_EQ(defaults.output.warc.operator_name, "");
  EXPECT_TRUE(defaults.output.warc.cdx);
  EXPECT_FALSE(parse(describe_config(parse("output: {warc: {cdx: false}}"))).output.warc.cdx);
  const Config c = parse(
      "output: {warc: {enabled: true, prefix: site-a_2.x, max_size: 100MiB, operator: 'Jo "
      "<jo@example.org>'}}");
  EXPECT_TRUE(c.output.warc.enabled);
  EXPECT_EQ(c.output.warc.prefix, "site-a_2.x");
  EXPECT_EQ(c.output.warc.max_size, 100u << 20);
  EXPECT_EQ(c.output.warc.operator_name, "Jo <jo@example.org>");
  const Config again = parse(describe_config(c));
  EXPECT_TRUE(again.output.warc.enabled);
  EXPECT_EQ(again.output.warc.prefix, "site-a_2.x");
  EXPECT_EQ(again.output.warc.max_size, 100u << 20);
  EXPECT_EQ(again.output.warc.operator_name, "Jo <jo@example.org>");
  for (const char* prefix : {"''", "../x", "a/b", ".hidden", "'a b'"}) {
    EXPECT_THAT(error_of(std::string("output: {warc: {prefix: ") + prefix + "}}"),
                HasSubstr("output.warc.prefix: must be letters, digits"))
        << prefix;
  }
  EXPECT_THAT(error_of("output: {warc: {max_size: 0}}"),
              HasSubstr("output.warc.max_size: must be greater than 0"));
  EXPECT_THAT(error_of("output: {warc: {enable: true}}"), HasSubstr("output.warc.enable"));
  EXPECT_THAT(error_of("output: {warc: {enabled: sure}}"),
              HasSubstr("output.warc.enabled: expected true or false"));
}

TEST(Config, MissingFileIsAConfigError) {
  EXPECT_THROW(load_config("/nonexistent/crawl.yaml"), ConfigError);
}

TEST(Config, ValidateRequiresASeed) {
  EXPECT_THROW(validate_config(parse("")), ConfigError);
  EXPECT_NO_THROW(validate_config(parse("seeds: [http://a.example/]")));
}

TEST(Config, DurationsAndSizes) {
  EXPECT_EQ(parse_duration("250ms"), 250ms);
  EXPECT_EQ(parse_duration("30s"), 30s);
  EXPECT_EQ(parse_duration("5m"), 5min);
  EXPECT_EQ(parse_duration("1h"), 1h);
  EXPECT_EQ(parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(parse_duration("0"), 0ms);
  EXPECT_THROW(parse_duration("10"), std::invalid_argument);
  EXPECT_THROW(parse_duration("s"), std::invalid_argument);
  EXPECT_THROW(parse_duration("3 days"), std::invalid_argument);
  EXPECT_EQ(parse_size("512"), 512u);
  EXPECT_EQ(parse_size("64KiB"), 65536u);
  EXPECT_EQ(parse_size("10MiB"), 10u << 20);
  EXPECT_EQ(parse_size("1GiB"), 1u << 30);
  EXPECT_THROW(parse_size("MiB"), std::invalid_argument);
  EXPECT_THROW(parse_size("10XB"), std::invalid_argument);
  EXPECT_EQ(format_duration(30s), "30s");
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_size(10u << 20), "10MiB");
}

TEST(Config, DescribeRoundTrips) {
  const Config c = parse("seeds: [http://a.example/]\npool: {workers: 3}\nfetch: {timeout: 2m}\n");
  const Config again = parse(describe_config(c));
  EXPECT_EQ(again.seeds, c.seeds);
  EXPECT_EQ(again.pool.workers, 3u);
  EXPECT_EQ(again.fetch.timeout, 2min);
  EXPECT_EQ(again.fetch.user_agent, c.fetch.user_agent);
}

TEST(Config, HostileWebLimitsHaveSafeDefaultsAndAreValidated) {
  const Config defaults = parse("");
  EXPECT_EQ(defaults.fetch.low_speed_limit, 1024u);
  EXPECT_EQ(defaults.fetch.low_speed_time, 10s);
  EXPECT_FALSE(defaults.fetch.insecure);
  EXPECT_EQ(defaults.scope.max_pages_per_host, 0u);
  EXPECT_EQ(defaults.scope.max_repeated_segments, 3);
  EXPECT_EQ(defaults.output.max_text_input, 2u << 20);
  EXPECT_EQ(parse("output: {max_text_input: 64KiB}").output.max_text_input, 64u << 10);
  EXPECT_THAT(error_of("output: {max_text_input: 0}"),
              HasSubstr("output.max_text_input: must be greater than 0"));

  const Config c = parse(
      "fetch: {low_speed_limit: 0B, low_speed_time: 3s, insecure: true}\n"
      "scope: {max_pages_per_host: 500, max_repeated_segments: 0}\n");
  EXPECT_EQ(c.fetch.low_speed_limit, 0u);
  EXPECT_EQ(c.fetch.low_speed_time, 3s);
  EXPECT_TRUE(c.fetch.insecure);
  EXPECT_EQ(c.scope.max_pages_per_host, 500u);
  EXPECT_EQ(c.scope.max_repeated_segments, 0);
  const Config again = parse(describe_config(c));
  EXPECT_EQ(again.fetch.low_speed_limit, 0u);
  EXPECT_EQ(again.fetch.low_speed_time, 3s);
  EXPECT_TRUE(again.fetch.insecure);
  EXPECT_EQ(again.scope.max_pages_per_host, 500u);

  EXPECT_THAT(error_of("fetch: {low_speed_time: 500ms}"),
              HasSubstr("fetch.low_speed_time: must be whole seconds, at least 1s"));
  EXPECT_THAT(error_of("fetch: {low_speed_time: 1500ms}"), HasSubstr("fetch.low_speed_time"));
  EXPECT_THAT(error_of("fetch: {low_speed_limit: fast}"), HasSubstr("fetch.low_speed_limit"));
  EXPECT_THAT(error_of("fetch: {insecure: maybe}"),
              HasSubstr("fetch.insecure: expected true or false"));
  EXPECT_EQ(parse("politeness: {robots_ttl: 1h}").politeness.robots_ttl, 1h);
  EXPECT_EQ(parse(describe_config(parse("politeness: {robots_ttl: 90s}"))).politeness.robots_ttl,
            90s);
  EXPECT_THAT(error_of("politeness: {robots_ttl: 500ms}"),
              HasSubstr("politeness.robots_ttl: must be at least 1s"));
  EXPECT_THAT(error_of("fetch: {ca_file: no-such-ca.pem}"),
              HasSubstr("fetch.ca_file: cannot read './no-such-ca.pem'"));
  EXPECT_THAT(error_of("scope: {max_pages_per_host: -1}"),
              HasSubstr("scope.max_pages_per_host: expected an integer from 0 up"));
  EXPECT_THAT(error_of("scope: {max_repeated_segments: 1001}"),
              HasSubstr("scope.max_repeated_segments: expected an integer from 0 to 1000"));
}

}  // namespace
}  // namespace crawler
