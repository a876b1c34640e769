#include "crawler/frontier/memory_frontier.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace crawler {
namespace {

using namespace std::chrono_literals;

CrawlJob job(const std::string& url, int depth = 0) {
  CrawlJob j;
  j.url = url;
  j.depth = depth;
  return j;
}

Clock::time_point soon() { return Clock::now() + 50ms; }

TEST(MemoryFrontier, AdmitsEachUrlOnce) {
  MemoryFrontier f(FrontierOptions{});
  EXPECT_TRUE(f.add(job("http://a.example/")));
  EXPECT_FALSE(f.add(job("http://a.example/")));
  EXPECT_TRUE(f.mark_seen("http://a.example/x"));
  EXPECT_FALSE(f.add(job("http://a.example/x")));
  EXPECT_EQ(f.stats().seen, 2u);
  EXPECT_EQ(f.stats().queued, 1u);
}

// A page's links in one call: the same admissions as one add() each, in order, host and
// origin filled in for the new ones.
TEST(MemoryFrontier, AddAllAdmitsLikeAddInOrder) {
  MemoryFrontier f(FrontierOptions{});
  EXPECT_TRUE(f.add(job("http://a.example/known")));
  std::vector<CrawlJob> page;
  for (const char* url : {"http://a.example/1", "http://a.example/known", "http://b.example:8080/2",
                          "http://a.example/1", "http://a.example/3"}) {
    page.push_back(job(url, 1));
  }
  EXPECT_EQ(f.add_all(std::move(page)), 3u);
  EXPECT_EQ(f.add_all({}), 0u);
  EXPECT_EQ(f.stats().seen, 4u);
  EXPECT_EQ(f.stats().queued, 4u);
  std::vector<std::string> released;
  while (auto next = f.next(soon())) {
    if (next->url == "http://b.example:8080/2") {
      EXPECT_EQ(next->host, "b.example");
      EXPECT_EQ(next->origin, "http://b.example:8080");
    }
    released.push_back(next->url);
    f.complete(*next, HostOutcome::kResponse);
  }
  const std::vector<std::string> a_order = {"http://a.example/known", "http://a.example/1",
                                            "http://a.example/3"};
  std::vector<std::string> a_released;
  for (const auto& url : released) {
    if (url.starts_with("http://a.example/")) a_released.push_back(url);
  }
  EXPECT_EQ(a_released, a_order);
  EXPECT_EQ(released.size(), 4u);
  EXPECT_FALSE(f.add_all({job("http://a.example/3")}) > 0);
}

TEST(MemoryFrontier, FinishedOnlyWhenNothingQueuedAndNothingInFlight) {
  MemoryFrontier f(FrontierOptions{});
  EXPECT_TRUE(f.finished());
  f.add(job("http://a.example/"));
  EXPECT_FALSE(f.finished());
  auto j = f.next(soon());
  ASSERT_TRUE(j);
  EXPECT_EQ(j->host, "a.example");
  EXPECT_FALSE(f.finished()) << "a job in flight may still add links";
  f.add(job("http://a.example/next", 1));
  f.complete(*j, HostOutcome::kResponse);
  EXPECT_FALSE(f.finished());
  auto k = f.next(soon());
  ASSERT_TRUE(k);
  f.complete(*k, HostOutcome::kResponse);
  EXPECT_TRUE(f.finished());
  EXPECT_FALSE(f.next(soon())) << "next() returns nothing once finished";
}

TEST(MemoryFrontier, PerHostLimitAndDelay) {
  MemoryFrontier f(FrontierOptions{.per_host = 1, .delay = 100ms});
  f.add(job("http://a.example/1"));
  f.add(job("http://a.example/2"));
  f.add(job("http://b.example/1"));
  // Taken before the first release, so "now - before_first" bounds the gap between the two
  // releases of a.example from above, however slowly the calls run.
  const auto before_first = Clock::now();
  auto first = f.next(soon());
  auto second = f.next(soon());
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->host, second->host) << "the other host is released while one is busy";
  EXPECT_FALSE(f.next(Clock::now() + 30ms)) << "a.example has one request in flight";
  const auto a = first->host == "a.example" ? *first : *second;
  f.complete(a, HostOutcome::kResponse);
  auto third = f.next(Clock::now() + 1s);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->url, "http://a.example/2");
  EXPECT_GE(Clock::now() - before_first, 100ms) << "the host's delay is kept between releases";
}

TEST(MemoryFrontier, MaxPagesBudgetCountsNewUrlsButNotContinuations) {
  MemoryFrontier f(FrontierOptions{.max_pages = 2});
  for (int i = 0; i < 5; ++i) f.add(job("http://a.example/" + std::to_string(i)));
  auto a = f.next(soon());
  auto b = f.next(soon());
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(f.next(Clock::now() + 20ms)) << "budget spent";
  CrawlJob hop = job("http://a.example/redirected");
  hop.redirects = {a->url};
  f.add_continuation(hop, Clock::now());
  f.complete(*a, HostOutcome::kResponse);
  auto c = f.next(soon());
  ASSERT_TRUE(c) << "a redirect hop finishes admitted work";
  EXPECT_EQ(c->url, "http://a.example/redirected");
  f.complete(*b, HostOutcome::kResponse);
  f.complete(*c, HostOutcome::kResponse);
  EXPECT_TRUE(f.finished()) << "URLs past the budget do not keep the crawl alive";
  EXPECT_EQ(f.stats().released, 2u);
}

