#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "pool/bounded_queue.h"
#include "pool/worker_pool.h"

namespace {

using namespace std::chrono_literals;
using pool::BoundedQueue;
using pool::PoolOptions;
using pool::WorkerPool;

TEST(BoundedQueue, FifoOrderAndCapacity) {
  BoundedQueue<int> q(3);
  EXPECT_EQ(q.capacity(), 3u);
  EXPECT_TRUE(q.try_push(1));
  EXPECT_TRUE(q.try_push(2));
  EXPECT_TRUE(q.try_push(3));
  EXPECT_FALSE(q.try_push(4));
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.pop(), 1);
  EXPECT_EQ(q.pop(), 2);
  EXPECT_EQ(q.pop(), 3);
  EXPECT_EQ(q.try_pop(), std::nullopt);
}

TEST(BoundedQueue, FailedTryPushLeavesItemUntouched) {
  BoundedQueue<std::string> q(1);
  ASSERT_TRUE(q.try_push(std::string("a")));
  std::string item = "keep me";
  EXPECT_FALSE(q.try_push(std::move(item)));
  EXPECT_EQ(item, "keep me");  // NOLINT(bugprone-use-after-move): the contract says untouched
  EXPECT_FALSE(q.push_for(std::move(item), 10ms));
  EXPECT_EQ(item, "keep me");  // NOLINT(bugprone-use-after-move)
}

TEST(BoundedQueue, FullQueueBlocksPushUntilPop) {
  BoundedQueue<int> q(1);
  ASSERT_TRUE(q.push(1));
  std::atomic<bool> calling{false};
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    calling = true;
    q.push(2);
    pushed = true;
  });
  // Waits until the producer is at the call, so the check below is of a blocked push and not
  // of a thread that has not started yet.
  while (!calling.load()) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(pushed.load()) << "push must block while the queue is full";
  EXPECT_EQ(q.pop(), 1);
  producer.join();
  EXPECT_TRUE(pushed.load());
  EXPECT_EQ(q.pop(), 2);
}

TEST(BoundedQueue, CloseWakesWaitersAndDrains) {
  BoundedQueue<int> q(2);
  ASSERT_TRUE(q.push(7));
  q.close();
  EXPECT_FALSE(q.push(8));
  EXPECT_EQ(q.pop(), 7) << "items pushed before close are still delivered";
  EXPECT_EQ(q.pop(), std::nullopt);

  BoundedQueue<int> empty(1);
  auto waiter = std::async(std::launch::async, [&] { return empty.pop(); });
  std::this_thread::sleep_for(20ms);
  empty.close();
  EXPECT_EQ(waiter.get(), std::nullopt);

  BoundedQueue<int> full(1);
  ASSERT_TRUE(full.push(1));
  std::atomic<bool> calling{false};
  auto blocked = std::async(std::launch::async, [&] {
    calling = true;
    return full.push(2);
  });
  while (!calling.load()) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(blocked.wait_for(0ms), std::future_status::timeout) << "push must wait while full";
  full.close();
  EXPECT_FALSE(blocked.get());
}

TEST(BoundedQueue, PopForTimesOut) {
  BoundedQueue<int> q(1);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(q.pop_for(30ms), std::nullopt);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 25ms);
}

TEST(BoundedQueue, ManyProducersManyConsumersDeliverEachItemOnce) {
  BoundedQueue<int> q(16);
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 5000;
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) q.push(p * kPerProducer + i);
    });
  }
  std::mutex seen_mutex;
  std::vector<int> seen;
  std::vector<std::thread> consumers;
  for (int c = 0; c < 3; ++c) {
    consumers.emplace_back([&] {
      while (auto item = q.pop()) {
        std::lock_guard lock(seen_mutex);
        seen.push_back(*item);
      }
    });
  }
  for (auto& t : producers) t.join();
  q.close();
  for (auto& t : consumers) t.join();
  ASSERT_EQ(seen.size(), static_cast<std::size_t>(kProducers * kPerProducer));
  std::set<int> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size());
}

