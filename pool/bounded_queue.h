// BoundedQueue<T>: a multi-producer, multi-consumer FIFO with a fixed capacity.
//
// Contract:
// - push() blocks while the queue is full. That is the backpressure which keeps memory bounded:
//   a producer that outruns the consumers waits instead of growing the queue.
// - try_push() never blocks; push_for() blocks at most for a timeout. Both leave the item
//   untouched (not moved from) when they return false.
// - pop() blocks until an item is available, or returns std::nullopt once the queue is closed
//   AND empty: items pushed before close() are still delivered (drain semantics).
// - close() is idempotent and wakes every waiter; pushes after close() fail.
// - clear() drops every pending item and returns how many were dropped (used by cancel()).
// All waiting is on condition variables: no thread ever spins.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <stdexcept>
#include <utility>

#include "pool/mutex.h"

namespace pool {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity) {
    if (capacity == 0) throw std::invalid_argument("BoundedQueue capacity must be at least 1");
  }
  BoundedQueue(const BoundedQueue&) = delete;
  BoundedQueue& operator=(const BoundedQueue&) = delete;

  // Blocks while full. Returns false (item untouched) if the queue is or becomes closed.
  bool push(T&& item) {
    bool pushed = false;
    {
      MutexLock lock(mutex_);
      while (!closed_ && items_.size() >= capacity_) not_full_.wait(mutex_);
      pushed = push_held(std::move(item));
    }
    return notify_pushed(pushed);
  }
  bool push(const T& item) {
    T copy(item);
    return push(std::move(copy));
  }

  // Never blocks. Returns false (item untouched) when full or closed.
  bool try_push(T&& item) {
    bool pushed = false;
    {
      MutexLock lock(mutex_);
      pushed = items_.size() < capacity_ && push_held(std::move(item));
    }
    return notify_pushed(pushed);
  }

  // Blocks at most `timeout` while full. Returns false (item untouched) on timeout or close.
  template <typename Rep, typename Period>
  bool push_for(T&& item, std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool pushed = false;
    {
      MutexLock lock(mutex_);
      while (!closed_ && items_.size() >= capacity_) {
        if (!not_full_.wait_until(mutex_, deadline)) break;
      }
      pushed = items_.size() < capacity_ && push_held(std::move(item));
    }
    return notify_pushed(pushed);
  }

  // Blocks until an item arrives; std::nullopt once closed and drained.
  std::optional<T> pop() {
    std::optional<T> item;
    {
      MutexLock lock(mutex_);
      while (!closed_ && items_.empty()) not_empty_.wait(mutex_);
      item = pop_held();
    }
    return notify_popped(std::move(item));
  }

  // Never blocks; std::nullopt when empty.
  std::optional<T> try_pop() {
    std::optional<T> item;
    {
      MutexLock lock(mutex_);
      item = pop_held();
    }
    return notify_popped(std::move(item));
  }

  // Blocks at most `timeout`; std::nullopt on timeout or when closed and drained.
  template <typename Rep, typename Period>
  std::optional<T> pop_for(std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::optional<T> item;
    {
      MutexLock lock(mutex_);
      while (!closed_ && items_.empty()) {
        if (!not_empty_.wait_until(mutex_, deadline)) break;
      }
      item = pop_held();
    }
    return notify_popped(std::move(item));
  }

  void close() {
    {
      MutexLock lock(mutex_);
      closed_ = true;
    }
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  std::size_t clear() {
    std::size_t dropped = 0;
    {
      MutexLock lock(mutex_);
      dropped = items_.size();
      items_.clear();
    }
    not_full_.notify_all();
    return dropped;
  }

  bool closed() const {
    MutexLock lock(mutex_);
    return closed_;
  }
  std::size_t size() const {
    MutexLock lock(mutex_);
    return items_.size();
  }
  std::size_t capacity() const { return capacity_; }

 private:
  bool push_held(T&& item) REQUIRES(mutex_) {
    if (closed_) return false;
    items_.push_back(std::move(item));
    return true;
  }
  std::optional<T> pop_held() REQUIRES(mutex_) {
    if (items_.empty()) return std::nullopt;
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    return item;
  }
  // Waiters are woken after the lock is released, so they do not wake into a held lock.
  bool notify_pushed(bool pushed) {
    if (pushed) not_empty_.notify_one();
    return pushed;
  }
  std::optional<T> notify_popped(std::optional<T> item) {
    if (item) not_full_.notify_one();
    return item;
  }

  const std::size_t capacity_;
  mutable Mutex mutex_;
  CondVar not_full_;
  CondVar not_empty_;
  std::deque<T> items_ GUARDED_BY(mutex_);
  bool closed_ GUARDED_BY(mutex_) = false;
};

}  // namespace pool
