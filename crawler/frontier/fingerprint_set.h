// FingerprintSet: the crawl's seen-set, a set of 64-bit URL fingerprints in one flat array.
//
// Open addressing with linear probing over a power-of-two table, grown (doubled) when more than
// 3/4 full. A fingerprint costs 8 bytes times the table's slack (between 1.33 and 2.67, about
// 11-21 bytes a URL), against some 44 bytes per URL for std::unordered_set's separate nodes and
// bucket array, and a lookup touches one cache line instead of chasing a node pointer. The
// value 0 marks an empty slot, so a fingerprint of 0 is kept aside in a flag (url_fingerprint is
// a hash: 0 is as likely as any other value, but must still work).
//
// Not thread-safe: the frontier uses it under its lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace crawler {

class FingerprintSet {
 public:
  // True when `fp` was not in the set (it is now).
  bool insert(std::uint64_t fp) {
    if (fp == 0) {
      const bool added = !has_zero_;
      has_zero_ = true;
      size_ += added ? 1 : 0;
      return added;
    }
    if ((used_ + 1) * 4 > slots_.size() * 3) grow();
    if (!place(slots_, fp)) return false;
    ++used_;
    ++size_;
    return true;
  }
  bool contains(std::uint64_t fp) const {
    if (fp == 0) return has_zero_;
    if (slots_.empty()) return false;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = mix(fp) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == fp) return true;
      if (slots_[i] == 0) return false;
    }
  }
  std::size_t size() const { return size_; }
  std::size_t memory_bytes() const { return slots_.capacity() * sizeof(std::uint64_t); }

 private:
  // Fingerprints are already hashes, but the low bits pick the slot: mixing guards against
  // fingerprints that share them (e.g. from a weaker hash some day).
  static std::size_t mix(std::uint64_t fp) {
    fp ^= fp >> 33;
    fp *= 0xff51afd7ed558ccdULL;
    fp ^= fp >> 33;
    return static_cast<std::size_t>(fp);
  }
  // False when already present.
  static bool place(std::vector<std::uint64_t>& slots, std::uint64_t fp) {
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = mix(fp) & mask;; i = (i + 1) & mask) {
      if (slots[i] == fp) return false;
      if (slots[i] == 0) {
        slots[i] = fp;
        return true;
      }
    }
  }
  void grow() {
    std::vector<std::uint64_t> bigger(slots_.empty() ? 1024 : slots_.size() * 2, 0);
    for (const std::uint64_t fp : slots_) {
      if (fp != 0) place(bigger, fp);
    }
    slots_.swap(bigger);
  }

  std::vector<std::uint64_t> slots_;
  std::size_t used_ = 0;  // non-zero fingerprints in slots_
  std::size_t size_ = 0;  // used_ plus the zero fingerprint when present
  bool has_zero_ = false;
};

}  // namespace crawler
