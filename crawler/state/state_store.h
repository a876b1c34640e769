// StateStore: the crawl's crash-safe memory, one SQLite database DIR/state.db.
//
// What it records: every URL the crawl knows (queued, done or failed, with what re-crawling
// needs: ETag, Last-Modified, content digest, fetch time), the runs with how many bytes of their
// results file are committed, and a FIFO where the frontier parks URLs that do not fit in RAM.
//
// Durability contract. The database runs in WAL mode with synchronous=NORMAL: a transaction is
// in the WAL (in the OS page cache) when commit() returns, so it survives any crash of the
// process (SIGKILL, abort, OOM kill). The WAL is fsynced only at checkpoints, so a power loss or
// kernel crash may roll back the last few transactions, but never corrupts the database and
// never splits a transaction. FULL would fsync on every commit for protection the crawler does
// not need (it re-fetches what was rolled back).
//
// How the results file and the state stay consistent (the writer thread's loop):
//   1. append result lines to the results file, flush them (and fdatasync, see below);
//   2. commit() ONE Batch: the URLs those lines finished, the URLs they discovered, and the
//      file's new total length as committed_length.
// A crash between 1 and 2 leaves lines past committed_length whose URLs are not marked done: on
// resume truncate_results_file() cuts them off (the last may be torn) and the URLs are fetched
// again, so no record is lost or duplicated. The fdatasync in step 1 is what keeps this true
// across a power loss too: without it the database (which may then keep the commit) could say
// more bytes are committed than the file holds, and the resume stops with StateUnreadable.
//
// Threads: not thread-safe. One thread at a time (the writer thread) uses a store; handing it
// to another thread needs the usual happens-before (e.g. starting that thread). The database
// itself is protected against other processes by the StateLock of its folder, which the caller
// must hold while a store is open.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crawler/state/state_lock.h"  // StateError

namespace crawler {

// The state database cannot be used as is: not a crawler state database, corrupt, written by
// another schema version, or a results file that does not match it. The message says to move it
// aside or run with --fresh.
class StateUnreadable : public StateError {
 public:
  using StateError::StateError;
};

// Where a URL stands; the values are what the urls table's status column holds.
enum class UrlStatus : int {
  kQueued = 0,  // admitted, not yet fetched (or to be fetched again)
  kDone = 1,    // fetched, with a record
  kFailed = 2,  // given up, with a record that says why
};

// One URL as the state knows it. Empty strings are stored as NULL and read back as empty.
struct UrlRow {
  std::uint64_t fp = 0;  // url_fingerprint(url); stored as the same 64 bits in a signed column
  std::string url;
  int depth = 0;
  UrlStatus status = UrlStatus::kQueued;
  int http_status = 0;  // 0 when no response
  std::string etag;
  std::string last_modified;
  std::string digest;
  std::int64_t fetched_at = 0;  // unix seconds, 0 when never fetched
  std::string referrer;
  // The last response archived in a WARC file for this URL: its WARC-Payload-Digest and
  // WARC-Date ("" when none). A finished row without them keeps the ones stored.
  std::string capture_digest;
  std::string captured_at;

  bool operator==(const UrlRow&) const = default;
};

class StateStore {
 public:
  // 2 added run_files and urls.capture_digest/captured_at; a version 1 database is upgraded in
  // place when opened.
  static constexpr int kSchemaVersion = 2;

  // Opens (creating the folder and the schema when new) dir/"state.db". Throws StateUnreadable
  // when the file is not a crawler state database, is corrupt or has another schema version;
  // StateError for other failures (permissions, disk full, no WAL support on the filesystem).
  static StateStore open(const std::filesystem::path& dir);

  StateStore(StateStore&&) noexcept;
  StateStore& operator=(StateStore&&) noexcept;
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;
  // Closes the database (checkpointing the WAL). A moved-from store may only be destroyed or
  // assigned to.
  ~StateStore();

  const std::filesystem::path& file() const;

  // What the writer commits after the result lines of `finished` are flushed to the results
  // file (see the durability contract above).
  struct Batch {
    // Newly discovered URLs: inserted as queued unless the fingerprint is known (then ignored,
    // the first row wins). Only fp, url, depth and referrer are used.
    std::vector<UrlRow> queued = {};
    // URLs whose outcome is recorded: status must be kDone or kFailed. Inserted when unknown;
    // otherwise status, http_status, etag, last_modified, digest and fetched_at are overwritten
    // and url, depth, referrer and the insertion position stay those of the first row.
    std::vector<UrlRow> finished = {};
    // The results file's new total length in bytes (not the bytes of this batch). May not go
    // backwards.
    std::optional<std::int64_t> committed_length = {};
    // The new total lengths of the run's other files (add_run_file), by path. May not go
    // backwards either.
    std::vector<std::pair<std::string, std::int64_t>> file_lengths = {};
  };
  // Applies the whole batch in ONE transaction (queued first, then finished, then the length):
  // after a crash either all of it is in the database or none of it. `run_id` is only used
  // when committed_length is set. Throws StateError (and changes nothing) for an unknown run, a
  // length going backwards, or a finished row whose status is not kDone/kFailed.
  void commit(std::int64_t run_id, const Batch& batch);

