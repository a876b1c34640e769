// The frontier's RAM budget: MemoryFrontier with a StateSpill (the real SQLite spill).
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "crawler/frontier/memory_frontier.h"
#include "crawler/state/state_lock.h"
#include "crawler/state/state_spill.h"
#include "crawler/state/state_store.h"
#include "crawler/url/url.h"
#include "tests/support/crawler_runner.h"
#include "tests/support/frontier_spill_contract.h"

namespace crawler {
namespace {

using namespace std::chrono_literals;
using ::crawler::testing::TempDir;

CrawlJob job(const std::string& url, int depth = 0) {
  CrawlJob j;
  j.url = url;
  j.depth = depth;
  derive_keys(j);
  return j;
}

Clock::time_point soon() { return Clock::now() + 200ms; }

std::uint64_t in_ram(const MemoryFrontier& f) {
  const auto s = f.stats();
  return s.queued - s.spilled;
}

// Releases and completes everything, checking the RAM bound after every step; returns the
// URLs in release order.
std::vector<std::string> drain(MemoryFrontier& f, std::uint64_t ram_bound) {
  std::vector<std::string> released;
  while (auto j = f.next(soon())) {
    EXPECT_LE(in_ram(f), ram_bound);
    released.push_back(j->url);
    f.complete(*j, HostOutcome::kResponse);
  }
  return released;
}

TEST(FrontierSpill, KeepsAtMostTheBudgetInRamAndReleasesEveryUrlOnce) {
  TempDir tmp;
  StateLock lock = StateLock::acquire(tmp.path());
  MemoryFrontier f(FrontierOptions{.memory_limit = 100});
  f.attach_spill(std::make_unique<StateSpill>(tmp.path()));
  std::set<std::string> added;
  for (int i = 0; i < 3000; ++i) {
    const std::string url = "http://h" + std::to_string(i % 7) + ".example/p" + std::to_string(i);
    ASSERT_TRUE(f.add(job(url)));
    added.insert(url);
    // The budget plus one spill batch (a quarter of the budget) being gathered.
    ASSERT_LE(in_ram(f), 125u);
  }
  EXPECT_EQ(f.stats().queued, 3000u);
  EXPECT_GE(f.stats().spilled, 2875u);
  const auto released = drain(f, 125);
  EXPECT_EQ(released.size(), 3000u);
  EXPECT_EQ(std::set<std::string>(released.begin(), released.end()), added);
  EXPECT_TRUE(f.finished());
  EXPECT_EQ(f.stats().spilled, 0u);
}

TEST(FrontierSpill, OneHostComesOutInDiscoveryOrder) {
  TempDir tmp;
  StateLock lock = StateLock::acquire(tmp.path());
  MemoryFrontier f(FrontierOptions{.memory_limit = 10});
  f.attach_spill(std::make_unique<StateSpill>(tmp.path()));
  std::vector<std::string> added;
  for (int i = 0; i < 200; ++i) {
    added.push_back("http://a.example/" + std::to_string(i));
    f.add(job(added.back()));
  }
  EXPECT_EQ(drain(f, 12), added);
}

TEST(FrontierSpill, LinksAddedWhileDrainingAreNotLost) {
  TempDir tmp;
  StateLock lock = StateLock::acquire(tmp.path());
  MemoryFrontier f(FrontierOptions{.memory_limit = 20});
  f.attach_spill(std::make_unique<StateSpill>(tmp.path()));
  f.add(job("http://a.example/0"));
  std::set<std::string> released;
  // Each page links to its next 3 numbers: 0..1999 are all reachable.
  while (auto j = f.next(soon())) {
    ASSERT_LE(in_ram(f), 25u);
    released.insert(j->url);
    const int n = std::stoi(j->url.substr(j->url.rfind('/') + 1));
    for (int k = 1; k <= 3; ++k) {
      if (n * 3 + k < 2000)
        f.add(job("http://b" + std::to_string(k) + ".example/" + std::to_string(n * 3 + k),
                  j->depth + 1));
    }
    f.complete(*j, HostOutcome::kResponse);
  }
  EXPECT_EQ(released.size(), 2000u);
}

TEST(FrontierSpill, PerHostDelayHoldsForSpilledUrls) {
  TempDir tmp;
  StateLock lock = StateLock::acquire(tmp.path());
  MemoryFrontier f(FrontierOptions{.per_host = 1, .delay = 20ms, .memory_limit = 4});
  f.attach_spill(std::make_unique<StateSpill>(tmp.path()));
  for (int i = 0; i < 30; ++i) f.add(job("http://a.example/" + std::to_string(i)));
  // Release k happens after the call to next() starts and release k+1 comes at least 20 ms
  // after it, before next() returns: so return k+1 minus call start k is at least 20 ms, however
  // slowly the calls themselves run (a gap between two returns is not bounded that way).
  Clock::time_point previous_call{};
  int released = 0;
  while (true) {
    const auto call = Clock::now();
    auto j = f.next(call + 1s);
    if (!j) break;
    if (released++ > 0) {
      EXPECT_GE(Clock::now() - previous_call, 20ms) << j->url;
    }
    previous_call = call;
    f.complete(*j, HostOutcome::kResponse);
  }
  EXPECT_EQ(released, 30);
}

// After a resume, queued URLs come back in insertion order, which may put deeper URLs in RAM and
// a shallower one in the spill: with depth levels the frontier must fetch the spilled one
// rather than wait for ever.
TEST(FrontierSpill, ReadsTheSpillWhenEverythingInRamWaitsForIt) {
  TempDir tmp;
  StateLock lock = StateLock::acquire(tmp.path());
  MemoryFrontier f(FrontierOptions{.depth_levels = true, .memory_limit = 8});
  f.attach_spill(std::make_unique<StateSpill>(tmp.path()));
  for (int i = 0; i < 20; ++i) f.requeue(job("http://a.example/deep" + std::to_string(i), 3));
  f.requeue(job("http://a.example/shallow", 1));
  const auto released = drain(f, 1000);
  ASSERT_EQ(released.size(), 21u);
  EXPECT_EQ(released.front(), "http://a.example/shallow");
}

TEST(FrontierSpill, ReadsRecrawlValidatorsBackFromTheUrlsTable) {
  TempDir tmp;
  StateLock lock = StateLock::acquire(tmp.path());
  {
    StateStore store = StateStore::open(tmp.path());
    const std::int64_t run = store.begin_run("pages.jsonl");
    UrlRow row;
    row.url = "http://a.example/known";
    row.fp = url_fingerprint(row.url);
    row.status = UrlStatus::kDone;
    row.http_status = 200;
    row.etag = "\"v1\"";
    row.last_modified = "Tue, 01 Sep 2026 00:00:00 GMT";
    store.commit(run, {.finished = {row}});
  }
  StateSpill spill(tmp.path());
  spill.push({job("http://a.example/known"), job("http://a.example/new", 2)});
  const auto back = spill.pop(10);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].etag, "\"v1\"");
  EXPECT_EQ(back[0].last_modified, "Tue, 01 Sep 2026 00:00:00 GMT");
  EXPECT_EQ(back[1].url, "http://a.example/new");
  EXPECT_EQ(back[1].depth, 2);
  EXPECT_TRUE(back[1].etag.empty());
  EXPECT_TRUE(spill.pop(10).empty());
}

