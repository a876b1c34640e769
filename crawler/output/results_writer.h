// ResultsWriter: where finished records go. The crawl talks to this interface only, so other
// formats (WARC, a database) can be added without touching the crawl.
//
// Contract: called from one thread (the writer thread). After flush() returns, every record
// written before it is in the file as whole lines; a crash can lose at most unflushed records,
// never leave a torn line behind once the next flush has completed.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "crawler/output/page_record.h"

namespace crawler {

class ResultsWriter {
 public:
  virtual ~ResultsWriter() = default;
  virtual void write(const PageRecord& record) = 0;
  virtual void flush() = 0;
};

// JSON Lines: one record per line, appended to `path`, buffered and flushed in batches.
class JsonlWriter final : public ResultsWriter {
 public:
  // Throws std::runtime_error naming the path when the file cannot be opened.
  JsonlWriter(const std::filesystem::path& path, bool include_links);
  ~JsonlWriter() override;
  void write(const PageRecord& record) override;
  void flush() override;
  // Flushes, then fdatasync()s: the lines are on disk, not just in the page cache.
  void sync();
  // Bytes in the file once everything written so far is flushed.
  std::uint64_t length() const { return length_; }

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::filesystem::path path_;
  bool include_links_;
  std::unique_ptr<std::FILE, FileCloser> file_;
  std::string buffer_;
  std::uint64_t length_ = 0;
};

}  // namespace crawler
