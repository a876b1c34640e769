// ResultsWriter: one output format of the crawl's records (JSON Lines now, WARC next). The
// results sink (results_sink.h) writes every record to each of its writers and commits them
// together, so a new format is one more writer in that list.
//
// Contract: called from one thread (the writer thread). Files only ever grow by whole records:
// after sync() returns, every record written before it is on disk, and length() is the size
// the file has then, which the crawl state records as committed. A crash can leave bytes past
// a committed length, never a torn record before it; a resume cuts the file back to it.
// Failures throw std::runtime_error naming the file and the cause.
#pragma once

#include <cstdint>
#include <filesystem>

#include "crawler/output/page_record.h"

namespace crawler {

class ResultsWriter {
 public:
  virtual ~ResultsWriter() = default;
  virtual void write(const PageRecord& record) = 0;
  // Everything written so far reaches the operating system (a reader sees it), not the disk.
  virtual void flush() = 0;
  // flush(), then the data is on disk (fdatasync).
  virtual void sync() = 0;
  // Bytes in the file once everything written so far is flushed.
  virtual std::uint64_t length() const = 0;
  virtual const std::filesystem::path& path() const = 0;
  // Everything written so far is committed (or, without a state, flushed): nothing of it can be
  // cut back any more. The place to close a full file and start the next.
  virtual void on_commit() {}
};

}  // namespace crawler
