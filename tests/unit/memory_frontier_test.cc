// What MemoryFrontier does beyond the frontier contract (frontier_contract_test.cc): resuming
// from the crawl's state.
#include "crawler/frontier/memory_frontier.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crawler/url/url.h"
#include "tests/support/frontier_contract.h"

namespace crawler {
namespace {

using namespace std::chrono_literals;
using ::crawler::testing::frontier_job;

Clock::time_point soon() { return Clock::now() + 50ms; }

// A resume queues the interrupted run's URLs, then older pages to re-crawl, which may be
// shallower: with depth levels they must not end up behind deeper URLs of their host.
TEST(MemoryFrontier, DepthLevelsKeepEachHostQueueInDepthOrder) {
  MemoryFrontier f(FrontierOptions{.depth_levels = true});
  f.requeue(frontier_job("http://a.example/deep1", 3));
  f.requeue(frontier_job("http://a.example/deep2", 3));
  f.requeue(frontier_job("http://a.example/shallow", 1));
  std::vector<std::string> order;
  while (auto j = f.next(soon())) {
    order.push_back(j->url);
    f.complete(*j, HostOutcome::kResponse);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"http://a.example/shallow", "http://a.example/deep1",
                                             "http://a.example/deep2"}));
}

// A resumed URL was admitted by an earlier run: it is seen, so a link to it is not new.
TEST(MemoryFrontier, RestoredAndRequeuedUrlsAreSeen) {
  MemoryFrontier f(FrontierOptions{});
  f.restore_seen(url_fingerprint("http://a.example/done"));
  f.requeue(frontier_job("http://a.example/queued"));
  EXPECT_FALSE(f.add(frontier_job("http://a.example/done")));
  EXPECT_FALSE(f.add(frontier_job("http://a.example/queued")));
  EXPECT_EQ(f.stats().queued, 1u);
}

}  // namespace
}  // namespace crawler