  // Records a new run and returns its id. `committed_length`: the results file's length now.
  // Pass the current length when appending to an existing file (after truncate_results_file()),
  // otherwise a crash before the first commit would make the next resume truncate the file to
  // 0, deleting the records of earlier runs.
  std::int64_t begin_run(const std::string& results_file, std::int64_t committed_length = 0);

  struct RunInfo {
    std::int64_t id = 0;
    std::string results_file;
    std::int64_t committed_length = 0;
    bool finished = false;
    std::string started_at;  // UTC, ISO 8601 ("2024-05-01T12:00:00Z")
  };
  // The newest run not finished, i.e. the one to resume: truncate its results file back to its
  // committed_length, then keep committing to its id (or begin a new run with that length).
  std::optional<RunInfo> last_unfinished_run() const;
  // Tests and diagnostics only (the crawl never looks a run up by id).
  std::optional<RunInfo> find_run(std::int64_t run_id) const;
  // Throws StateError for an unknown run.
  void finish_run(std::int64_t run_id);

  // The run's other output files (WARC), each with its committed length. A file is added, with
  // length 0, before anything is written to it, so a resume finds every file a killed run was
  // writing. By convention a name ending in ".open" is a file still being written: a resume cuts
  // it back to its committed length and then closes it by dropping the suffix (or deletes it
  // when nothing of it was committed).
  struct RunFile {
    std::string path;
    std::int64_t committed_length = 0;
  };
  void add_run_file(std::int64_t run_id, const std::string& path);
  std::vector<RunFile> run_files(std::int64_t run_id) const;

  // The listings below stream rows in chunks of ~1000, each read in its own short read
  // transaction, and call `fn` with no statement active: `fn` may call any method of this
  // store, including writing ones (e.g. spill()). Rows that `fn` adds may be listed as well.
  // An exception thrown by `fn` ends the listing and propagates.

  // Resume: every queued URL (neither done nor failed), in insertion order.
  void for_each_queued(const std::function<void(UrlRow&&)>& fn) const;
  // Re-crawl: done and failed URLs with fetched_at < cutoff (unix seconds), in insertion order,
  // with their etag/last_modified for conditional requests. Scans the whole table.
  void for_each_stale(std::int64_t cutoff, const std::function<void(UrlRow&&)>& fn) const;
  // Every fingerprint of the urls table (not of the spill), to rebuild the seen-set on start.
  // Reads only the fingerprint index, in no particular order.
  void for_each_fingerprint(const std::function<void(std::uint64_t)>& fn) const;

  std::optional<UrlRow> find(std::uint64_t fp) const;
  // The earliest fetched_at of a done or failed URL (unix seconds): when the next re-crawl is
  // due. Scans the table: for a run that has nothing else to do.
  std::optional<std::int64_t> oldest_fetch() const;
  // Tests and diagnostics only: rows with this status, in time proportional to their number.
  std::uint64_t count(UrlStatus status) const;

  // Frontier spill: a FIFO of URLs parked outside RAM. Only fp, url, depth and referrer are
  // kept. The spill is a cache of the frontier, not a record: its URLs should also be queued
  // in the urls table, so a resume rebuilds the frontier with for_each_queued() and calls
  // clear_spill() first (otherwise it would get them twice).
  void spill(const std::vector<UrlRow>& rows);  // one transaction
  // Up to max_rows oldest rows (status kQueued), deleted in the same transaction.
  std::vector<UrlRow> unspill(std::size_t max_rows);
  std::uint64_t spilled() const;  // tests and diagnostics only; O(1): counted in memory
  void clear_spill();

 private:
  struct Impl;
  explicit StateStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Resume: cuts the results file back to `committed_length` when longer (the bytes after it are
// uncommitted and may end in a torn line) and fsyncs it. A missing file is fine when
// committed_length is 0. Throws StateUnreadable, naming the file, when it is shorter than
// committed_length or missing (the file and the state do not belong together); StateError when
// it cannot be opened or truncated.
void truncate_results_file(const std::filesystem::path& file, std::int64_t committed_length);

// --fresh: renames the state folder `dir` to "<dir>.<UTC time YYYYMMDDTHHMMSSZ>" (adding "-2",
// "-3", ... if that exists) and returns the new absolute path; returns an empty path when `dir`
// does not exist. Call it while holding dir's StateLock (the lock file moves along with the
// folder and stays locked), then acquire a new StateLock on `dir`, then drop the old one.
std::filesystem::path set_aside_state(const std::filesystem::path& dir);

}  // namespace crawler
