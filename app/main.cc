// The `crawler` executable: command line, configuration, then the crawl.
//
// Exit codes (documented in README.md): 0 done, 1 runtime failure (e.g. the output folder
// cannot be written), 2 bad configuration or usage, 3 the state folder is locked by another
// run, 4 the state is unreadable, 130/143 stopped by SIGINT/SIGTERM.
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "crawler/config.h"
#include "crawler/crawl.h"
#include "crawler/fetch/fetcher.h"
#include "crawler/state/state_store.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kExitLocked = 3;
constexpr int kExitStateUnreadable = 4;

struct Overrides {
  std::string config_path;
  std::vector<std::string> seeds;
  std::optional<std::size_t> workers;
  std::optional<std::uint64_t> max_pages;
  std::optional<int> max_depth;
  std::optional<std::string> out_dir;
  std::optional<std::string> log_level;
  bool check = false;
  bool fresh = false;
};

crawler::Config build_config(const Overrides& o) {
  crawler::Config config;
  if (!o.config_path.empty()) {
    config = crawler::load_config(o.config_path);
  } else {
    config = crawler::parse_config("", "(defaults)", ".");
  }
  for (const auto& seed : o.seeds) config.seeds.push_back(crawler::normalize_seed(seed, "--seed"));
  if (o.workers) {
    if (*o.workers < 1 || *o.workers > 4096) {
      throw crawler::ConfigError("--workers: expected an integer from 1 to 4096");
    }
    config.pool.workers = *o.workers;
  }
  if (o.max_pages) config.scope.max_pages = *o.max_pages;
  if (o.max_depth) {
    if (*o.max_depth < -1) throw crawler::ConfigError("--max-depth: expected -1 or more");
    config.scope.max_depth = *o.max_depth;
  }
  if (o.out_dir) {
    if (o.out_dir->empty()) throw crawler::ConfigError("--out: must not be empty");
    config.output.dir = *o.out_dir;
  }
  if (o.log_level) {
    if (!crawler::is_log_level(*o.log_level)) {
      throw crawler::ConfigError("--log-level: expected one of trace|debug|info|warn|error, got '" +
                                 *o.log_level + "'");
    }
    config.log.level = *o.log_level;
  }
  crawler::validate_config(config);
  return config;
}

void setup_logging(const crawler::LogConfig& log) {
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (!log.file.empty()) {
    sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(log.file));
  }
  auto logger = std::make_shared<spdlog::logger>("crawler", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::from_str(log.level));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
}

// Watches for SIGINT/SIGTERM (blocked in every thread, taken here with sigtimedwait) and
// reports progress: a refreshed status line on a terminal, a log line every 10 s otherwise.
class Supervisor {
 public:
  explicit Supervisor(crawler::Crawl& crawl, const sigset_t& signals)
      : crawl_(crawl), signals_(signals), tty_(isatty(STDERR_FILENO) == 1) {
    thread_ = std::thread([this] { loop(); });
  }
  ~Supervisor() {
    done_.store(true);
    // Ends the wait at once rather than at the next tick, which short crawls would wait for on
    // every exit. The loop sees done_ and does not take it for a user's signal. SIGTERM is
    // blocked in every thread: this only ends sigtimedwait.
    pthread_kill(thread_.native_handle(), SIGTERM);  // NOLINT(bugprone-bad-signal-to-kill-thread)
    thread_.join();
    if (tty_) std::fputs("\n", stderr);
  }
  int signal() const { return signal_.load(); }