TEST(WorkerPool, EveryJobRunsExactlyOnceWithManyProducers) {
  constexpr int kJobs = 20000;
  std::vector<std::atomic<int>> runs(kJobs);
  BoundedQueue<int> results(kJobs);
  {
    WorkerPool<int, int> workers(
        PoolOptions{8, 64},
        [&](int& job, std::size_t) {
          runs[job].fetch_add(1);
          return job;
        },
        &results);
    std::vector<std::thread> producers;
    for (int p = 0; p < 4; ++p) {
      producers.emplace_back([&, p] {
        for (int i = p; i < kJobs; i += 4) ASSERT_TRUE(workers.submit(i));
      });
    }
    for (auto& t : producers) t.join();
    workers.close();
    workers.join();
    const auto stats = workers.stats();
    EXPECT_EQ(stats.completed, static_cast<std::size_t>(kJobs));
    EXPECT_EQ(stats.failed, 0u);
    EXPECT_EQ(stats.busy, 0u);
    EXPECT_EQ(stats.workers, 8u);
  }
  for (int i = 0; i < kJobs; ++i) ASSERT_EQ(runs[i].load(), 1) << "job " << i;
  EXPECT_EQ(results.size(), static_cast<std::size_t>(kJobs));
}

TEST(WorkerPool, CloseDrainsQueuedJobs) {
  std::atomic<int> done{0};
  std::promise<void> gate;
  auto gate_future = gate.get_future().share();
  WorkerPool<int, int> workers(PoolOptions{1, 16}, [&](int&, std::size_t) {
    gate_future.wait();
    return ++done;
  });
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(workers.submit(i));
  workers.close();
  EXPECT_FALSE(workers.submit(99)) << "a closed pool accepts no job";
  gate.set_value();
  workers.join();
  EXPECT_EQ(done.load(), 10);
  EXPECT_EQ(workers.stats().dropped, 0u);
}

TEST(WorkerPool, CancelDropsPendingJobsAndCountsThem) {
  std::atomic<int> started{0};
  std::promise<void> gate;
  auto gate_future = gate.get_future().share();
  WorkerPool<int, int> workers(PoolOptions{2, 16}, [&](int&, std::size_t) {
    ++started;
    gate_future.wait();
    return 0;
  });
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(workers.submit(i));
  while (started.load() < 2) std::this_thread::sleep_for(1ms);
  workers.cancel();
  gate.set_value();
  workers.join();
  const auto stats = workers.stats();
  EXPECT_EQ(started.load(), 2) << "no job may start after cancel";
  EXPECT_EQ(stats.completed, 2u);
  EXPECT_EQ(stats.dropped, 8u);
  EXPECT_TRUE(workers.wait_idle_for(1s)) << "dropped jobs no longer count as outstanding";
}

TEST(WorkerPool, ThrowingHandlerBecomesErrorResultAndWorkerSurvives) {
  struct Outcome {
    int job = 0;
    std::string error;
  };
  BoundedQueue<Outcome> results(100);
  WorkerPool<int, Outcome> workers(
      PoolOptions{1, 16},
      [](int& job, std::size_t) -> Outcome {
        if (job % 2 == 1) throw std::runtime_error("odd job " + std::to_string(job));
        return {job, ""};
      },
      &results,
      [](const int& job, const std::string& error) {
        return Outcome{job, error};
      });
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(workers.submit(i));
  workers.close();
  workers.join();
  EXPECT_EQ(workers.stats().failed, 3u);
  EXPECT_EQ(workers.stats().completed, 3u);
  std::vector<Outcome> outcomes;
  while (auto o = results.try_pop()) outcomes.push_back(*o);
  ASSERT_EQ(outcomes.size(), 6u) << "the single worker survived every throw";
  for (const auto& o : outcomes) {
    if (o.job % 2 == 1) {
      EXPECT_EQ(o.error, "odd job " + std::to_string(o.job));
    } else {
      EXPECT_TRUE(o.error.empty());
    }
  }
}

