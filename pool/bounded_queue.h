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
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

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
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    return push_locked(lock, std::move(item));
  }
  bool push(const T& item) {
    T copy(item);
    return push(std::move(copy));
  }

  // Never blocks. Returns false (item untouched) when full or closed.
  bool try_push(T&& item) {
    std::unique_lock lock(mutex_);
    if (items_.size() >= capacity_) return false;
    return push_locked(lock, std::move(item));
  }

  // Blocks at most `timeout` while full. Returns false (item untouched) on timeout or close.
  template <typename Rep, typename Period>
  bool push_for(T&& item, std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock lock(mutex_);
    if (!not_full_.wait_for(lock, timeout, [&] { return closed_ || items_.size() < capacity_; })) {
      return false;
    }
    return push_locked(lock, std::move(item));
  }

  // Blocks until an item arrives; std::nullopt once closed and drained.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    return pop_locked(lock);
  }

  // Never blocks; std::nullopt when empty.
  std::optional<T> try_pop() {
    std::unique_lock lock(mutex_);
    return pop_locked(lock);
  }

  // Blocks at most `timeout`; std::nullopt on timeout or when closed and drained.
  template <typename Rep, typename Period>
  std::optional<T> pop_for(std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock lock(mutex_);
    not_empty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); });
    return pop_locked(lock);
  }

  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  std::size_t clear() {
    std::size_t dropped = 0;
    {
      std::lock_guard lock(mutex_);
      dropped = items_.size();
      items_.clear();
    }
    not_full_.notify_all();
    return dropped;
  }

  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  std::size_t capacity() const { return capacity_; }

 private:
  bool push_locked(std::unique_lock<std::mutex>& lock, T&& item) {
    if (closed_) return false;
    items_.push_back(std::move(item));
    lock.unlock();
    not_empty_.notify_one();
    return true;
  }

  std::optional<T> pop_locked(std::unique_lock<std::mutex>& lock) {
    if (items_.empty()) return std::nullopt;
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    lock.unlock();
    not_full_.notify_one();
    return item;
  }

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace pool
