// Runs the real `crawler` executable (CRAWLER_BINARY) in a fresh temporary folder and reads
// what it wrote, for integration tests.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace crawler::testing {

// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct CrawlRun {
  int exit_code = -1;  // the process's exit status; 128+N when killed by N
  std::string output;  // stdout and stderr, interleaved
  // pages.jsonl, one object per line. A crawl that exits 0, 130 or 143 without the file fails
  // the test.
  std::vector<nlohmann::json> records;
  std::vector<std::string> bad_lines;  // lines of pages.jsonl that are not a JSON object
  nlohmann::json stats;                // stats.json, or null when absent
  // The process's peak resident set (VmHWM) in KiB, as last seen while it ran (sampled every
  // 10 ms; a high-water mark, so only a peak in its last moments can be missed).
  long peak_rss_kb = 0;
};

// A crawler process started in the background, for tests that signal it mid-crawl.
class CrawlerProcess {
 public:
  // Writes `yaml` to DIR/crawl.yaml and starts `crawler --config DIR/crawl.yaml ARGS...` with
  // DIR as its working directory and `env` ("NAME=value") added to its environment.
  CrawlerProcess(const TempDir& dir, const std::string& yaml,
                 const std::vector<std::string>& args = {},
                 const std::vector<std::string>& env = {});
  ~CrawlerProcess();  // kills the process if still running
  CrawlerProcess(const CrawlerProcess&) = delete;
  CrawlerProcess& operator=(const CrawlerProcess&) = delete;

  int pid() const { return pid_; }
  void signal(int sig) const;
  // Waits for the exit (killing it after `timeout`, which fails the test) and reads the output.
  CrawlRun wait(std::chrono::seconds timeout = std::chrono::seconds(120));

 private:
  const TempDir& dir_;
  std::vector<std::string> args_;
  int pid_ = -1;
};

// Writes `yaml` to DIR/crawl.yaml and runs `crawler --config DIR/crawl.yaml ARGS...` with DIR
// as its working directory, so a relative output.dir lands inside DIR. The process is killed
// (and the test fails) after `timeout`.
CrawlRun run_crawler(const TempDir& dir, const std::string& yaml,
                     const std::vector<std::string>& args = {},
                     std::chrono::seconds timeout = std::chrono::seconds(120));

// Polls `condition` every 10 ms; false when it is still false after `timeout`, so a test that
// waits for a crawl to reach some point fails instead of hanging when the crawl never does.
bool wait_for(const std::function<bool()>& condition,
              std::chrono::seconds timeout = std::chrono::seconds(30));

// Reads a JSON Lines file; unparsable lines go to `bad_lines`. A missing file fails the test.
std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& path,
                                       std::vector<std::string>* bad_lines = nullptr);

}  // namespace crawler::testing
