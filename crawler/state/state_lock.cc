#include "crawler/state/state_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>
#include <system_error>
#include <utility>

#include "crawler/util/unique_fd.h"

namespace crawler {
namespace {

[[noreturn]] void fail(const std::filesystem::path& file, std::string_view action, int error) {
  throw StateError(file.string() + ": cannot " + std::string(action) + ": " + std::strerror(error) +
                   "; check that the state folder is writable");
}

// The PID recorded by the holder, 0 when the file is empty (the holder has not written it yet)
// or unparsable.
std::int64_t read_pid(int fd) {
  char buffer[32] = {};
  const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return 0;
  std::int64_t pid = 0;
  const auto [end, ec] = std::from_chars(buffer, buffer + n, pid);
  if (ec != std::errc() || end == buffer || pid <= 0) return 0;
  return pid;
}

void write_pid(int fd, const std::filesystem::path& file) {
  const std::string text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0) fail(file, "truncate the lock file", errno);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n =
        ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(file, "write the lock file", n < 0 ? errno : EIO);
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail(file, "sync the lock file", errno);
}

}  // namespace

StateLocked::StateLocked(const std::filesystem::path& dir, std::int64_t pid)
    : StateError(pid > 0 ? "state folder " + dir.string() + " is in use by PID " +
                               std::to_string(pid) + "; wait for it to finish or stop it"
                         : "state folder " + dir.string() +
                               " is in use by another process (PID not recorded yet); wait "
                               "for it to finish or stop it"),
      pid_(pid) {}

StateLock StateLock::acquire(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) fail(dir, "create the state folder", ec.value());
  const std::filesystem::path file = dir / "lock";
  UniqueFd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0) fail(file, "open the lock file", errno);
  int rc;
  do {
    rc = ::flock(fd.get(), LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    if (errno == EWOULDBLOCK) throw StateLocked(dir, read_pid(fd.get()));
    fail(file, "lock the lock file", errno);
  }
  write_pid(fd.get(), file);
  return StateLock(fd.release(), dir);
}

StateLock::StateLock(StateLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), dir_(std::move(other.dir_)) {}

StateLock& StateLock::operator=(StateLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    dir_ = std::move(other.dir_);
  }
  return *this;
}

StateLock::~StateLock() { release(); }

void StateLock::release() noexcept {
  if (fd_ < 0) return;
  // Unlock explicitly: a fork()ed child may still share the open file description, and closing
  // only our descriptor would leave the lock held by it.
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace crawler
