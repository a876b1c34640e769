// StateLock: at most one crawler process uses a state folder at a time.
//
// The lock is flock(2) on DIR/lock. The kernel releases a flock when the last descriptor of its
// open file description is closed, including when the holder dies (even by SIGKILL), so a lock
// left behind by a crashed crawler never blocks the next one: no stale-lock detection or manual
// clean-up is needed. The PID written into the file is for the error message only; the flock
// alone decides who holds the folder.
//
// Caveats (both fine for the crawler): flock on NFS is emulated with byte-range locks on some
// kernels, and a child created with fork() (without exec) shares the lock until it exits. The
// descriptor is opened O_CLOEXEC, so exec'd children never hold it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>

namespace crawler {

// Every failure of the crash-safe state (lock, database, results file). The message is one line
// naming the file and what to do about it.
class StateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The state folder is locked by another live process (or by another StateLock in this one).
class StateLocked : public StateError {
 public:
  // `pid`: the holder's PID as recorded in the lock file, 0 when unknown (not written yet).
  StateLocked(const std::filesystem::path& dir, std::int64_t pid);
  std::int64_t pid() const { return pid_; }

 private:
  std::int64_t pid_;
};

class StateLock {
 public:
  // Creates `dir` (and its parents) when missing, then takes the lock on dir/"lock" without
  // waiting and records our PID in it (truncate, write, fsync). Throws StateLocked when another
  // process holds it, StateError when the folder or file cannot be created or written.
  static StateLock acquire(const std::filesystem::path& dir);

  StateLock(StateLock&& other) noexcept;
  StateLock& operator=(StateLock&& other) noexcept;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  // Releases the lock. The lock file is left in place on purpose: deleting it would let two
  // processes lock two different files of the same name (one the deleted one).
  ~StateLock();

  const std::filesystem::path& dir() const { return dir_; }
  // Tests only: false only for a moved-from lock.
  bool held() const { return fd_ >= 0; }

 private:
  StateLock(int fd, std::filesystem::path dir) : fd_(fd), dir_(std::move(dir)) {}
  void release() noexcept;

  int fd_ = -1;  // owned descriptor of dir/lock, holding LOCK_EX; -1 once moved from
  std::filesystem::path dir_;
};

}  // namespace crawler
