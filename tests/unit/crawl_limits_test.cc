#include "crawler/frontier/crawl_limits.h"

#include <gtest/gtest.h>

#include "crawler/frontier/scope.h"

namespace crawler {
namespace {

TEST(CrawlLimits, PerHostBudgetIsExactAndKnownUrlsCostNothing) {
  CrawlLimits limits(2);
  int added = 0;
  const auto add_new = [&] { return ++added, true; };
  const auto add_known = [] { return false; };
  EXPECT_TRUE(limits.admit_page("a.example", "http://a.example/1", add_new));
  EXPECT_FALSE(limits.admit_page("a.example", "http://a.example/1", add_known));
  EXPECT_TRUE(limits.admit_page("a.example", "http://a.example/2", add_new));
  EXPECT_FALSE(limits.admit_page("a.example", "http://a.example/3", add_new));
  EXPECT_TRUE(limits.admit_page("b.example", "http://b.example/1", add_new));  // per host
  EXPECT_FALSE(limits.admit_page("a.example", "http://a.example/4", add_new));
  EXPECT_EQ(added, 3);
  EXPECT_EQ(limits.counts().at("max_pages_per_host"), 2u);
  EXPECT_EQ(limits.counts().at("max_body"), 0u);
  limits.cut(Limit::kMaxTextInput, "a.example", "http://a.example/big");
  EXPECT_EQ(limits.counts().at("max_text_input"), 1u);
  EXPECT_EQ(limits.counts().size(), 6u);
}

TEST(CrawlLimits, NoBudgetMeansNoLimit) {
  CrawlLimits limits;
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(limits.admit_page("a.example", "http://a.example/", [] { return true; }));
  }
  EXPECT_EQ(limits.counts().at("max_pages_per_host"), 0u);
}

TEST(CrawlLimits, ScopeCutsRepeatedSegmentsAndLongUrlsAndCountsThem) {
  ScopeConfig config;
  config.max_url_length = 64;
  CrawlLimits limits;
  const Scope scope(config, {"http://a.example/"}, &limits);
  EXPECT_EQ(scope.check("http://a.example/a/a/a/"), ScopeVerdict::kInScope);
  EXPECT_EQ(scope.check("http://a.example/a/a/a/a/"), ScopeVerdict::kRepeatedSegments);
  EXPECT_EQ(scope.check("http://a.example/x/y/x/y/x/y/x/y"), ScopeVerdict::kRepeatedSegments);
  EXPECT_EQ(scope.check("http://a.example/a/b/c/d?q=a/a/a/a/a"), ScopeVerdict::kInScope);
  EXPECT_EQ(scope.check("http://a.example/" + std::string(64, 'x')), ScopeVerdict::kTooLong);
  // Off-domain URLs are not the crawl's trap: not counted.
  EXPECT_EQ(scope.check("http://b.example/a/a/a/a/"), ScopeVerdict::kOffDomain);
  const auto counts = limits.counts();
  EXPECT_EQ(counts.at("max_repeated_segments"), 2u);
  EXPECT_EQ(counts.at("max_url_length"), 1u);

  config.max_repeated_segments = 0;  // off
  const Scope open(config, {"http://a.example/"});
  EXPECT_EQ(open.check("http://a.example/a/a/a/a/a/"), ScopeVerdict::kInScope);
}

}  // namespace
}  // namespace crawler