TEST(FrontierSpill, OpeningClearsWhatAnEarlierRunLeft) {
  TempDir tmp;
  StateLock lock = StateLock::acquire(tmp.path());
  {
    StateSpill spill(tmp.path());
    spill.push({job("http://a.example/left-over")});
  }
  StateSpill again(tmp.path());
  EXPECT_TRUE(again.pop(10).empty());
}

// A spill that cannot be written (disk full, say): URLs stay in RAM instead of being lost.
class BrokenSpill final : public FrontierSpill {
 public:
  void push(const std::vector<CrawlJob>&) override { throw std::runtime_error("disk full"); }
  std::vector<CrawlJob> pop(std::size_t) override { return {}; }
};

TEST(FrontierSpill, KeepsUrlsInRamWhenTheSpillFails) {
  MemoryFrontier f(FrontierOptions{.memory_limit = 4});
  f.attach_spill(std::make_unique<BrokenSpill>());
  for (int i = 0; i < 50; ++i) f.add(job("http://a.example/" + std::to_string(i)));
  EXPECT_EQ(f.stats().spilled, 0u);
  EXPECT_EQ(drain(f, 1000).size(), 50u);
}

// The spill contract, run against the SQLite spill (each test with a folder of its own).
struct StateSpillFactory {
  TempDir dir;
  StateLock lock = StateLock::acquire(dir.path());
  std::unique_ptr<FrontierSpill> make() { return std::make_unique<StateSpill>(dir.path()); }
};

}  // namespace
}  // namespace crawler

namespace crawler::testing {
INSTANTIATE_TYPED_TEST_SUITE_P(State, FrontierSpillContract, ::crawler::StateSpillFactory);
}  // namespace crawler::testing
