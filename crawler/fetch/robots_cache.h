// RobotsCache: the parsed robots.txt of every origin seen in a crawl, shared by all workers.
// Written once per origin (and again when re-fetched after its time to live), read for every
// URL; readers get a shared_ptr so an update never invalidates a rule set in use.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "crawler/fetch/robots.h"
#include "pool/mutex.h"

namespace crawler {

class RobotsCache {
 public:
  // `note` says where the rules came from when they are not the file's own ("robots.txt
  // answered 503"), so a blocked record can say why.
  void put(const std::string& origin, RobotsRules rules, std::string note = "");
  // The rules of `origin`, or nullptr when none were stored.
  std::shared_ptr<const RobotsRules> get(const std::string& origin) const;
  std::string note(const std::string& origin) const;

  std::uint64_t origins() const;
  std::uint64_t sitemaps() const;  // Sitemap: lines over every origin's latest robots.txt

 private:
  struct Entry {
    std::shared_ptr<const RobotsRules> rules;
    std::string note;
  };
  mutable pool::Mutex mutex_;
  std::unordered_map<std::string, Entry> entries_ GUARDED_BY(mutex_);
};

}  // namespace crawler
