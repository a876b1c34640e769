// The contract every Frontier implementation must pass (crawler/frontier/frontier.h), as a
// value-free typed test suite. An implementation instantiates it with a factory type that has
//   static std::unique_ptr<Frontier> make(const FrontierOptions& options);
// e.g. INSTANTIATE_TYPED_TEST_SUITE_P(Memory, FrontierContract, MemoryFrontierFactory);
// (tests/unit/frontier_contract_test.cc).
//
// Timing: waits are bounded from a time taken before the call, never asserted from above
// except for wake-ups, so a slow (sanitised) build cannot fail them.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "crawler/frontier/frontier.h"

namespace crawler::testing {

// A new page URL with its keys filled, as the admission path hands it over.
inline CrawlJob frontier_job(const std::string& url, int depth = 0) {
  CrawlJob job;
  job.url = url;
  job.depth = depth;
  derive_keys(job);
  return job;
}

template <typename Factory>
class FrontierContract : public ::testing::Test {
 protected:
  Frontier& make(const FrontierOptions& options = {}) {
    frontier_ = Factory::make(options);
    return *frontier_;
  }
  static Clock::time_point soon() { return Clock::now() + std::chrono::milliseconds(50); }

 private:
  std::unique_ptr<Frontier> frontier_;
};

TYPED_TEST_SUITE_P(FrontierContract);

using namespace std::chrono_literals;

TYPED_TEST_P(FrontierContract, AdmitsEachUrlOnce) {
  Frontier& f = this->make();
  EXPECT_TRUE(f.add(frontier_job("http://a.example/")));
  EXPECT_FALSE(f.add(frontier_job("http://a.example/")));
  EXPECT_TRUE(f.mark_seen("http://a.example/x"));
  EXPECT_FALSE(f.mark_seen("http://a.example/x"));
  EXPECT_FALSE(f.add(frontier_job("http://a.example/x")));
  EXPECT_EQ(f.stats().seen, 2u);
  EXPECT_EQ(f.stats().queued, 1u);
}

// A page's links in one call: the same admissions as one add() each, in order.
TYPED_TEST_P(FrontierContract, AddsABatchLikeOneAddEachInOrder) {
  Frontier& f = this->make();
  EXPECT_TRUE(f.add(frontier_job("http://a.example/known")));
  std::vector<CrawlJob> page;
  for (const char* url : {"http://a.example/1", "http://a.example/known", "http://b.example:8080/2",
                          "http://a.example/1", "http://a.example/3"}) {
    page.push_back(frontier_job(url, 1));
  }
  EXPECT_EQ(f.add(std::move(page)).added, 3u);
  EXPECT_EQ(f.add(std::vector<CrawlJob>{}).added, 0u);
  EXPECT_EQ(f.stats().seen, 4u);
  EXPECT_EQ(f.stats().queued, 4u);
  std::vector<std::string> released;
  while (auto next = f.next(this->soon())) {
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
  EXPECT_FALSE(f.add(frontier_job("http://a.example/3")));
}

TYPED_TEST_P(FrontierContract, FinishedOnlyWhenNothingQueuedAndNothingInFlight) {
  Frontier& f = this->make();
  EXPECT_TRUE(f.finished());
  f.add(frontier_job("http://a.example/"));
  EXPECT_FALSE(f.finished());
  auto j = f.next(this->soon());
  ASSERT_TRUE(j);
  EXPECT_EQ(j->host, "a.example");
  EXPECT_FALSE(f.finished()) << "a job in flight may still add links";
  f.add(frontier_job("http://a.example/next", 1));
  f.complete(*j, HostOutcome::kResponse);
  EXPECT_FALSE(f.finished());
  auto k = f.next(this->soon());
  ASSERT_TRUE(k);
  f.complete(*k, HostOutcome::kResponse);
  EXPECT_TRUE(f.finished());
  EXPECT_FALSE(f.next(this->soon())) << "next() returns nothing once finished";
}

TYPED_TEST_P(FrontierContract, PerHostLimitAndDelay) {
  Frontier& f = this->make(FrontierOptions{.per_host = 1, .delay = 100ms});
  f.add(frontier_job("http://a.example/1"));
  f.add(frontier_job("http://a.example/2"));
  f.add(frontier_job("http://b.example/1"));
  // Taken before the first release, so "now - before_first" bounds the gap between the two
  // releases of a.example from above, however slowly the calls run.
  const auto before_first = Clock::now();
  auto first = f.next(this->soon());
  auto second = f.next(this->soon());
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

TYPED_TEST_P(FrontierContract, MaxPagesBudgetCountsNewUrlsButNotContinuations) {
  Frontier& f = this->make(FrontierOptions{.max_pages = 2});
  for (int i = 0; i < 5; ++i) f.add(frontier_job("http://a.example/" + std::to_string(i)));
  auto a = f.next(this->soon());
  auto b = f.next(this->soon());
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(f.next(Clock::now() + 20ms)) << "budget spent";
  CrawlJob hop = frontier_job("http://a.example/redirected");
  hop.redirects = {a->url};
  f.add_continuation(hop, Clock::now());
  f.complete(*a, HostOutcome::kResponse);
  auto c = f.next(this->soon());
  ASSERT_TRUE(c) << "a redirect hop finishes admitted work";
  EXPECT_EQ(c->url, "http://a.example/redirected");
  f.complete(*b, HostOutcome::kResponse);
  f.complete(*c, HostOutcome::kResponse);
  EXPECT_TRUE(f.finished()) << "URLs past the budget do not keep the crawl alive";
  EXPECT_EQ(f.stats().released, 2u);
}

// The per-host budget (scope.max_pages_per_host): exact, per host, and a known URL costs
// nothing; refused URLs come back for the caller to count as cuts.
TYPED_TEST_P(FrontierContract, PerHostBudgetIsExactAndKnownUrlsCostNothing) {
  Frontier& f = this->make(FrontierOptions{.max_pages_per_host = 2});
  std::size_t over_budget = 0;
  const auto add = [&](const std::string& url) {
    std::vector<CrawlJob> one;
    one.push_back(frontier_job(url));
    AddResult result = f.add(std::move(one));
    over_budget += result.over_budget.size();
    for (const CrawlJob& refused : result.over_budget) EXPECT_EQ(refused.url, url);
    return result.added == 1;
  };
  EXPECT_TRUE(add("http://a.example/1"));
  EXPECT_FALSE(add("http://a.example/1"));
  EXPECT_EQ(over_budget, 0u) << "a known URL is not a cut while the budget lasts";
  EXPECT_TRUE(add("http://a.example/2"));
  EXPECT_FALSE(add("http://a.example/3"));
  EXPECT_TRUE(add("http://b.example/1"));  // per host
  EXPECT_FALSE(add("http://a.example/4"));
  EXPECT_EQ(f.stats().seen, 3u);
  EXPECT_EQ(over_budget, 2u);
}

TYPED_TEST_P(FrontierContract, DelayedContinuationWaitsUntilItsTime) {
  Frontier& f = this->make();
  f.add(frontier_job("http://a.example/"));
  auto j = f.next(this->soon());
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

// A continuation finishes work already admitted: it goes before new URLs of its host.
TYPED_TEST_P(FrontierContract, ContinuationsGoBeforeNewUrlsOfTheirHost) {
  Frontier& f = this->make(FrontierOptions{.per_host = 1});
  f.add(frontier_job("http://a.example/1"));
  f.add(frontier_job("http://a.example/2"));
  f.add(frontier_job("http://a.example/3"));
  auto first = f.next(this->soon());
  ASSERT_TRUE(first);
  EXPECT_EQ(first->url, "http://a.example/1");
  CrawlJob retry = *first;
  retry.attempt = 1;
  f.add_continuation(retry, Clock::now());
  f.complete(*first, HostOutcome::kResponse);
  auto second = f.next(this->soon());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->url, "http://a.example/1");
  EXPECT_EQ(second->attempt, 1);
  f.complete(*second, HostOutcome::kResponse);
  auto third = f.next(this->soon());
  ASSERT_TRUE(third);
  EXPECT_EQ(third->url, "http://a.example/2");
  f.complete(*third, HostOutcome::kResponse);
}

TYPED_TEST_P(FrontierContract, DepthLevelsReleaseDeeperUrlsOnlyAfterShallowerOnesFinish) {
  Frontier& f = this->make(FrontierOptions{.depth_levels = true});
  f.add(frontier_job("http://a.example/d0"));
  auto root = f.next(this->soon());
  ASSERT_TRUE(root);
  f.add(frontier_job("http://a.example/d1a", 1));
  f.add(frontier_job("http://b.example/d1b", 1));
  f.complete(*root, HostOutcome::kResponse);
  auto x = f.next(this->soon());
  auto y = f.next(this->soon());
  ASSERT_TRUE(x && y);
  // x finishes first and discovers a depth-2 URL; it must wait until y (depth 1) is done.
  f.add(frontier_job("http://a.example/d2", 2));
  f.complete(*x, HostOutcome::kResponse);
  EXPECT_FALSE(f.next(Clock::now() + 30ms));
  f.complete(*y, HostOutcome::kResponse);
  auto z = f.next(this->soon());
  ASSERT_TRUE(z);
  EXPECT_EQ(z->depth, 2);
}

TYPED_TEST_P(FrontierContract, StopWakesTheDispatcher) {
  Frontier& f = this->make();
  f.add(frontier_job("http://a.example/"));
  auto j = f.next(this->soon());
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

TYPED_TEST_P(FrontierContract, AStoppedFrontierReleasesNothing) {
  Frontier& f = this->make();
  f.add(frontier_job("http://a.example/1"));
  f.add(frontier_job("http://b.example/1"));
  f.stop();
  EXPECT_FALSE(f.next(this->soon()));
  f.add(frontier_job("http://c.example/"));
  EXPECT_FALSE(f.next(this->soon())) << "a URL added after stop() is never released";
}

// Retry-After: the paused host waits, the others do not.
TYPED_TEST_P(FrontierContract, APausedHostWaitsAndOthersGoOn) {
  Frontier& f = this->make();
  f.add(frontier_job("http://a.example/1"));
  f.add(frontier_job("http://b.example/1"));
  const auto paused_at = Clock::now();
  f.pause_host("a.example", paused_at + 150ms);
  auto first = f.next(this->soon());
  ASSERT_TRUE(first);
  EXPECT_EQ(first->host, "b.example");
  f.complete(*first, HostOutcome::kResponse);
  EXPECT_FALSE(f.next(Clock::now() + 30ms)) << "a.example is paused";
  auto second = f.next(Clock::now() + 2s);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->host, "a.example");
  EXPECT_GE(Clock::now() - paused_at, 150ms);
  f.complete(*second, HostOutcome::kResponse);
}

// With robots on, an origin's first job is its robots.txt fetch, and its pages wait for
// robots_ready(); a Crawl-delay longer than the configured delay spaces the host's releases.
TYPED_TEST_P(FrontierContract, RobotsTxtGatesAnOriginAndItsCrawlDelayHolds) {
  Frontier& f = this->make(FrontierOptions{.robots = true});
  f.add(frontier_job("http://a.example/1"));
  f.add(frontier_job("http://a.example/2"));
  auto robots = f.next(this->soon());
  ASSERT_TRUE(robots);
  EXPECT_EQ(robots->kind, CrawlJob::Kind::kRobots);
  EXPECT_EQ(robots->url, "http://a.example/robots.txt");
  EXPECT_EQ(robots->origin, "http://a.example");
  EXPECT_FALSE(f.next(Clock::now() + 30ms)) << "pages wait for robots.txt";
  const auto ready_at = Clock::now();
  f.robots_ready("http://a.example", 100ms);
  f.complete(*robots, HostOutcome::kResponse);
  auto page = f.next(Clock::now() + 1s);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->url, "http://a.example/1");
  f.complete(*page, HostOutcome::kResponse);
  auto next = f.next(Clock::now() + 1s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->url, "http://a.example/2");
  EXPECT_GE(Clock::now() - ready_at, 100ms) << "Crawl-delay between the two pages";
  f.complete(*next, HostOutcome::kResponse);
  EXPECT_TRUE(f.finished());
}

// An answer older than robots_ttl is fetched again before the origin's next page.
TYPED_TEST_P(FrontierContract, RobotsTxtIsFetchedAgainAfterItsTimeToLive) {
  Frontier& f =
      this->make(FrontierOptions{.robots = true, .robots_ttl = std::chrono::milliseconds(100)});
  f.add(frontier_job("http://a.example/1"));
  f.add(frontier_job("http://a.example/2"));
  auto robots = f.next(this->soon());
  ASSERT_TRUE(robots);
  ASSERT_EQ(robots->kind, CrawlJob::Kind::kRobots);
  f.robots_ready("http://a.example", std::chrono::milliseconds(0));
  f.complete(*robots, HostOutcome::kResponse);
  auto page = f.next(this->soon());
  ASSERT_TRUE(page);
  EXPECT_EQ(page->url, "http://a.example/1") << "a fresh answer lets pages through";
  f.complete(*page, HostOutcome::kResponse);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  auto again = f.next(this->soon());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->kind, CrawlJob::Kind::kRobots) << "the answer expired: " << again->url;
  EXPECT_EQ(again->url, "http://a.example/robots.txt");
  EXPECT_FALSE(f.next(Clock::now() + std::chrono::milliseconds(30)))
      << "pages wait for the new answer";
  f.robots_ready("http://a.example", std::chrono::milliseconds(0));
  f.complete(*again, HostOutcome::kResponse);
  auto second = f.next(this->soon());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->url, "http://a.example/2");
  f.complete(*second, HostOutcome::kResponse);
  EXPECT_TRUE(f.finished());
}

