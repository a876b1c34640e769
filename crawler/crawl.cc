#include "crawler/crawl.h"

#include <spdlog/spdlog.h>

#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <semaphore>
#include <thread>
#include <vector>

#include "crawler/fetch/fetcher.h"
#include "crawler/fetch/robots_cache.h"
#include "crawler/frontier/memory_frontier.h"
#include "crawler/frontier/scope.h"
#include "crawler/output/results_writer.h"
#include "crawler/page_worker.h"
#include "crawler/state/state_lock.h"
#include "crawler/state/state_spill.h"
#include "crawler/state/state_store.h"
#include "crawler/url/url.h"
#include "pool/bounded_queue.h"
#include "pool/worker_pool.h"

namespace crawler {
namespace {

using ResultQueue = pool::BoundedQueue<std::optional<PageRecord>>;
using Pool = pool::WorkerPool<CrawlJob, std::optional<PageRecord>>;

// Writes `text` to `path` through a temporary file and a rename, so a reader (or a crash)
// never sees a half-written file.
void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  const auto temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error(temporary + ": cannot write");
  }
  std::filesystem::rename(temporary, path);
}

std::string utc_stamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

// Each run writes its own file, "<stem>-<UTC time><ext>" (e.g. pages-20261126T211500Z.jsonl),
// and `pages` (e.g. pages.jsonl) becomes a symbolic link to it, so a new run never overwrites
// or appends to an earlier run's results. A regular file left at `pages` is renamed aside.
std::filesystem::path start_results_file(const std::filesystem::path& dir,
                                         const std::string& pages) {
  const std::filesystem::path link_path = dir / pages;
  const std::filesystem::path name(pages);
  const std::string stamp = utc_stamp();
  std::filesystem::path run_file = name.stem().string() + "-" + stamp + name.extension().string();
  for (int n = 2; std::filesystem::exists(dir / run_file); ++n) {
    run_file =
        name.stem().string() + "-" + stamp + "-" + std::to_string(n) + name.extension().string();
  }
  std::error_code ec;
  const auto status = std::filesystem::symlink_status(link_path, ec);
  if (std::filesystem::is_regular_file(status)) {
    std::filesystem::rename(
        link_path, dir / (name.stem().string() + "-before-" + stamp + name.extension().string()));
  }
  {
    std::ofstream create(dir / run_file, std::ios::app);
    if (!create) throw std::runtime_error((dir / run_file).string() + ": cannot create");
  }
  const auto temporary = dir / (pages + ".link.tmp");
  std::filesystem::remove(temporary, ec);
  std::filesystem::create_symlink(run_file, temporary);
  std::filesystem::rename(temporary, link_path);  // atomic: readers see the old or new link
  return run_file;
}

FrontierOptions frontier_options(const Config& config) {
  FrontierOptions options;
  options.per_host = config.politeness.per_host;
  options.delay = config.politeness.delay;
  options.max_pages = config.scope.max_pages;
  options.depth_levels = config.scope.max_depth >= 0;
  options.robots = config.politeness.robots;
  options.track_admitted = !config.state.dir.empty();
  options.memory_limit = config.state.frontier_memory;
  options.first_pause = std::max(config.politeness.backoff, std::chrono::milliseconds(100));
  options.max_pause = std::max(config.politeness.max_delay, options.first_pause);
  return options;
}

}  // namespace

struct Crawl::State {
  Config config;
  CrawlLimits limits;
  Scope scope;
  MemoryFrontier frontier;
  RobotsCache robots;
  bool fresh = false;
  std::atomic<bool> stopping{false};
  std::atomic<std::int64_t> abort_at{0};  // end of a stop's grace period (steady ms), 0 = none
  std::atomic<std::uint64_t> pages{0};
  std::atomic<std::uint64_t> errors{0};
  Clock::time_point started = Clock::now();

