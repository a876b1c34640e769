#include "crawler/frontier/crawl_limits.h"

#include <gtest/gtest.h>

#include "crawler/frontier/scope.h"

namespace crawler {
namespace {

// The per-host budget lives in the frontier now (frontier_contract.h); the tally stays here.
TEST(CrawlLimits, CountsEveryLimitZerosIncluded) {
  CrawlLimits limits;
  limits.cut(Limit::kMaxPagesPerHost, "a.example", "http://a.example/3");
  limits.cut(Limit::kMaxPagesPerHost, "a.example", "http://a.example/4");
  EXPECT_EQ(limits.counts().at("max_pages_per_host"), 2u);
  EXPECT_EQ(limits.counts().at("max_body"), 0u);
  limits.cut(Limit::kMaxTextInput, "a.example", "http://a.example/big");
  EXPECT_EQ(limits.counts().at("max_text_input"), 1u);
  EXPECT_EQ(limits.counts().size(), 6u);
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
