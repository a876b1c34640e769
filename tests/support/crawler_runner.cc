#include "tests/support/crawler_runner.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace crawler::testing {

TempDir::TempDir() {
  std::random_device random;
  const auto base = std::filesystem::temp_directory_path();
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = base / ("crawler-test-" + std::to_string(random()));
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary folder");
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& path,
                                       std::vector<std::string>* bad_lines) {
  std::vector<nlohmann::json> rows;
  std::ifstream in(path);
  if (!in) {
    // A test reading records of a file that is not there would otherwise check nothing.
    ADD_FAILURE() << path << ": no such results file";
    return rows;
  }
  std::string line;
  while (std::getline(in, line)) {
    auto parsed = nlohmann::json::parse(line, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      if (bad_lines != nullptr) bad_lines->push_back(line);
      continue;
    }
    rows.push_back(std::move(parsed));
  }
  return rows;
}

namespace {

// The high-water mark of `pid`'s resident set in KiB (VmHWM), or 0 once it has exited.
long peak_rss_kb(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

}  // namespace

CrawlerProcess::CrawlerProcess(const TempDir& dir, const std::string& yaml,
                               const std::vector<std::string>& args,
                               const std::vector<std::string>& env)
    : dir_(dir), args_(args) {
  const auto config = dir.path() / "crawl.yaml";
  {
    std::ofstream out(config);
    out << yaml;
  }
  const auto log_path = dir.path() / "crawler.out";
  std::vector<std::string> argv_text = {CRAWLER_BINARY, "--config", config.string()};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  // This process's environment plus `env`, built before the fork.
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) env_text.emplace_back(*e);
  env_text.insert(env_text.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  // Closed by the child's exec (O_CLOEXEC): until then the child is a copy of this process, and
  // its memory figures would be ours.
  int exec_pipe[2];
  if (pipe2(exec_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // Child: only async-signal-safe calls until exec.
    const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || chdir(dir.path().c_str()) != 0) _exit(127);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(exec_pipe[1]);
  char byte = 0;
  while (read(exec_pipe[0], &byte, 1) < 0 && errno == EINTR) {
  }
  close(exec_pipe[0]);
}

CrawlerProcess::~CrawlerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void CrawlerProcess::signal(int sig) const {
  if (pid_ > 0) kill(pid_, sig);
}

CrawlRun CrawlerProcess::wait(std::chrono::seconds timeout) {
  CrawlRun run;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    // VmHWM, not the child's ru_maxrss: that one starts at this (forked) process's own RSS.
    run.peak_rss_kb = std::max(run.peak_rss_kb, peak_rss_kb(pid_));
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      ADD_FAILURE() << "crawler did not finish within " << timeout.count() << " s";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  {
    std::ifstream in(dir_.path() / "crawler.out");
    std::stringstream text;
    text << in.rdbuf();
    run.output = text.str();
  }
  // The crawl writes relative to its working directory: the config's default or --out.
  std::filesystem::path out = dir_.path() / "out";
  for (std::size_t i = 0; i + 1 < args_.size(); ++i) {
    if (args_[i] == "--out") out = dir_.path() / args_[i + 1];
  }
  // A run that crawled (not --check, --help or --version) must have written its results file.
  const bool crawled = (run.exit_code == 0 || run.exit_code == 130 || run.exit_code == 143) &&
                       std::none_of(args_.begin(), args_.end(), [](const std::string& arg) {
                         return arg == "--check" || arg == "--help" || arg == "--version";
                       });
  if (std::filesystem::exists(out / "pages.jsonl")) {
    run.records = read_jsonl(out / "pages.jsonl", &run.bad_lines);
  } else if (crawled) {
    ADD_FAILURE() << "the crawler exited " << run.exit_code << " without " << out / "pages.jsonl"
                  << "\n"
                  << run.output;
  }
  std::ifstream stats(out / "stats.json");
  if (stats) run.stats = nlohmann::json::parse(stats, nullptr, false);
  return run;
}

bool wait_for(const std::function<bool()>& condition, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

CrawlRun run_crawler(const TempDir& dir, const std::string& yaml,
                     const std::vector<std::string>& args, std::chrono::seconds timeout) {
  CrawlerProcess process(dir, yaml, args);
  return process.wait(timeout);
}

}  // namespace crawler::testing
