#include "crawler/dispatcher.h"

#include <chrono>

namespace crawler {
namespace {

constexpr std::chrono::milliseconds kPoll{250};  // how often a wait looks at `stopping`

}  // namespace

Dispatcher::Dispatcher(Frontier& frontier, std::vector<std::unique_ptr<PageWorker>>& workers,
                       ResultsSink::Queue& results, std::size_t queue_capacity)
    : frontier_(frontier), workers_(workers), results_(results), queue_capacity_(queue_capacity) {}

void Dispatcher::abandon(CrawlJob& job) {
  if (job.kind == CrawlJob::Kind::kPage) {
    PageRecord record = PageWorker::failure_record(job, job.abandoned);
    record.error = job.abandoned;
    record.error_kind = ErrorKind::kHostUnreachable;
    results_.push(std::optional<PageRecord>(std::move(record)));
  }
  frontier_.complete(job, HostOutcome::kNotContacted);
}

bool Dispatcher::release_one(JobPool& pool, std::counting_semaphore<>& free_workers,
                             const std::atomic<bool>& stopping) {
  while (!free_workers.try_acquire_for(kPoll)) {
    if (stopping.load()) return false;
  }
  auto job = frontier_.next(Clock::now() + kPoll);
  if (!job) {
    free_workers.release();
    return false;
  }
  if (!job->abandoned.empty()) {
    free_workers.release();
    abandon(*job);
    return true;
  }
  pool.submit(std::move(*job));
  return true;
}

void Dispatcher::run(const std::atomic<bool>& stopping) {
  std::counting_semaphore<> free_workers(static_cast<std::ptrdiff_t>(workers_.size()));
  JobPool pool(
      pool::PoolOptions{workers_.size(), queue_capacity_},
      [&](CrawlJob& job, std::size_t worker) {
        struct Release {
          std::counting_semaphore<>& slots;
          ~Release() { slots.release(); }
        } release{free_workers};
        return workers_[worker]->process(job);
      },
      &results_,
      [](const CrawlJob& job, const std::string& error) {
        return std::optional<PageRecord>(PageWorker::failure_record(job, error));
      });
  while (true) {
    while (release_one(pool, free_workers, stopping)) {
    }
    if (stopping.load()) break;
    if (!frontier_.finished()) continue;
    pool.wait_idle();
    if (frontier_.finished()) break;
  }
  if (stopping.load()) {
    pool.cancel();  // queued jobs were never started; running fetches finish
  } else {
    pool.close();
  }
  pool.join();
}

}  // namespace crawler
