#include "crawler/crawl.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crawler/dispatcher.h"
#include "crawler/fetch/fetcher.h"
#include "crawler/fetch/robots_cache.h"
#include "crawler/frontier/admission.h"
#include "crawler/frontier/memory_frontier.h"
#include "crawler/frontier/scope.h"
#include "crawler/output/cdxj_index.h"
#include "crawler/output/jsonl_writer.h"
#include "crawler/output/results_sink.h"
#include "crawler/output/run_files.h"
#include "crawler/output/warc_writer.h"
#include "crawler/page_worker.h"
#include "crawler/state/crawl_state.h"
#include "crawler/url/url.h"

namespace crawler {
namespace {

// Records waiting for the writer thread. With WARC output each holds its pages' raw bytes
// (captures), so fewer wait: 128 keep the writer busy and cost about 6 MB on 22 KB pages, where
// 1,024 raised the peak RSS of a 20,000-page crawl from 35 to 86 MB.
std::size_t sink_capacity(const Config& config) {
  constexpr std::size_t kWarcRecords = 128;
  return config.output.warc.enabled ? std::min(config.pool.queue_capacity, kWarcRecords)
                                    : config.pool.queue_capacity;
}

FrontierOptions frontier_options(const Config& config) {
  FrontierOptions options;
  options.per_host = config.politeness.per_host;
  options.delay = config.politeness.delay;
  options.max_pages = config.scope.max_pages;
  options.depth_levels = config.scope.max_depth >= 0;
  options.robots = config.politeness.robots;
  options.robots_ttl = config.politeness.robots_ttl;
  options.track_admitted = !config.state.dir.empty();
  options.memory_limit = config.state.frontier_memory;
  options.max_pages_per_host = config.scope.max_pages_per_host;
  options.first_pause = std::max(config.politeness.backoff, std::chrono::milliseconds(100));
  options.max_pause = std::max(config.politeness.max_delay, options.first_pause);
  return options;
}

// Test builds only (CRAWLER_TEST_HOOKS, every build type but Release): with the environment
// variable CRAWLER_TEST_CRASH_AT=<step>:<n> (step: written, synced or committed), every commit
// step is logged to stderr as "test-hook: <step> <n> length=<bytes> syncs=<fdatasync calls>"
// and the process kills itself with SIGKILL at the n-th <step>, so the crash tests choose
// exactly where a run dies instead of hoping a timed kill lands there.
void install_crash_hook(ResultsSink& sink, const JsonlWriter& results) {
#ifdef CRAWLER_TEST_HOOKS
  const char* at = std::getenv("CRAWLER_TEST_CRASH_AT");
  if (at == nullptr) return;
  const std::string spec(at);
  const auto colon = spec.find(':');
  const std::string kill_step = spec.substr(0, colon);
  const long kill_at = colon == std::string::npos ? 1 : std::atol(spec.c_str() + colon + 1);
  if ((kill_step != "written" && kill_step != "synced" && kill_step != "committed") ||
      kill_at < 1) {
    // A test that asked for a crash it never gets would pass for the wrong reason.
    std::fprintf(stderr, "CRAWLER_TEST_CRASH_AT=%s: expected <written|synced|committed>:<n >= 1>\n",
                 at);
    std::exit(2);
  }
  sink.set_step_hook_for_testing(
      [&results, kill_step, kill_at,
       counts = std::map<std::string, long>()](ResultsSink::Step step) mutable {
        const char* name = step == ResultsSink::Step::kWritten  ? "written"
                           : step == ResultsSink::Step::kSynced ? "synced"
                                                                : "committed";
        const long n = ++counts[name];
        std::fprintf(stderr, "test-hook: %s %ld length=%llu syncs=%llu\n", name, n,
                     static_cast<unsigned long long>(results.length()),
                     static_cast<unsigned long long>(results.syncs()));
        std::fflush(stderr);
        if (name == kill_step && n == kill_at) std::raise(SIGKILL);
      });
#else
  (void)sink;
  (void)results;
#endif
}

}  // namespace

struct Crawl::State {
  Config config;
  CrawlLimits limits;
  Scope scope;
  MemoryFrontier frontier;
  Admission admission;
  RobotsCache robots;
  bool fresh = false;
  std::atomic<bool> stopping{false};
  std::atomic<std::int64_t> abort_at{0};  // end of a stop's grace period (steady ms), 0 = none
  std::atomic<std::uint64_t> pages{0};
  std::atomic<std::uint64_t> errors{0};
  Clock::time_point started = Clock::now();

  explicit State(Config c)
      : config(std::move(c)),
        scope(config.scope, config.seeds, &limits),
        frontier(frontier_options(config)),
        admission(scope, limits, frontier) {}

  // Called on the writer thread for every record written.
  void observe(const PageRecord& record, CrawlStats& stats) {
    stats.add(record);
    count_cuts(record);
    pages.fetch_add(1);
    if (record.error) errors.fetch_add(1);
    spdlog::debug("{} {} {}", record.status, record.url, record.error.value_or(""));
  }