  explicit State(Config c)
      : config(std::move(c)),
        limits(config.scope.max_pages_per_host),
        scope(config.scope, config.seeds, &limits),
        frontier(frontier_options(config)) {}
};

Crawl::Crawl(Config config, bool fresh) : state_(std::make_unique<State>(std::move(config))) {
  state_->fresh = fresh;
  const auto& dir = state_->config.output.dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    throw std::runtime_error(dir + ": cannot create the output folder (output.dir): " +
                             (ec ? ec.message() : "not a directory"));
  }
}

Crawl::~Crawl() = default;

void Crawl::stop() {
  // Fetches in flight get a grace period to finish; those still running then are aborted.
  constexpr std::chrono::milliseconds kGracePeriod{10000};
  std::int64_t none = 0;
  const std::int64_t deadline = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    Clock::now().time_since_epoch() + kGracePeriod)
                                    .count();
  state_->abort_at.compare_exchange_strong(none, deadline);
  state_->stopping.store(true);
  state_->frontier.stop();
}

CrawlProgress Crawl::progress() const {
  const auto frontier = state_->frontier.stats();
  CrawlProgress p;
  p.pages = state_->pages.load();
  p.errors = state_->errors.load();
  p.queued = frontier.queued;
  p.in_flight = frontier.in_flight;
  p.elapsed_s = std::chrono::duration<double>(Clock::now() - state_->started).count();
  return p;
}

