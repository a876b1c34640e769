#include "crawler/fetch/robots_cache.h"

namespace crawler {

void RobotsCache::put(const std::string& origin, RobotsRules rules, std::string note) {
  auto shared = std::make_shared<const RobotsRules>(std::move(rules));
  pool::MutexLock lock(mutex_);
  entries_[origin] = Entry{std::move(shared), std::move(note)};
}

std::shared_ptr<const RobotsRules> RobotsCache::get(const std::string& origin) const {
  pool::MutexLock lock(mutex_);
  auto it = entries_.find(origin);
  return it == entries_.end() ? nullptr : it->second.rules;
}

std::string RobotsCache::note(const std::string& origin) const {
  pool::MutexLock lock(mutex_);
  auto it = entries_.find(origin);
  return it == entries_.end() ? std::string() : it->second.note;
}

std::uint64_t RobotsCache::origins() const {
  pool::MutexLock lock(mutex_);
  return entries_.size();
}

std::uint64_t RobotsCache::sitemaps() const {
  pool::MutexLock lock(mutex_);
  std::uint64_t total = 0;
  for (const auto& [origin, entry] : entries_) total += entry.rules->sitemaps().size();
  return total;
}

}  // namespace crawler