  // The limits a page's processing cut, for stats.json's "limits".
  void count_cuts(const PageRecord& record) {
    const bool too_large = record.error_kind == ErrorKind::kTooLarge;
    if (!record.links_truncated && !record.text_truncated && !too_large) return;
    const auto parts = split_url_view(record.final_url);
    const std::string host = parts ? std::string(parts->host) : std::string();
    if (record.links_truncated) limits.cut(Limit::kMaxLinksPerPage, host, record.final_url);
    if (too_large) limits.cut(Limit::kMaxBody, host, record.final_url);
    if (record.text_truncated) limits.cut(Limit::kMaxTextInput, host, record.final_url);
  }

  void admit_seeds() {
    for (const auto& seed : config.seeds) {
      if (admission.admit_seed(seed) != ScopeVerdict::kInScope) {
        spdlog::warn("seed {} is outside scope.domains/include/exclude; skipped", seed);
      }
    }
  }

  void finish_stats(CrawlStats& stats) const {
    stats.finished_at = utc_now_rfc3339();
    stats.duration_s = std::chrono::duration<double>(Clock::now() - started).count();
    const auto counts = frontier.stats();
    if (stopping.load()) {
      stats.stopped_by = "signal";
    } else if (config.scope.max_pages != 0 && counts.released >= config.scope.max_pages &&
               counts.queued > 0) {
      stats.stopped_by = "max_pages";
    }
    stats.frontier_peak_in_ram = counts.peak_in_ram;
    stats.frontier_spilled = counts.spilled_total;
    stats.robots_origins = robots.origins();
    stats.sitemaps = robots.sitemaps();
    stats.limits = limits.counts();
  }
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
  if (auto warning = user_agent_warning(config)) spdlog::warn("{}", *warning);

  // Restore what earlier runs left (the state folder), then admit the seeds.
  const std::filesystem::path out_dir(config.output.dir);
  std::optional<CrawlState> state;
  if (!config.state.dir.empty()) state.emplace(config.state.dir, s.fresh);
  if (state && config.output.warc.cdx) {
    // A killed run's WARC file, closed by the repair: its index died with the run.
    for (const auto& file : state->repaired_files()) {
      if (file.string().ends_with(".warc.gz")) write_cdxj(file, index_warc_file(file));
    }
  }
  const std::filesystem::path run_file = out_dir / start_results_file(out_dir, config.output.pages);
  if (state) {
    state->begin_run(run_file);
    const auto restored = state->restore(s.frontier, config.state.recrawl_after);
    if (restored.resumed + restored.recrawl > 0) {
      spdlog::info("state: resuming {} queued URLs, re-crawling {} older than {}", restored.resumed,
                   restored.recrawl, format_duration(config.state.recrawl_after));
    }
  }
  s.admit_seeds();
  // Nothing queued although the state knows URLs: all are younger than recrawl_after. (With
  // nothing known, the seeds were out of scope, which admit_seeds() has said already.)
  if (const auto known = s.frontier.stats(); state && known.queued == 0 && known.seen > 0) {
    spdlog::info("{}", state->nothing_to_fetch(known.seen, config.state.recrawl_after));
  }

  // The results sink: its writer thread writes and commits every record the workers finish.
  std::vector<std::unique_ptr<ResultsWriter>> writers;
  auto jsonl = std::make_unique<JsonlWriter>(run_file, config.output.links);
  const JsonlWriter& results = *jsonl;
  writers.push_back(std::move(jsonl));
  if (config.output.warc.enabled) {
    const WarcConfig& warc = config.output.warc;
    writers.push_back(std::make_unique<WarcWriter>(
        WarcOptions{.dir = out_dir,
                    .prefix = warc.prefix,
                    .max_size = warc.max_size,
                    .operator_name = warc.operator_name,
                    .software = std::string("crawler/") + CRAWLER_VERSION,
                    .user_agent = config.fetch.user_agent,
                    .robots = config.politeness.robots,
                    .hostname = "",
                    .cdx = warc.cdx,
                    .on_open = [&state](const std::filesystem::path& file) {
                      if (state) state->add_file(file);
                    }}));
  }
  ResultsSink sink(
      SinkOptions{.queue_capacity = sink_capacity(config)}, std::move(writers),
      state ? &*state : nullptr, [&](const PageRecord& record) { s.observe(record, stats); },
      [this] { stop(); });
  install_crash_hook(sink, results);
  sink.start();

  // The dispatcher feeds the workers until the frontier is finished or the crawl is stopped.
  CurlShare share;
  std::vector<std::unique_ptr<PageWorker>> workers;
  workers.reserve(config.pool.workers);
  for (std::size_t i = 0; i < config.pool.workers; ++i) {
    workers.push_back(std::make_unique<PageWorker>(config, s.admission, s.frontier, s.robots,
                                                   &share, &s.abort_at));
  }
  Dispatcher(s.frontier, workers, sink.queue(), config.pool.queue_capacity).run(s.stopping);
  sink.finish();

  s.finish_stats(stats);
  if (state) state->finish_run();
  write_file_atomically(out_dir / "stats.json", stats.to_json());
  return stats;
}

}  // namespace crawler
