// Worker pool vs a thread per job: throughput on tiny jobs, and peak memory as the job count
// grows. Run: build/tests/pool_bench (not part of ctest; scripts/bench-pool.sh prints figures).
//
// Memory is sampled from /proc/self/statm by a monitor thread while a benchmark runs, so each
// figure is the growth of resident memory during that benchmark alone (peak minus baseline).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <system_error>
#include <thread>
#include <vector>

#include "pool/worker_pool.h"

namespace {

long resident_kib() {
  std::ifstream statm("/proc/self/statm");
  long size = 0;
  long resident = 0;
  statm >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// Samples resident memory every 200 µs until destroyed; reports growth over the baseline.
class RssMonitor {
 public:
  RssMonitor() : baseline_(resident_kib()), peak_(baseline_) {
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        const long now = resident_kib();
        if (now > peak_.load()) peak_.store(now);
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    });
  }
  ~RssMonitor() { stop(); }
  void stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  double growth_mib() const { return static_cast<double>(peak_.load() - baseline_) / 1024.0; }

 private:
  long baseline_;
  std::atomic<long> peak_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A tiny job: a few hundred nanoseconds of arithmetic.
int tiny_work(int x) {
  int acc = x;
  for (int i = 0; i < 100; ++i) acc = acc * 31 + i;
  return acc;
}

void BM_PoolTinyJobs(benchmark::State& state) {
  const auto jobs = static_cast<int>(state.range(0));
  double peak = 0;
  for (auto _ : state) {
    RssMonitor rss;
    std::atomic<long> sum{0};
    pool::WorkerPool<int, int> workers(pool::PoolOptions{8, 1024}, [&](int& job, std::size_t) {
      sum.fetch_add(tiny_work(job), std::memory_order_relaxed);
      return 0;
    });
    for (int i = 0; i < jobs; ++i) workers.submit(i);
    workers.close();
    workers.join();
    benchmark::DoNotOptimize(sum.load());
    rss.stop();
    peak = std::max(peak, rss.growth_mib());
  }
  state.SetItemsProcessed(state.iterations() * jobs);
  state.counters["rss_growth_MiB"] = peak;
}

// The naive alternative: one thread per job, joined at the end. Finished threads keep their
// stacks until joined, so memory grows with the job count (and the kernel's thread limit is
// eventually hit: the benchmark reports how many threads it could start).
void BM_ThreadPerJob(benchmark::State& state) {
  const auto jobs = static_cast<int>(state.range(0));
  double peak = 0;
  double started_max = 0;
  for (auto _ : state) {
    RssMonitor rss;
    std::atomic<long> sum{0};
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(jobs));
    try {
      for (int i = 0; i < jobs; ++i) {
        threads.emplace_back([&sum, i] { sum.fetch_add(tiny_work(i), std::memory_order_relaxed); });
      }
    } catch (const std::system_error&) {
      state.counters["hit_thread_limit"] = 1;
    }
    started_max = std::max(started_max, static_cast<double>(threads.size()));
    for (auto& t : threads) t.join();
    benchmark::DoNotOptimize(sum.load());
    rss.stop();
    peak = std::max(peak, rss.growth_mib());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<long>(started_max));
  state.counters["rss_growth_MiB"] = peak;
  state.counters["threads_started"] = started_max;
}

BENCHMARK(BM_PoolTinyJobs)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK(BM_ThreadPerJob)
    ->Arg(10000)
    ->Arg(20000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