 private:
  void loop() {
    // A short tick so the supervisor notices the end of the crawl quickly.
    const timespec tick{0, 100'000'000};
    int ticks = 0;
    while (!done_.load()) {
      const int sig = sigtimedwait(&signals_, nullptr, &tick);
      if (done_.load()) break;
      if (sig == SIGINT || sig == SIGTERM) {
        if (signal_.exchange(sig) != 0) {
          // A second signal: leave at once. Flushed records stay whole lines on disk.
          std::_Exit(128 + sig);
        }
        spdlog::warn(
            "received {}, stopping: fetches in flight finish, then the results are "
            "written (signal again to exit at once)",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
        crawl_.stop();
        continue;
      }
      if (++ticks % 10 != 0) continue;
      const int seconds = ticks / 10;
      const auto p = crawl_.progress();
      if (tty_) {
        std::fprintf(
            stderr, "\r%llu pages, %.1f pages/s, %llu queued, %llu in flight, %llu errors ",
            static_cast<unsigned long long>(p.pages),
            p.elapsed_s > 0 ? static_cast<double>(p.pages) / p.elapsed_s : 0.0,
            static_cast<unsigned long long>(p.queued), static_cast<unsigned long long>(p.in_flight),
            static_cast<unsigned long long>(p.errors));
      } else if (seconds % 10 == 0) {
        spdlog::info("progress: {} pages, {:.1f} pages/s, {} queued, {} in flight, {} errors",
                     p.pages, p.elapsed_s > 0 ? static_cast<double>(p.pages) / p.elapsed_s : 0.0,
                     p.queued, p.in_flight, p.errors);
      }
    }
  }

  crawler::Crawl& crawl_;
  sigset_t signals_;
  bool tty_;
  std::atomic<bool> done_{false};
  std::atomic<int> signal_{0};
  std::thread thread_;
};

int run(const crawler::Config& config, bool fresh) {
  try {
    setup_logging(config.log);
  } catch (const spdlog::spdlog_ex& e) {
    std::cerr << "crawler: log.file: cannot open '" << config.log.file << "': " << e.what() << "\n";
    return kExitUsage;
  }
  // Block the stop signals before any thread starts, so every thread inherits the mask and
  // only the supervisor receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    crawler::CurlGlobal curl;
    crawler::Crawl crawl(config, fresh);
    int stopped_by_signal = 0;
    crawler::CrawlStats stats;
    {
      Supervisor supervisor(crawl, signals);
      stats = crawl.run();
      stopped_by_signal = supervisor.signal();
    }
    std::cerr << stats.summary() << "results: "
              << (std::filesystem::path(config.output.dir) / config.output.pages).string()
              << ", summary: " << (std::filesystem::path(config.output.dir) / "stats.json").string()
              << "\n";
    if (stopped_by_signal != 0) return 128 + stopped_by_signal;
    return kExitOk;
  } catch (const crawler::ConfigError& e) {
    std::cerr << "crawler: " << e.what() << "\n";
    return kExitUsage;
  } catch (const crawler::StateLocked& e) {
    std::cerr << "crawler: " << e.what() << "\n";
    return kExitLocked;
  } catch (const crawler::StateUnreadable& e) {
    std::cerr << "crawler: " << e.what() << "\n";
    return kExitStateUnreadable;
  } catch (const std::exception& e) {
    std::cerr << "crawler: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace

int main(int argc, char** argv) {
  // glibc gives each thread that allocates its own arena (up to 8 per core). URLs admitted by
  // one worker and released much later pin pages in every worker's arena, so RSS creeps far
  // above the live heap; two arenas keep it flat at the same speed (README, "Measurements
  // behind design choices").
  // MALLOC_ARENA_MAX, when set, is the user's choice and wins. Built with jemalloc (the
  // default, see CMakeLists.txt), glibc's malloc is not used at all.
#ifndef CRAWLER_JEMALLOC
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
#endif
  CLI::App app{"crawler: a fast, polite, crash-safe web crawler"};
  app.set_version_flag("--version", std::string("crawler ") + CRAWLER_VERSION);
  Overrides o;
  app.add_option("-c,--config", o.config_path, "YAML configuration file")->check(CLI::ExistingFile);
  app.add_option("--seed", o.seeds, "seed URL (repeatable; added to the config's seeds)");
  app.add_option("--workers", o.workers, "number of fetcher workers");
  app.add_option("--max-pages", o.max_pages, "stop after this many pages (0 = no limit)");
  app.add_option("--max-depth", o.max_depth, "link hops from a seed (-1 = no limit)");
  app.add_option("--out", o.out_dir, "output folder");
  app.add_option("--log-level", o.log_level, "trace|debug|info|warn|error");
  app.add_flag("--check", o.check, "validate the config, print the effective settings, exit");
  app.add_flag("--fresh", o.fresh,
               "set the old state aside as <state.dir>.<UTC time> and start over");
  bool resume = false;
  app.add_flag("--resume", resume, "resume from the state folder (the default when it exists)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "crawler: " << e.what() << " (see crawler --help)\n";
    return kExitUsage;
  }

  crawler::Config config;
  try {
    config = build_config(o);
  } catch (const crawler::ConfigError& e) {
    std::cerr << "crawler: " << e.what() << "\n";
    return kExitUsage;
  }
  if (o.check) {
    std::cout << crawler::describe_config(config);
    return kExitOk;
  }
  return run(config, o.fresh);
}