TEST(WorkerPool, FullQueueAppliesBackpressure) {
  std::promise<void> gate;
  auto gate_future = gate.get_future().share();
  WorkerPool<int, int> workers(PoolOptions{1, 2}, [&](int&, std::size_t) {
    gate_future.wait();
    return 0;
  });
  ASSERT_TRUE(workers.submit(0));
  // The worker holds job 0; the queue takes two more, then is full.
  while (workers.stats().busy == 0) std::this_thread::sleep_for(1ms);
  ASSERT_TRUE(workers.try_submit(1));
  ASSERT_TRUE(workers.try_submit(2));
  EXPECT_FALSE(workers.try_submit(3));
  EXPECT_FALSE(workers.submit_for(4, 20ms));
  EXPECT_EQ(workers.stats().queued, 2u);
  std::atomic<bool> calling{false};
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    calling = true;
    workers.submit(5);
    pushed = true;
  });
  while (!calling.load()) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(pushed.load()) << "submit must block while the queue is full";
  gate.set_value();
  producer.join();
  EXPECT_TRUE(pushed.load());
  workers.close();
  workers.join();
  EXPECT_EQ(workers.stats().completed, 4u);
}

// A self-feeding workload: each job with n > 0 submits job n-1 before it finishes. wait_idle
// must not return in the gap between one job ending and its successor arriving.
TEST(WorkerPool, WaitIdleUnderSelfFeedingWorkload) {
  std::atomic<int> executed{0};
  // The handler submits from inside a worker, which the deadlock rule allows only while the
  // queue cannot be full: capacity exceeds the number of chains.
  WorkerPool<int, int>* self = nullptr;
  WorkerPool<int, int> workers(PoolOptions{4, 64}, [&](int& n, std::size_t) {
    ++executed;
    if (n > 0) {
      EXPECT_TRUE(self->submit(n - 1));
    }
    return n;
  });
  self = &workers;
  constexpr int kChains = 8;
  constexpr int kLength = 200;
  for (int c = 0; c < kChains; ++c) ASSERT_TRUE(workers.submit(kLength - 1));
  workers.wait_idle();
  EXPECT_EQ(executed.load(), kChains * kLength);
  const auto stats = workers.stats();
  EXPECT_EQ(stats.queued, 0u);
  EXPECT_EQ(stats.busy, 0u);
}

TEST(WorkerPool, WaitIdleReturnsAtOnceWhenNothingWasSubmitted) {
  WorkerPool<int, int> workers(PoolOptions{2, 4}, [](int& n, std::size_t) { return n; });
  EXPECT_TRUE(workers.wait_idle_for(100ms));
}

TEST(WorkerPool, DestructionWhileBusyIsSafe) {
  std::atomic<int> ran{0};
  {
    WorkerPool<int, int> workers(PoolOptions{4, 1000}, [&](int&, std::size_t) {
      std::this_thread::sleep_for(1ms);
      return ++ran;
    });
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(workers.submit(i));
    while (workers.stats().completed < 4) std::this_thread::sleep_for(1ms);
    ASSERT_GT(workers.stats().queued, 0u);
  }  // destructor cancels the rest and joins the busy workers
  EXPECT_GT(ran.load(), 0);
  EXPECT_LT(ran.load(), 1000);
}

TEST(WorkerPool, HandlerSeesAStableWorkerIndex) {
  std::mutex mutex;
  std::map<std::thread::id, std::set<std::size_t>> indices;
  WorkerPool<int, int> workers(PoolOptions{3, 64}, [&](int& n, std::size_t worker) {
    std::lock_guard lock(mutex);
    indices[std::this_thread::get_id()].insert(worker);
    return n;
  });
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(workers.submit(i));
  workers.close();
  workers.join();
  std::set<std::size_t> all;
  for (const auto& [thread, seen] : indices) {
    EXPECT_EQ(seen.size(), 1u) << "a thread always gets the same index";
    all.insert(seen.begin(), seen.end());
  }
  for (std::size_t index : all) EXPECT_LT(index, 3u);
  EXPECT_EQ(all.size(), indices.size()) << "no two threads share an index";
}

TEST(WorkerPool, RejectsZeroWorkersOrCapacity) {
  EXPECT_THROW((WorkerPool<int, int>(PoolOptions{0, 4}, [](int& n, std::size_t) { return n; })),
               std::invalid_argument);
  EXPECT_THROW((WorkerPool<int, int>(PoolOptions{1, 0}, [](int& n, std::size_t) { return n; })),
               std::invalid_argument);
}

}  // namespace
