// WarcWriter: the crawl's HTTP exchanges as WARC 1.1 files (ISO 28500:2017), the archival
// output next to pages.jsonl.
//
// Files are named as the standard's Annex C suggests, PREFIX-<UTC time with ms>-<serial>-
// <hostname>.warc.gz, and are written as NAME.open until closed: a reader never mistakes a file
// being written for a finished one. Each file starts with a warcinfo record whose ID every
// later record of the file names in WARC-Warcinfo-ID. Every record is its own gzip member
// (Annex D), so a reader can seek to any record and a file cut at a record boundary still
// reads to its end.
//
// For each PageRecord with captures (every redirect hop, then the final response): a request
// and a response record, each pointing at the other with WARC-Concurrent-To; a 304 answer to a
// re-crawl's conditional request is a revisit record (profile server-not-modified), and so is a
// response whose payload digest equals the archived copy's (identical-payload-digest), both
// referring to that copy (PageRecord::archived_*); and a
// metadata record for the page (via, hopsFromSeed, fetchTimeMs, outlinks). A record without
// captures (no response arrived, or robots.txt blocked it) writes nothing.
//
// A new file is started at a commit (on_commit) once the current one holds max_size bytes or
// more, so a file is closed only when all of it is committed, and exceeds max_size by at most one
// commit's records. Crash safety: the files join the results sink's commit protocol like the
// JSONL; after a kill, the next run cuts the open file back to its committed length and closes
// it (CrawlState).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "crawler/output/cdxj_index.h"
#include "crawler/output/results_writer.h"
#include "crawler/output/warc_record.h"
#include "crawler/util/unique_fd.h"

namespace crawler {

struct WarcOptions {
  std::filesystem::path dir;  // output.dir
  std::string prefix = "crawl";
  std::uint64_t max_size = std::uint64_t{1} << 30;
  std::string operator_name;  // warcinfo "operator": who ran the crawl ("" = not written)
  std::string software;       // "crawler/<version>"
  std::string user_agent;     // the User-Agent sent
  bool robots = true;         // robots.txt obeyed
  std::string hostname;       // this machine, for the file names and warcinfo ("" = looked up)
  bool cdx = true;            // a sorted CDXJ index beside each closed file (cdxj_index.h)
  // Called with each new file's path before anything is written to it: the crawl state records
  // it, so that a resume after a kill finds it (CrawlState::add_file).
  std::function<void(const std::filesystem::path&)> on_open;
};

class WarcWriter final : public ResultsWriter {
 public:
  // Files are opened by the first write() after the start or a close: a crawl without responses
  // writes none. write() throws std::runtime_error naming the file when it cannot create it.
  explicit WarcWriter(WarcOptions options);
  // Closes the open file (its final name), unless close() failed before.
  ~WarcWriter() override;
  WarcWriter(const WarcWriter&) = delete;
  WarcWriter& operator=(const WarcWriter&) = delete;

  void write(const PageRecord& record) override;
  void flush() override;
  void sync() override;
  // Of the open file (0 when none is).
  std::uint64_t length() const override { return length_; }
  // The open file (NAME.warc.gz.open); empty when none is.
  const std::filesystem::path& path() const override { return open_path_; }
  // Closes the file once it holds max_size bytes, and opens the next.
  void on_commit() override;

  // Syncs the open file and gives it its final name. Nothing may be written after it.
  void close();
  // Files given their final name so far, oldest first.
  const std::vector<std::filesystem::path>& closed_files() const { return closed_; }

 private:
  struct Compressor;
  void open_next();
  void close_current();
  // Appends the record as one gzip member; returns the member's offset in the file.
  std::uint64_t append(const WarcRecord& record);

  WarcOptions options_;
  std::unique_ptr<Compressor> compressor_;
  std::mt19937_64 random_;
  int serial_ = 0;
  UniqueFd fd_{-1};
  std::filesystem::path open_path_;
  std::filesystem::path final_path_;
  std::string warcinfo_id_;
  std::string pending_;  // compressed members not yet written to the file
  std::uint64_t length_ = 0;
  std::vector<std::filesystem::path> closed_;
  bool closed_for_good_ = false;  // close() was called
  std::vector<CdxjEntry> index_;  // of the open file's responses and revisits (with cdx)
};

}  // namespace crawler