CrawlStats Crawl::run() {
  State& s = *state_;
  const Config& config = s.config;
  CrawlStats stats;
  stats.started_at = utc_now_rfc3339();
  s.started = Clock::now();

  const std::filesystem::path out_dir(config.output.dir);
  std::optional<StateLock> lock;
  std::optional<StateStore> store;
  if (!config.state.dir.empty()) {
    const std::filesystem::path dir(config.state.dir);
    lock = StateLock::acquire(dir);
    if (s.fresh) {
      const auto aside = set_aside_state(dir);
      StateLock fresh_lock = StateLock::acquire(dir);
      lock = std::move(fresh_lock);  // the old lock moved aside with its folder
      if (!aside.empty()) spdlog::info("--fresh: the old state is now {}", aside.string());
    }
    store = StateStore::open(dir);
    if (auto previous = store->last_unfinished_run()) {
      // An earlier run was killed: its file keeps exactly the committed records.
      truncate_results_file(previous->results_file, previous->committed_length);
      store->finish_run(previous->id);
    }
  }
  const std::filesystem::path run_file = start_results_file(out_dir, config.output.pages);
  JsonlWriter writer(out_dir / run_file, config.output.links);
  std::int64_t run_id = 0;
  std::uint64_t resumed = 0;
  std::uint64_t recrawl = 0;
  if (store) {
    run_id = store->begin_run(std::filesystem::absolute(out_dir / run_file).string());
    s.frontier.attach_spill(std::make_unique<StateSpill>(config.state.dir));
    store->for_each_fingerprint([&](std::uint64_t fp) { s.frontier.restore_seen(fp); });
    const auto to_job = [](UrlRow&& row) {
      CrawlJob job;
      job.url = std::move(row.url);
      job.depth = row.depth;
      job.referrer = std::move(row.referrer);
      job.etag = std::move(row.etag);
      job.last_modified = std::move(row.last_modified);
      return job;
    };
    store->for_each_queued([&](UrlRow&& row) {
      s.frontier.requeue(to_job(std::move(row)));
      ++resumed;
    });
    const auto cutoff =
        std::chrono::duration_cast<std::chrono::seconds>(
            (std::chrono::system_clock::now() - config.state.recrawl_after).time_since_epoch())
            .count();
    store->for_each_stale(cutoff, [&](UrlRow&& row) {
      s.frontier.requeue(to_job(std::move(row)));
      ++recrawl;
    });
    if (resumed + recrawl > 0) {
      spdlog::info("state: resuming {} queued URLs, re-crawling {} older than {}", resumed, recrawl,
                   format_duration(config.state.recrawl_after));
    }
  }

  for (const auto& seed : config.seeds) {
    const auto parts = split_url(seed);
    if (!parts || s.scope.check(seed, view_of(*parts)) != ScopeVerdict::kInScope) {
      spdlog::warn("seed {} is outside scope.domains/include/exclude; skipped", seed);
      continue;
    }
    CrawlJob job;
    job.url = seed;
    job.host = parts->host;
    job.origin = url_origin(*parts);
    s.limits.admit_page(parts->host, seed, [&] { return s.frontier.add(std::move(job)); });
  }

  // The results file and the state commit together (StateStore's durability contract): lines
  // are written and fdatasync()ed, then ONE transaction marks their URLs done, adds the URLs
  // they discovered and records the file's new length. A kill between the two leaves lines
  // past the committed length, which the next run cuts off and fetches again.
  std::vector<UrlRow> finished;
  const auto commit = [&] {
    if (!store) {
      writer.flush();
      return;
    }
    writer.sync();
    StateStore::Batch batch;
    for (CrawlJob& job : s.frontier.take_admitted()) {
      UrlRow row;
      row.fp = url_fingerprint(job.url);
      row.url = std::move(job.url);
      row.depth = job.depth;
      row.referrer = std::move(job.referrer);
      batch.queued.push_back(std::move(row));
    }
    batch.finished = std::move(finished);
    finished.clear();
    batch.committed_length = static_cast<std::int64_t>(writer.length());
    store->commit(run_id, batch);
  };
  const auto remember = [&](const PageRecord& record) {
    if (!store) return;
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    UrlRow row;
    row.fp = url_fingerprint(record.url);
    row.url = record.url;
    row.depth = record.depth;
    row.referrer = record.referrer;
    row.status = record.error ? UrlRow::kFailed : UrlRow::kDone;
    row.http_status = record.status;
    row.etag = record.etag;
    row.last_modified = record.last_modified;
    row.digest = record.digest;
    row.fetched_at = now;
    if (record.final_url != record.url && !record.error) {
      // A redirect's target was fetched as part of this record: it is done too.
      UrlRow target = row;
      target.fp = url_fingerprint(record.final_url);
      target.url = record.final_url;
      finished.push_back(std::move(target));
    }
    finished.push_back(std::move(row));
  };

  const auto count_cuts = [&](const PageRecord& record) {
    if (!record.links_truncated && !record.text_truncated && record.error_kind != "too_large") {
      return;
    }
    const auto parts = split_url(record.final_url);
    const std::string host = parts ? parts->host : std::string();
    if (record.links_truncated) s.limits.cut(Limit::kMaxLinksPerPage, host, record.final_url);
    if (record.error_kind == "too_large") s.limits.cut(Limit::kMaxBody, host, record.final_url);
    if (record.text_truncated) s.limits.cut(Limit::kMaxTextInput, host, record.final_url);
  };

  CurlShare share;
  std::vector<std::unique_ptr<PageWorker>> workers;
  workers.reserve(config.pool.workers);
  for (std::size_t i = 0; i < config.pool.workers; ++i) {
    workers.push_back(std::make_unique<PageWorker>(config, s.scope, s.frontier, s.robots, s.limits,
                                                   &share, &s.abort_at));
  }

  ResultQueue results(config.pool.queue_capacity);
  const auto write_results = [&] {
    auto last_flush = Clock::now();
    const auto take = [&](const std::optional<PageRecord>& item) {
      if (!item) return;
      const PageRecord& record = *item;
      if (!record.skip_output) writer.write(record);
      remember(record);
      stats.add(record);
      count_cuts(record);
      s.pages.fetch_add(1);
      if (record.error) s.errors.fetch_add(1);
      spdlog::debug("{} {} {}", record.status, record.url, record.error.value_or(""));
    };
    while (true) {
      auto item = results.pop_for(std::chrono::milliseconds(200));
      if (!item) {
        if (results.closed() && results.size() == 0) break;
      } else {
        take(*item);
        // In a fast crawl, waking for every record cost a futex wake and a context switch per
        // page; a millisecond's pause lets the next records gather and be taken in one go.
        // Records still reach the file within the same 250 ms commit window.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        while (auto more = results.try_pop()) take(*more);
      }
      // Commit in batches (every 250 ms or 1,000 records): a crash loses little, the file only
      // ever grows by whole lines, and the state's transactions stay few.
      if (Clock::now() - last_flush >= std::chrono::milliseconds(250) || finished.size() >= 1000) {
        commit();
        last_flush = Clock::now();
      }
    }
    commit();
  };
  std::exception_ptr writer_error;
  std::thread writer_thread([&] {
    try {
      write_results();
    } catch (...) {
      // The results cannot be written or committed: stop the crawl rather than fetch pages
      // whose records would be lost; the error is rethrown once the threads are joined.
      writer_error = std::current_exception();
      stop();
      while (results.pop()) {
      }
    }
  });

  // A job is released by the frontier only when a worker is free to start it at once: the
  // host's delay is counted from the release, so a job must not wait in the queue after it.
  std::counting_semaphore<> free_workers(static_cast<std::ptrdiff_t>(config.pool.workers));
  {
    Pool pool(
        pool::PoolOptions{config.pool.workers, config.pool.queue_capacity},
        [&](CrawlJob& job, std::size_t worker) {
          struct Release {
            std::counting_semaphore<>& slots;
            ~Release() { slots.release(); }
          } release{free_workers};
          return workers[worker]->process(job);
        },
        &results,
        [](const CrawlJob& job, const std::string& error) {
          return std::optional<PageRecord>(PageWorker::failure_record(job, error));
        });
    // The dispatcher: the only producer of the job queue; workers never block on it.
    while (true) {
      while (true) {
        if (!free_workers.try_acquire_for(std::chrono::milliseconds(250))) {
          if (s.stopping.load()) break;
          continue;
        }
        auto job = s.frontier.next(Clock::now() + std::chrono::milliseconds(250));
        if (!job) {
          free_workers.release();
          break;
        }
        if (!job->abandoned.empty()) {
          free_workers.release();
          if (job->kind == CrawlJob::Kind::kPage) {
            PageRecord record = PageWorker::failure_record(*job, job->abandoned);
            record.error = job->abandoned;
            record.error_kind = "host_unreachable";
            results.push(std::optional<PageRecord>(std::move(record)));
          }
          s.frontier.complete(*job, HostOutcome::kNotContacted);
          continue;
        }
        pool.submit(std::move(*job));
      }
      if (s.stopping.load()) break;
      if (!s.frontier.finished()) continue;
      pool.wait_idle();
      if (s.frontier.finished()) break;
    }
    if (s.stopping.load()) {
      pool.cancel();  // queued jobs were never started; running fetches finish
    } else {
      pool.close();
    }
    pool.join();
  }
  results.close();
  writer_thread.join();
  if (writer_error) std::rethrow_exception(writer_error);

  stats.finished_at = utc_now_rfc3339();
  stats.duration_s = std::chrono::duration<double>(Clock::now() - s.started).count();
  const auto frontier = s.frontier.stats();
  if (s.stopping.load()) {
    stats.stopped_by = "signal";
  } else if (config.scope.max_pages != 0 && frontier.released >= config.scope.max_pages &&
             frontier.queued > 0) {
    stats.stopped_by = "max_pages";
  }
  if (store) store->finish_run(run_id);
  stats.frontier_peak_in_ram = frontier.peak_in_ram;
  stats.frontier_spilled = frontier.spilled_total;
  stats.robots_origins = s.robots.origins();
  stats.sitemaps = s.robots.sitemaps();
  stats.limits = s.limits.counts();
  write_file_atomically(out_dir / "stats.json", stats.to_json());
  return stats;
}

}  // namespace crawler
