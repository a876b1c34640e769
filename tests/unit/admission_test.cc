// Admission: the one path into the frontier for seeds, links and redirect hops.
#include "crawler/frontier/admission.h"

#include <gtest/gtest.h>

#include "crawler/frontier/memory_frontier.h"

namespace crawler {
namespace {

using namespace std::chrono_literals;

CrawlJob link(const std::string& url, int depth = 1) {
  CrawlJob job;
  job.url = url;
  job.referrer = "http://a.example/";
  job.depth = depth;
  return job;
}

struct Fixture {
  explicit Fixture(const ScopeConfig& config = {}, FrontierOptions options = {})
      : scope(config, {"http://a.example/"}, &limits), frontier(options) {}
  CrawlLimits limits;
  Scope scope;
  MemoryFrontier frontier;
  Admission admission{scope, limits, frontier};
};

TEST(Admission, SeedsOutOfScopeAreRejectedWithTheirVerdict) {
  Fixture f;
  EXPECT_EQ(f.admission.admit_seed("http://a.example/"), ScopeVerdict::kInScope);
  EXPECT_EQ(f.admission.admit_seed("http://b.example/"), ScopeVerdict::kOffDomain);
  EXPECT_EQ(f.frontier.stats().queued, 1u);
}

// Every job that reaches the frontier has its keys, from the one split admission made.
TEST(Admission, LinksInScopeEnterWithHostAndOriginFilled) {
  ScopeConfig config;
  config.domains = {"a.example", "c.example"};
  Fixture f(config);
  std::vector<CrawlJob> links;
  links.push_back(link("http://a.example/1"));
  links.push_back(link("http://b.example/off"));
  links.push_back(link("http://c.example:8080/2"));
  links.push_back(link("http://a.example/1"));
  EXPECT_EQ(f.admission.admit_links(std::move(links)), 2u);
  std::vector<CrawlJob> released;
  while (auto job = f.frontier.next(Clock::now() + 50ms)) {
    released.push_back(*job);
    f.frontier.complete(*job, HostOutcome::kResponse);
  }
  ASSERT_EQ(released.size(), 2u);
  for (const CrawlJob& job : released) {
    if (job.url == "http://a.example/1") {
      EXPECT_EQ(job.host, "a.example");
      EXPECT_EQ(job.origin, "http://a.example");
    } else {
      EXPECT_EQ(job.url, "http://c.example:8080/2");
      EXPECT_EQ(job.host, "c.example");
      EXPECT_EQ(job.origin, "http://c.example:8080");
    }
    EXPECT_EQ(job.depth, 1);
    EXPECT_EQ(job.referrer, "http://a.example/");
  }
}

TEST(Admission, TrapLimitsAndTheHostBudgetAreCountedAsCuts) {
  ScopeConfig config;
  config.max_url_length = 40;
  config.max_repeated_segments = 2;
  Fixture f(config, FrontierOptions{.max_pages_per_host = 2});
  std::vector<CrawlJob> links;
  for (const std::string& url : std::vector<std::string>{
           "http://a.example/1", "http://a.example/x/x/x/", "http://a.example/2",
           "http://a.example/3", "http://a.example/" + std::string(40, 'y')}) {
    links.push_back(link(url));
  }
  EXPECT_EQ(f.admission.admit_links(std::move(links)), 2u);
  const auto counts = f.limits.counts();
  EXPECT_EQ(counts.at("max_pages_per_host"), 1u);
  EXPECT_EQ(counts.at("max_repeated_segments"), 1u);
  EXPECT_EQ(counts.at("max_url_length"), 1u);
}

TEST(Admission, ARedirectHopIsQueuedOnceThenKnownAndNeverLeavesTheScope) {
  Fixture f;
  CrawlJob hop = link("http://a.example/target", 0);
  hop.redirects = {"http://a.example/start"};
  hop.requested_url = "http://a.example/start";
  CrawlJob again = hop;
  const auto queued = f.admission.admit_redirect(hop);
  EXPECT_EQ(queued.hop, Admission::Hop::kQueued);
  EXPECT_EQ(f.admission.admit_redirect(again).hop, Admission::Hop::kKnown);
  EXPECT_EQ(again.url, "http://a.example/target") << "a hop not queued stays the caller's";
  CrawlJob away = link("http://b.example/", 0);
  away.redirects = {"http://a.example/start"};
  const auto rejected = f.admission.admit_redirect(away);
  EXPECT_EQ(rejected.hop, Admission::Hop::kRejected);
  EXPECT_EQ(rejected.verdict, ScopeVerdict::kOffDomain);

  auto job = f.frontier.next(Clock::now() + 50ms);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->url, "http://a.example/target");
  EXPECT_TRUE(job->continuation());
  EXPECT_EQ(job->origin, "http://a.example");
  f.frontier.complete(*job, HostOutcome::kResponse);
  EXPECT_EQ(f.frontier.stats().released, 0u) << "a hop is not a new page";
}

}  // namespace
}  // namespace crawler