TYPED_TEST_P(FrontierContract, AHostThatKeepsFailingIsPausedThenAbandoned) {
  Frontier& f = this->make(FrontierOptions{.fail_streak = 2,
                                           .max_pauses = 1,
                                           .first_pause = std::chrono::milliseconds(50),
                                           .max_pause = std::chrono::milliseconds(50)});
  for (int i = 0; i < 10; ++i) f.add(frontier_job("http://dead.example/" + std::to_string(i)));
  f.add(frontier_job("http://alive.example/"));
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

TYPED_TEST_P(FrontierContract, NoPerHostBudgetMeansNoLimit) {
  Frontier& f = this->make();
  std::vector<CrawlJob> page;
  for (int i = 0; i < 1000; ++i)
    page.push_back(frontier_job("http://a.example/" + std::to_string(i)));
  const AddResult result = f.add(std::move(page));
  EXPECT_EQ(result.added, 1000u);
  EXPECT_TRUE(result.over_budget.empty());
}

// The README's numbers, with the default options: a pause after 5 connection failures in a
// row, each pause twice the one before, and the host given up after its 3rd pause, when 5 more
// failures come: 20 failures in all.
TYPED_TEST_P(FrontierContract, TheBreakerKeepsItsDocumentedNumbers) {
  FrontierOptions options;
  options.first_pause = 60ms;
  options.max_pause = 10s;
  Frontier& f = this->make(options);
  for (int i = 0; i < 40; ++i) f.add(frontier_job("http://dead.example/" + std::to_string(i)));
  int failures = 0;
  int abandoned = 0;
  std::vector<Clock::duration> gaps;  // from a streak's last failure to the next release
  Clock::time_point streak_end{};
  while (auto j = f.next(Clock::now() + 5s)) {
    if (!j->abandoned.empty()) {
      ++abandoned;
      f.complete(*j, HostOutcome::kNotContacted);
      continue;
    }
    if (streak_end != Clock::time_point{}) {
      gaps.push_back(Clock::now() - streak_end);
      streak_end = {};
    }
    ++failures;
    const bool ends_streak = failures % 5 == 0;
    if (ends_streak) streak_end = Clock::now();
    f.complete(*j, HostOutcome::kConnectFailure);
  }
  EXPECT_EQ(failures, 20) << "5 failures, 3 pauses, then 5 more and the host is dead";
  EXPECT_EQ(abandoned, 20);
  ASSERT_EQ(gaps.size(), 3u);
  // Each pause is at least its length (taken from before the failure that started it).
  EXPECT_GE(gaps[0], 60ms);
  EXPECT_GE(gaps[1], 120ms);
  EXPECT_GE(gaps[2], 240ms);
  EXPECT_TRUE(f.finished());
}

// What the state persists with each commit: every URL add() admitted, once.
TYPED_TEST_P(FrontierContract, TakeAdmittedHandsEachNewUrlOverOnce) {
  Frontier& f = this->make(FrontierOptions{.track_admitted = true});
  std::vector<CrawlJob> page;
  for (const char* url : {"http://a.example/1", "http://a.example/1", "http://b.example/2"}) {
    page.push_back(frontier_job(url, 1));
  }
  f.add(std::move(page));
  f.mark_seen("http://a.example/redirect-target");
  const std::vector<CrawlJob> taken = f.take_admitted();
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].url, "http://a.example/1");
  EXPECT_EQ(taken[0].depth, 1);
  EXPECT_EQ(taken[1].url, "http://b.example/2");
  EXPECT_TRUE(f.take_admitted().empty());
}

REGISTER_TYPED_TEST_SUITE_P(
    FrontierContract, AdmitsEachUrlOnce, AddsABatchLikeOneAddEachInOrder,
    FinishedOnlyWhenNothingQueuedAndNothingInFlight, PerHostLimitAndDelay,
    MaxPagesBudgetCountsNewUrlsButNotContinuations, PerHostBudgetIsExactAndKnownUrlsCostNothing,
    NoPerHostBudgetMeansNoLimit, DelayedContinuationWaitsUntilItsTime,
    ContinuationsGoBeforeNewUrlsOfTheirHost,
    DepthLevelsReleaseDeeperUrlsOnlyAfterShallowerOnesFinish, StopWakesTheDispatcher,
    AStoppedFrontierReleasesNothing, APausedHostWaitsAndOthersGoOn,
    RobotsTxtGatesAnOriginAndItsCrawlDelayHolds, RobotsTxtIsFetchedAgainAfterItsTimeToLive,
    AHostThatKeepsFailingIsPausedThenAbandoned, TheBreakerKeepsItsDocumentedNumbers,
    TakeAdmittedHandsEachNewUrlOverOnce);

}  // namespace crawler::testing
