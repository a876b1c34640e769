#include "crawler/state/state_lock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/crawler_runner.h"

namespace crawler {
namespace {

using ::crawler::testing::TempDir;
using ::testing::HasSubstr;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A forked child that holds the lock of `dir` until killed. The destructor kills and reaps it,
// so a failed assertion never leaves it behind.
class LockHolder {
 public:
  explicit LockHolder(const std::filesystem::path& dir) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      // The child: no gtest here, only _exit, so nothing of the parent's state is run twice.
      ::close(fds[0]);
      char report = 'e';
      try {
        StateLock lock = StateLock::acquire(dir);
        report = 'k';
        (void)!::write(fds[1], &report, 1);
        for (;;) ::pause();
      } catch (...) {
        (void)!::write(fds[1], &report, 1);
      }
      ::_exit(1);
    }
    ::close(fds[1]);
    char report = 0;
    if (pid_ > 0 && ::read(fds[0], &report, 1) == 1 && report == 'k') locked_ = true;
    ::close(fds[0]);
  }
  ~LockHolder() { kill(); }
  LockHolder(const LockHolder&) = delete;
  LockHolder& operator=(const LockHolder&) = delete;

  pid_t pid() const { return pid_; }
  bool locked() const { return locked_; }
  // SIGKILL: no destructor runs in the child, the kernel alone releases the lock.
  bool kill() {
    if (pid_ <= 0) return false;
    ::kill(pid_, SIGKILL);
    int status = 0;
    const bool reaped = ::waitpid(pid_, &status, 0) == pid_;
    pid_ = -1;
    return reaped && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }

 private:
  pid_t pid_ = -1;
  bool locked_ = false;
};

TEST(StateLock, CreatesTheFolderAndRecordsOurPid) {
  TempDir tmp;
  const auto dir = tmp.path() / "a" / "state";
  StateLock lock = StateLock::acquire(dir);
  EXPECT_TRUE(lock.held());
  EXPECT_EQ(lock.dir(), dir);
  EXPECT_TRUE(std::filesystem::is_directory(dir));
  EXPECT_EQ(read_file(dir / "lock"), std::to_string(::getpid()) + "\n");
}

TEST(StateLock, SecondAcquireThrowsStateLockedNamingThePid) {
  TempDir tmp;
  StateLock lock = StateLock::acquire(tmp.path());
  try {
    StateLock::acquire(tmp.path());
    FAIL() << "a held lock was acquired twice";
  } catch (const StateLocked& e) {
    EXPECT_EQ(e.pid(), ::getpid());
    EXPECT_THAT(e.what(),
                HasSubstr("state folder " + tmp.path().string() + " is in use by PID " +
                          std::to_string(::getpid()) + "; wait for it to finish or stop it"));
  }
}

TEST(StateLock, ReleasedOnDestructionAndFollowsMoves) {
  TempDir tmp;
  {
    StateLock first = StateLock::acquire(tmp.path());
    StateLock moved = std::move(first);
    EXPECT_FALSE(first.held());  // NOLINT(bugprone-use-after-move): checking the moved-from
    EXPECT_TRUE(moved.held());
    EXPECT_THROW(StateLock::acquire(tmp.path()), StateLocked) << "the move kept the lock";

    TempDir other;
    StateLock assigned = StateLock::acquire(other.path());
    assigned = std::move(moved);  // releases other's lock, takes over tmp's
    EXPECT_EQ(assigned.dir(), tmp.path());
    EXPECT_THROW(StateLock::acquire(tmp.path()), StateLocked);
    EXPECT_NO_THROW(StateLock::acquire(other.path())) << "assignment released the old lock";
  }
  EXPECT_NO_THROW(StateLock::acquire(tmp.path())) << "destruction released the lock";
}

TEST(StateLock, StalePidFileDoesNotBlock) {
  TempDir tmp;
  { std::ofstream(tmp.path() / "lock") << "999999999\n"; }
  StateLock lock = StateLock::acquire(tmp.path());
  EXPECT_EQ(read_file(tmp.path() / "lock"), std::to_string(::getpid()) + "\n");
}

TEST(StateLock, HeldByAnotherProcessUntilItIsKilled) {
  TempDir tmp;
  const auto dir = tmp.path() / "state";
  LockHolder child(dir);
  ASSERT_TRUE(child.locked()) << "the child could not take the lock";
  try {
    StateLock::acquire(dir);
    FAIL() << "the lock held by the child was acquired";
  } catch (const StateLocked& e) {
    EXPECT_EQ(e.pid(), child.pid());
    EXPECT_THAT(e.what(), HasSubstr("in use by PID " + std::to_string(child.pid()) + ";"));
  }
  ASSERT_TRUE(child.kill());
  StateLock lock = StateLock::acquire(dir);
  EXPECT_TRUE(lock.held());
  EXPECT_EQ(read_file(dir / "lock"), std::to_string(::getpid()) + "\n");
}

}  // namespace
}  // namespace crawler