TEST(MemoryFrontier, DelayedContinuationWaitsUntilItsTime) {
  MemoryFrontier f(FrontierOptions{});
  f.add(job("http://a.example/"));
  auto j = f.next(soon());
  ASSERT_TRUE(j);
  CrawlJob retry = *j;
  retry.attempt = 1;
  const auto start = Clock::now();
  f.add_continuation(retry, start + 80ms);
  f.complete(*j, HostOutcome::kResponse);
  EXPECT_FALSE(f.finished());
  auto again = f.next(Clock::now() + 1s);
  ASSERT_TRUE(again);
  EXPECT_GE(Clock::now() - start, 75ms);
  EXPECT_EQ(again->attempt, 1);
}

TEST(MemoryFrontier, DepthLevelsReleaseDeeperUrlsOnlyAfterShallowerOnesFinish) {
  MemoryFrontier f(FrontierOptions{.depth_levels = true});
  f.add(job("http://a.example/d0"));
  auto root = f.next(soon());
  ASSERT_TRUE(root);
  f.add(job("http://a.example/d1a", 1));
  f.add(job("http://b.example/d1b", 1));
  f.complete(*root, HostOutcome::kResponse);
  auto x = f.next(soon());
  auto y = f.next(soon());
  ASSERT_TRUE(x && y);
  // x finishes first and discovers a depth-2 URL; it must wait until y (depth 1) is done.
  f.add(job("http://a.example/d2", 2));
  f.complete(*x, HostOutcome::kResponse);
  EXPECT_FALSE(f.next(Clock::now() + 30ms));
  f.complete(*y, HostOutcome::kResponse);
  auto z = f.next(soon());
  ASSERT_TRUE(z);
  EXPECT_EQ(z->depth, 2);
}

TEST(MemoryFrontier, StopWakesTheDispatcher) {
  MemoryFrontier f(FrontierOptions{});
  f.add(job("http://a.example/"));
  auto j = f.next(soon());
  ASSERT_TRUE(j);
  std::thread stopper([&] {
    std::this_thread::sleep_for(30ms);
    f.stop();
  });
  const auto start = Clock::now();
  EXPECT_FALSE(f.next(Clock::now() + 5s));
  EXPECT_LT(Clock::now() - start, 2s);
  stopper.join();
}

}  // namespace
}  // namespace crawler

namespace crawler {
namespace {

TEST(MemoryFrontier, AHostThatKeepsFailingIsPausedThenAbandoned) {
  MemoryFrontier f(FrontierOptions{.fail_streak = 2,
                                   .max_pauses = 1,
                                   .first_pause = std::chrono::milliseconds(50),
                                   .max_pause = std::chrono::milliseconds(50)});
  for (int i = 0; i < 10; ++i) f.add(job("http://dead.example/" + std::to_string(i)));
  f.add(job("http://alive.example/"));
  int failures = 0;
  int abandoned = 0;
  bool alive_done = false;
  while (auto j = f.next(Clock::now() + std::chrono::seconds(2))) {
    if (!j->abandoned.empty()) {
      ++abandoned;
      EXPECT_NE(j->abandoned.find("host unreachable"), std::string::npos);
      f.complete(*j, HostOutcome::kNotContacted);
      continue;
    }
    if (j->host == "alive.example") {
      alive_done = true;
      f.complete(*j, HostOutcome::kResponse);
      continue;
    }
    ++failures;
    f.complete(*j, HostOutcome::kConnectFailure);
  }
  EXPECT_TRUE(alive_done);
  EXPECT_EQ(failures, 4) << "two streaks of two: one pause, then the host is dead";
  EXPECT_EQ(abandoned, 6);
  EXPECT_TRUE(f.finished());
}

// A resume queues the interrupted run's URLs, then older pages to re-crawl, which may be
// shallower: with depth levels they must not end up behind deeper URLs of their host.
TEST(MemoryFrontier, DepthLevelsKeepEachHostQueueInDepthOrder) {
  MemoryFrontier f(FrontierOptions{.depth_levels = true});
  f.requeue(job("http://a.example/deep1", 3));
  f.requeue(job("http://a.example/deep2", 3));
  f.requeue(job("http://a.example/shallow", 1));
  std::vector<std::string> order;
  while (auto j = f.next(soon())) {
    order.push_back(j->url);
    f.complete(*j, HostOutcome::kResponse);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"http://a.example/shallow", "http://a.example/deep1",
                                             "http://a.example/deep2"}));
}

}  // namespace
}  // namespace crawler
