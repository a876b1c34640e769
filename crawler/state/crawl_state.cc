#include "crawler/state/crawl_state.h"

#include <spdlog/spdlog.h>

#include <ctime>

#include "crawler/config.h"
#include "crawler/output/warc_record.h"
#include "crawler/state/state_spill.h"
#include "crawler/url/url.h"

namespace crawler {
namespace {

// --fresh moves the old folder aside with its lock (still held), then locks the new one.
StateLock lock_state(const std::filesystem::path& dir, bool fresh) {
  StateLock lock = StateLock::acquire(dir);
  if (!fresh) return lock;
  const auto aside = set_aside_state(dir);
  StateLock fresh_lock = StateLock::acquire(dir);
  if (!aside.empty()) spdlog::info("--fresh: the old state is now {}", aside.string());
  return fresh_lock;
}

// A killed run's other file (WARC): cut back to its committed records, then closed under its
// final name, or deleted when none of it was committed. A file already closed (its ".open" name
// gone) was complete and committed.
void repair_run_file(const StateStore::RunFile& file,
                     std::vector<std::filesystem::path>& closed_now) {
  const std::filesystem::path path(file.path);
  if (!std::filesystem::exists(path)) return;
  truncate_results_file(path, file.committed_length);
  std::error_code ec;
  if (file.committed_length == 0) {
    std::filesystem::remove(path, ec);
  } else if (path.extension() == ".open") {
    std::filesystem::path closed = path;
    closed.replace_extension();
    std::filesystem::rename(path, closed, ec);
    if (!ec) closed_now.push_back(closed);
  }
  if (ec) {
    throw StateError(file.path + ": cannot close the file of a killed run: " + ec.message() +
                     "; check that its folder is writable");
  }
  spdlog::info("state: {} cut back to its committed {} bytes", file.path, file.committed_length);
}

StateStore open_repaired(const std::filesystem::path& dir,
                         std::vector<std::filesystem::path>& closed_now) {
  StateStore store = StateStore::open(dir);
  if (auto previous = store.last_unfinished_run()) {
    // An earlier run was killed: its files keep exactly the committed records.
    truncate_results_file(previous->results_file, previous->committed_length);
    for (const auto& file : store.run_files(previous->id)) repair_run_file(file, closed_now);
    store.finish_run(previous->id);
  }
  return store;
}

CrawlJob job_of(UrlRow&& row) {
  CrawlJob job;
  job.url = std::move(row.url);
  job.depth = row.depth;
  job.referrer = std::move(row.referrer);
  job.etag = std::move(row.etag);
  job.last_modified = std::move(row.last_modified);
  job.capture_digest = std::move(row.capture_digest);
  job.captured_at = std::move(row.captured_at);
  derive_keys(job);
  return job;
}

}  // namespace

CrawlState::CrawlState(const std::filesystem::path& dir, bool fresh)
    : dir_(dir), lock_(lock_state(dir, fresh)), store_(open_repaired(dir, repaired_)) {}

void CrawlState::begin_run(const std::filesystem::path& results_file) {
  run_id_ = store_.begin_run(std::filesystem::absolute(results_file).string());
}

CrawlState::Restored CrawlState::restore(MemoryFrontier& frontier,
                                         std::chrono::milliseconds recrawl_after) {
  frontier_ = &frontier;
  frontier.attach_spill(std::make_unique<StateSpill>(dir_));
  store_.for_each_fingerprint([&](std::uint64_t fp) { frontier.restore_seen(fp); });
  Restored restored;
  store_.for_each_queued([&](UrlRow&& row) {
    frontier.requeue(job_of(std::move(row)));
    ++restored.resumed;
  });
  const auto cutoff = std::chrono::duration_cast<std::chrono::seconds>(
                          (std::chrono::system_clock::now() - recrawl_after).time_since_epoch())
                          .count();
  store_.for_each_stale(cutoff, [&](UrlRow&& row) {
    frontier.requeue(job_of(std::move(row)));
    ++restored.recrawl;
  });
  return restored;
}

void CrawlState::remember(const PageRecord& record) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  UrlRow row;
  row.fp = url_fingerprint(record.url);
  row.url = record.url;
  row.depth = record.depth;
  row.referrer = record.referrer;
  row.status = record.error ? UrlStatus::kFailed : UrlStatus::kDone;
  row.http_status = record.status;
  row.etag = record.etag;
  row.last_modified = record.last_modified;
  row.digest = record.digest;
  row.fetched_at = now;
  // A response archived in full becomes the copy later revisit records refer to; a revisit
  // leaves the stored one (an empty value keeps it).
  if (!record.captures.empty() && !archived_as_revisit(record)) {
    const HttpCapture& capture = record.captures.back();
    row.capture_digest = capture.payload_digest;
    row.captured_at = warc_date(capture.started);
  }
  if (record.final_url != record.url && !record.error) {
    // A redirect's target was fetched as part of this record: it is done too.
    UrlRow target = row;
    target.fp = url_fingerprint(record.final_url);
    target.url = record.final_url;
    finished_.push_back(std::move(target));
  }
  finished_.push_back(std::move(row));
}

void CrawlState::add_file(const std::filesystem::path& file) {
  store_.add_run_file(run_id_, std::filesystem::absolute(file).string());
}

void CrawlState::commit(const std::vector<CommittedLength>& lengths) {
  StateStore::Batch batch;
  if (frontier_ != nullptr) {
    for (CrawlJob& job : frontier_->take_admitted()) {
      UrlRow row;
      row.fp = url_fingerprint(job.url);
      row.url = std::move(job.url);
      row.depth = job.depth;
      row.referrer = std::move(job.referrer);
      batch.queued.push_back(std::move(row));
    }
  }
  batch.finished = std::move(finished_);
  finished_.clear();
  batch.committed_length = static_cast<std::int64_t>(lengths.at(0).length);
  for (std::size_t i = 1; i < lengths.size(); ++i) {
    if (lengths[i].path.empty()) continue;  // a writer with no file open
    batch.file_lengths.emplace_back(std::filesystem::absolute(lengths[i].path).string(),
                                    static_cast<std::int64_t>(lengths[i].length));
  }
  store_.commit(run_id_, batch);
}

std::string CrawlState::nothing_to_fetch(std::uint64_t known,
                                         std::chrono::milliseconds recrawl_after) const {
  std::string due = "when a URL is added";
  if (const auto oldest = store_.oldest_fetch()) {
    const std::time_t at =
        static_cast<std::time_t>(*oldest) +
        static_cast<std::time_t>(
            std::chrono::duration_cast<std::chrono::seconds>(recrawl_after).count());
    std::tm utc{};
    gmtime_r(&at, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    due = std::string("at ") + text;
  }
  return "nothing to fetch: the state in " + dir_.string() + " knows " + std::to_string(known) +
         " URLs, all fetched within state.recrawl_after (" + format_duration(recrawl_after) +
         "); the next re-crawl is due " + due + "; --fresh starts over";
}

void CrawlState::finish_run() { store_.finish_run(run_id_); }

}  // namespace crawler
