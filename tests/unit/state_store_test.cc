#include "crawler/state/state_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
// Only to forge databases the store must refuse; crawler_core links SQLite already.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/url/url.h"
#include "tests/support/crawler_runner.h"

namespace crawler {

// Readable failures for EXPECT_EQ on rows.
void PrintTo(const UrlRow& row, std::ostream* os) {
  *os << "{fp=" << row.fp << " url=" << row.url << " depth=" << row.depth
      << " status=" << static_cast<int>(row.status) << " http=" << row.http_status
      << " etag=" << row.etag << " lm=" << row.last_modified << " digest=" << row.digest
      << " fetched_at=" << row.fetched_at << " referrer=" << row.referrer << "}";
}

namespace {

using ::crawler::testing::TempDir;
using ::testing::HasSubstr;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// `pattern` with each '#' standing for one digit. (Not std::regex: g++ 12 warns inside it under
// -fsanitize=address.)
bool matches(std::string_view text, std::string_view pattern) {
  if (text.size() != pattern.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool ok = pattern[i] == '#' ? std::isdigit(static_cast<unsigned char>(text[i])) != 0
                                      : text[i] == pattern[i];
    if (!ok) return false;
  }
  return true;
}

UrlRow queued(const std::string& url, int depth = 0, const std::string& referrer = "") {
  UrlRow row;
  row.fp = url_fingerprint(url);
  row.url = url;
  row.depth = depth;
  row.referrer = referrer;
  return row;
}

UrlRow finished(const std::string& url, UrlStatus status, std::int64_t fetched_at) {
  UrlRow row = queued(url);
  row.status = status;
  row.http_status = status == UrlStatus::kDone ? 200 : 0;
  row.fetched_at = fetched_at;
  return row;
}

std::string page(int i) { return "http://a.example/page/" + std::to_string(i); }

std::vector<std::string> queued_urls(const StateStore& store) {
  std::vector<std::string> urls;
  store.for_each_queued([&](UrlRow&& row) { urls.push_back(std::move(row.url)); });
  return urls;
}

// Runs raw SQL on a closed state database, to forge what the store must refuse.
void sql(const std::filesystem::path& file, const char* statements) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  ASSERT_EQ(sqlite3_exec(db.get(), statements, nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db.get());
}

TEST(StateStore, CreatesFolderAndEmptySchema) {
  TempDir tmp;
  const auto dir = tmp.path() / "new" / "state";
  StateStore store = StateStore::open(dir);
  EXPECT_EQ(store.file(), dir / "state.db");
  EXPECT_TRUE(std::filesystem::is_regular_file(dir / "state.db"));
  EXPECT_EQ(store.count(UrlStatus::kQueued), 0u);
  EXPECT_EQ(store.spilled(), 0u);
  EXPECT_FALSE(store.last_unfinished_run());
  EXPECT_TRUE(queued_urls(store).empty());
}

TEST(StateStore, ReopensItsOwnDatabaseAndAnEmptyFile) {
  TempDir tmp;
  {
    StateStore store = StateStore::open(tmp.path());
    store.commit(0, {.queued = {queued(page(1))}});
  }
  EXPECT_EQ(StateStore::open(tmp.path()).count(UrlStatus::kQueued), 1u);

  // A crash while the very first open created the file can leave it empty: that is a new one.
  TempDir empty;
  write_file(empty.path() / "state.db", "");
  StateStore store = StateStore::open(empty.path());
  store.commit(0, {.queued = {queued(page(1))}});
  EXPECT_EQ(store.count(UrlStatus::kQueued), 1u);
}

TEST(StateStore, RoundTripsEveryFieldAcrossReopen) {
  TempDir tmp;
  UrlRow done;
  done.fp = 0xF123456789ABCDEFull;  // high bit set: negative as a signed column
  done.url = "https://b.example/caf\xC3\xA9?q=1&r=2";
  done.depth = 7;
  done.status = UrlStatus::kDone;
  done.http_status = 203;
  done.etag = "W/\"abc\"";
  done.last_modified = "Wed, 21 Oct 2015 07:28:00 GMT";
  done.digest = "sha256:0123456789abcdef";
  done.fetched_at = 1'700'000'123;
  done.referrer = "https://b.example/";
  UrlRow failed = finished(page(2), UrlStatus::kFailed, 42);
  failed.http_status = 503;
  const UrlRow waiting = queued(page(3), 4, page(2));
  {
    StateStore store = StateStore::open(tmp.path());
    store.commit(0, {.queued = {waiting}, .finished = {done, failed}});
    EXPECT_EQ(store.find(done.fp), done);
    EXPECT_EQ(store.find(failed.fp), failed);
  }
  StateStore store = StateStore::open(tmp.path());
  EXPECT_EQ(store.find(done.fp), done);
  EXPECT_EQ(store.find(failed.fp), failed);
  EXPECT_EQ(store.find(waiting.fp), waiting);
  EXPECT_FALSE(store.find(url_fingerprint(page(4))));
  EXPECT_EQ(store.count(UrlStatus::kDone), 1u);
  EXPECT_EQ(store.count(UrlStatus::kFailed), 1u);
  EXPECT_EQ(store.count(UrlStatus::kQueued), 1u);
}

TEST(StateStore, QueuingKeepsTheFirstRowAndFinishingKeepsItsOrigin) {
  TempDir tmp;
  StateStore store = StateStore::open(tmp.path());
  store.commit(0, {.queued = {queued(page(1), 1, page(0))}});
  store.commit(0, {.queued = {queued(page(1), 5, page(9)), queued(page(2), 2)}});
  const auto first = store.find(url_fingerprint(page(1)));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->depth, 1);
  EXPECT_EQ(first->referrer, page(0));
  EXPECT_EQ(store.count(UrlStatus::kQueued), 2u);

  // Finishing overwrites the outcome only: depth and referrer stay those of the first row.
  UrlRow outcome = finished(page(1), UrlStatus::kDone, 100);
  outcome.depth = 8;
  outcome.referrer = page(8);
  outcome.etag = "\"v1\"";
  store.commit(0, {.finished = {outcome}});
  auto row = store.find(outcome.fp);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->status, UrlStatus::kDone);
  EXPECT_EQ(row->etag, "\"v1\"");
  EXPECT_EQ(row->fetched_at, 100);
  EXPECT_EQ(row->depth, 1);
  EXPECT_EQ(row->referrer, page(0));

  // A re-crawl overwrites the outcome again; an empty etag clears it.
  store.commit(0, {.finished = {finished(page(1), UrlStatus::kFailed, 200)}});
  row = store.find(outcome.fp);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->status, UrlStatus::kFailed);
  EXPECT_EQ(row->etag, "");
  EXPECT_EQ(row->fetched_at, 200);

  // Queuing a finished URL again does not re-queue it.
  store.commit(0, {.queued = {queued(page(1))}});
  EXPECT_EQ(store.find(outcome.fp)->status, UrlStatus::kFailed);
  EXPECT_EQ(queued_urls(store), std::vector<std::string>{page(2)});
}

TEST(StateStore, QueuedAndFinishedInOneBatchEndsFinished) {
  TempDir tmp;
  StateStore store = StateStore::open(tmp.path());
  store.commit(
      0, {.queued = {queued(page(1), 3)}, .finished = {finished(page(1), UrlStatus::kDone, 5)}});
  const auto row = store.find(url_fingerprint(page(1)));
  ASSERT_TRUE(row);
  EXPECT_EQ(row->status, UrlStatus::kDone);
  EXPECT_EQ(row->depth, 3);
}

TEST(StateStore, CommittedBatchesSurviveAProcessKilledMidRun) {
  TempDir tmp;
  const auto results = (tmp.path() / "pages.jsonl").string();
  // The child commits and then dies by SIGKILL: no destructor, no close, no checkpoint. The
  // parent opens nothing before it is gone (SQLite handles must not cross fork()).
  const pid_t child = ::fork();
  if (child == 0) {
    try {
      StateStore store = StateStore::open(tmp.path());
      const std::int64_t run = store.begin_run(results);
      store.commit(run, {.queued = {queued(page(1)), queued(page(2)), queued(page(3))},
                         .committed_length = 0});
      store.commit(run, {.queued = {queued(page(4))},
                         .finished = {finished(page(1), UrlStatus::kDone, 10)},
                         .committed_length = 120});
      store.commit(
          run, {.finished = {finished(page(2), UrlStatus::kFailed, 11)}, .committed_length = 250});
      store.spill({queued(page(5))});
      ::raise(SIGKILL);
    } catch (...) {
    }
    ::_exit(1);
  }
  ASSERT_GT(child, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child failed before its crash";

  StateStore store = StateStore::open(tmp.path());
  const auto run = store.last_unfinished_run();
  ASSERT_TRUE(run);
  EXPECT_EQ(run->results_file, results);
  EXPECT_EQ(run->committed_length, 250);
  EXPECT_FALSE(run->finished);
  EXPECT_EQ(store.find(url_fingerprint(page(1)))->status, UrlStatus::kDone);
  EXPECT_EQ(store.find(url_fingerprint(page(2)))->status, UrlStatus::kFailed);
  EXPECT_EQ(queued_urls(store), (std::vector<std::string>{page(3), page(4)}));
  EXPECT_EQ(store.spilled(), 1u);
}

TEST(StateStore, AFailingBatchChangesNothing) {
  TempDir tmp;
  StateStore store = StateStore::open(tmp.path());
  const std::int64_t run = store.begin_run("pages.jsonl");
  store.commit(run, {.queued = {queued(page(1))}, .committed_length = 100});

  // The rows are written first, then the length fails: the whole batch must roll back.
  EXPECT_THROW(store.commit(run, {.queued = {queued(page(2))},
                                  .finished = {finished(page(1), UrlStatus::kDone, 1)},
                                  .committed_length = 99}),
               StateError);
  EXPECT_FALSE(store.find(url_fingerprint(page(2))));
  EXPECT_EQ(store.find(url_fingerprint(page(1)))->status, UrlStatus::kQueued);
  EXPECT_EQ(store.find_run(run)->committed_length, 100);

  EXPECT_THROW(store.commit(run + 1, {.queued = {queued(page(3))}, .committed_length = 1}),
               StateError)
      << "unknown run";
  EXPECT_FALSE(store.find(url_fingerprint(page(3))));

  UrlRow not_finished = queued(page(4));
  EXPECT_THROW(store.commit(run, {.queued = {queued(page(5))}, .finished = {not_finished}}),
               StateError);
  EXPECT_FALSE(store.find(url_fingerprint(page(5))));

  // The store is still usable after the failures.
  store.commit(run, {.queued = {queued(page(6))}, .committed_length = 100});
  EXPECT_TRUE(store.find(url_fingerprint(page(6))));
}

TEST(StateStore, RunsRecordTheirCommittedLength) {
  TempDir tmp;
  StateStore store = StateStore::open(tmp.path());
  const std::int64_t first = store.begin_run("one.jsonl");
  auto run = store.last_unfinished_run();
  ASSERT_TRUE(run);
  EXPECT_EQ(run->id, first);
  EXPECT_EQ(run->results_file, "one.jsonl");
  EXPECT_EQ(run->committed_length, 0);
  EXPECT_TRUE(matches(run->started_at, "####-##-##T##:##:##Z")) << run->started_at;

  store.commit(first, {.committed_length = 4096});
  EXPECT_EQ(store.last_unfinished_run()->committed_length, 4096);
  store.finish_run(first);
  EXPECT_FALSE(store.last_unfinished_run());
  EXPECT_TRUE(store.find_run(first)->finished);

  const std::int64_t second = store.begin_run("one.jsonl", 4096);
  const std::int64_t third = store.begin_run("two.jsonl");
  EXPECT_NE(second, third);
  EXPECT_EQ(store.last_unfinished_run()->id, third) << "the newest unfinished run";
  EXPECT_EQ(store.find_run(second)->committed_length, 4096);
  EXPECT_FALSE(store.find_run(third + 1));
  EXPECT_THROW(store.finish_run(third + 1), StateError);
  EXPECT_THROW(store.begin_run("x.jsonl", -1), StateError);
}

TEST(StateStore, ListsQueuedUrlsInInsertionOrderAcrossChunks) {
  TempDir tmp;
  StateStore store = StateStore::open(tmp.path());
  constexpr int kUrls = 2500;  // more than one listing chunk
  std::vector<std::string> expected;
  for (int start = 0; start < kUrls; start += 300) {
    StateStore::Batch batch;
    for (int i = start; i < std::min(start + 300, kUrls); ++i) {
      batch.queued.push_back(queued(page(i), i % 4));
    }
    store.commit(0, batch);
  }
  StateStore::Batch outcomes;
  for (int i = 0; i < kUrls; ++i) {
    if (i % 7 == 0) {
      outcomes.finished.push_back(
          finished(page(i), i % 2 ? UrlStatus::kDone : UrlStatus::kFailed, 1));
    } else {
      expected.push_back(page(i));
    }
  }
  store.commit(0, outcomes);
  // Fingerprint order differs, so a listing by fingerprint would fail below.
  std::vector<std::uint64_t> fps;
  for (const auto& url : expected) fps.push_back(url_fingerprint(url));
  ASSERT_FALSE(std::is_sorted(fps.begin(), fps.end()));

  EXPECT_EQ(queued_urls(store), expected);
  EXPECT_EQ(store.count(UrlStatus::kQueued), expected.size());

  // The callback may write to the store: a resume spills what does not fit in RAM.
  std::size_t listed = 0;
  store.for_each_queued([&](UrlRow&& row) {
    EXPECT_EQ(row.status, UrlStatus::kQueued);
    if (listed++ >= 100) store.spill({row});
  });
  EXPECT_EQ(listed, expected.size());
  EXPECT_EQ(store.spilled(), expected.size() - 100);
  const auto back = store.unspill(1);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].url, expected[100]);
}

TEST(StateStore, ListsStaleUrlsFetchedBeforeTheCutoff) {
  TempDir tmp;
  StateStore store = StateStore::open(tmp.path());
  UrlRow old_done = finished(page(1), UrlStatus::kDone, 100);
  old_done.etag = "\"e1\"";
  old_done.last_modified = "Mon, 01 Jan 2024 00:00:00 GMT";
  const UrlRow old_failed = finished(page(2), UrlStatus::kFailed, 200);
  const UrlRow at_cutoff = finished(page(3), UrlStatus::kDone, 300);
  const UrlRow fresh = finished(page(4), UrlStatus::kDone, 400);
  store.commit(0,
               {.queued = {queued(page(5))}, .finished = {old_done, fresh, old_failed, at_cutoff}});
  std::vector<UrlRow> stale;
  store.for_each_stale(300, [&](UrlRow&& row) { stale.push_back(std::move(row)); });
  EXPECT_EQ(stale, (std::vector<UrlRow>{old_done, old_failed}))
      << "done and failed rows before the cutoff, in insertion order";

  stale.clear();
  store.for_each_stale(401, [&](UrlRow&& row) { stale.push_back(std::move(row)); });
  EXPECT_EQ(stale.size(), 4u) << "queued rows are never stale";
  stale.clear();
  store.for_each_stale(100, [&](UrlRow&& row) { stale.push_back(std::move(row)); });
  EXPECT_TRUE(stale.empty());
}

TEST(StateStore, ListsStaleUrlsAcrossChunks) {
  TempDir tmp;
  StateStore store = StateStore::open(tmp.path());
  StateStore::Batch batch;
  std::vector<std::string> expected;
  for (int i = 0; i < 3000; ++i) {
    batch.finished.push_back(finished(page(i), UrlStatus::kDone, i % 3 == 0 ? 10 : 1000));
    if (i % 3 == 0) expected.push_back(page(i));
  }
  store.commit(0, batch);
  std::vector<std::string> stale;
  store.for_each_stale(500, [&](UrlRow&& row) { stale.push_back(row.url); });
  EXPECT_EQ(stale, expected);
}

TEST(StateStore, ListsEveryFingerprintIncludingExtremes) {
  TempDir tmp;
  StateStore store = StateStore::open(tmp.path());
  const std::vector<std::uint64_t> extremes = {0,
                                               1,
                                               0x7FFFFFFFFFFFFFFFull,
                                               0x8000000000000000ull,
                                               0x8000000000000001ull,
                                               0xFFFFFFFFFFFFFFFFull};
  std::set<std::uint64_t> expected;
  StateStore::Batch batch;
  for (std::size_t i = 0; i < extremes.size(); ++i) {
    UrlRow row = queued(page(static_cast<int>(i)));
    row.fp = extremes[i];
    batch.queued.push_back(row);
    expected.insert(row.fp);
  }
  for (int i = 100; i < 3100; ++i) {  // several chunks
    batch.queued.push_back(queued(page(i)));
    expected.insert(batch.queued.back().fp);
  }
  store.commit(0, batch);
  std::multiset<std::uint64_t> listed;
  store.for_each_fingerprint([&](std::uint64_t fp) { listed.insert(fp); });
  EXPECT_EQ(listed.size(), expected.size()) << "each fingerprint exactly once";
  EXPECT_EQ(std::set<std::uint64_t>(listed.begin(), listed.end()), expected);
}

TEST(StateStore, HighBitFingerprintsRoundTripEverywhere) {
  TempDir tmp;
  StateStore store = StateStore::open(tmp.path());
  UrlRow high = queued(page(1));
  high.fp = 0x8000000000000000ull;
  UrlRow all_ones = queued(page(2));
  all_ones.fp = 0xFFFFFFFFFFFFFFFFull;
  UrlRow low = queued(page(3));
  low.fp = 0x7FFFFFFFFFFFFFFFull;
  store.commit(0, {.queued = {high, all_ones, low}});
  EXPECT_EQ(store.find(high.fp), high);
  EXPECT_EQ(store.find(all_ones.fp), all_ones);
  EXPECT_EQ(store.find(low.fp), low);

  std::vector<std::uint64_t> listed;
  store.for_each_queued([&](UrlRow&& row) { listed.push_back(row.fp); });
  EXPECT_EQ(listed, (std::vector<std::uint64_t>{high.fp, all_ones.fp, low.fp}));

  store.spill({all_ones, high});
  const auto back = store.unspill(10);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].fp, all_ones.fp);
  EXPECT_EQ(back[1].fp, high.fp);
}

TEST(StateStore, SpillIsFifoAcrossBatchesAndReopen) {
  TempDir tmp;
  constexpr int kRows = 10'000;
  std::vector<UrlRow> expected;
  for (int i = 0; i < kRows; ++i) {
    expected.push_back(queued(page(i), i % 9, i % 2 ? page(i - 1) : ""));
  }
  std::vector<UrlRow> taken;
  {
    StateStore store = StateStore::open(tmp.path());
    EXPECT_TRUE(store.unspill(5).empty());
    // Spill in uneven batches, taking some back in between.
    std::ptrdiff_t next = 0;
    for (std::ptrdiff_t size : {1, 999, 3000, 2500}) {
      store.spill(std::vector<UrlRow>(expected.begin() + next, expected.begin() + next + size));
      next += size;
    }
    for (auto& row : store.unspill(1234)) taken.push_back(std::move(row));
    store.spill(std::vector<UrlRow>(expected.begin() + next, expected.end()));
    EXPECT_EQ(store.spilled(), static_cast<std::uint64_t>(kRows - 1234));
    for (auto& row : store.unspill(766)) taken.push_back(std::move(row));
  }
  StateStore store = StateStore::open(tmp.path());
  EXPECT_EQ(store.spilled(), static_cast<std::uint64_t>(kRows - 2000)) << "counted on open";
  for (;;) {
    auto rows = store.unspill(333);
    if (rows.empty()) break;
    EXPECT_LE(rows.size(), 333u);
    for (auto& row : rows) taken.push_back(std::move(row));
  }
  EXPECT_EQ(store.spilled(), 0u);
  ASSERT_EQ(taken.size(), expected.size());
  EXPECT_TRUE(taken == expected) << "spilled rows come back whole, oldest first";
  EXPECT_EQ(store.count(UrlStatus::kQueued), 0u) << "the spill is not the urls table";

  store.spill({expected[0], expected[1]});
  store.clear_spill();
  EXPECT_EQ(store.spilled(), 0u);
  EXPECT_TRUE(store.unspill(10).empty());
}

TEST(StateStore, IsMovable) {
  TempDir tmp;
  StateStore first = StateStore::open(tmp.path());
  first.commit(0, {.queued = {queued(page(1))}});
  StateStore second = std::move(first);
  EXPECT_EQ(second.count(UrlStatus::kQueued), 1u);
  TempDir other;
  StateStore third = StateStore::open(other.path());
  third = std::move(second);
  EXPECT_EQ(third.file(), tmp.path() / "state.db");
  EXPECT_EQ(third.count(UrlStatus::kQueued), 1u);
}

TEST(StateStore, GarbageFileIsUnreadableAndLeftAlone) {
  TempDir tmp;
  std::mt19937 random(42);
  std::string garbage(8192, '\0');
  for (char& byte : garbage) byte = static_cast<char>(random());
  write_file(tmp.path() / "state.db", garbage);
  try {
    StateStore::open(tmp.path());
    FAIL() << "garbage opened as a state database";
  } catch (const StateUnreadable& e) {
    EXPECT_THAT(e.what(), HasSubstr((tmp.path() / "state.db").string() +
                                    " is not a crawler state database (or is corrupt)"));
    EXPECT_THAT(e.what(), HasSubstr("move it aside or run with --fresh"));
  }
  EXPECT_EQ(read_file(tmp.path() / "state.db"), garbage) << "the file was modified";
}

TEST(StateStore, CorruptPagesAreUnreadable) {
  TempDir tmp;
  {
    StateStore store = StateStore::open(tmp.path());
    StateStore::Batch batch;
    for (int i = 0; i < 2000; ++i) batch.queued.push_back(queued(page(i)));
    store.commit(0, batch);
  }
  // Keep the header (page 1 up to the schema) intact, smash every later page.
  std::string bytes = read_file(tmp.path() / "state.db");
  ASSERT_GT(bytes.size(), 8192u);
  for (std::size_t i = 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 31);
  write_file(tmp.path() / "state.db", bytes);
  EXPECT_THROW(
      {
        StateStore store = StateStore::open(tmp.path());
        store.count(UrlStatus::kQueued);
        store.for_each_queued([](UrlRow&&) {});
      },
      StateUnreadable);
}

TEST(StateStore, ForeignDatabaseIsUnreadable) {
  TempDir tmp;
  sql(tmp.path() / "state.db", "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);");
  try {
    StateStore::open(tmp.path());
    FAIL() << "another program's database was accepted";
  } catch (const StateUnreadable& e) {
    EXPECT_THAT(e.what(), HasSubstr("is not a crawler state database"));
  }

  TempDir other_app;
  sql(other_app.path() / "state.db",
      "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
      "INSERT INTO meta VALUES ('application', 'other'), ('schema_version', '1');");
  EXPECT_THROW(StateStore::open(other_app.path()), StateUnreadable);
}

TEST(StateStore, OtherSchemaVersionIsUnreadable) {
  TempDir tmp;
  StateStore::open(tmp.path());
  sql(tmp.path() / "state.db", "UPDATE meta SET value = '3' WHERE key = 'schema_version';");
  try {
    StateStore::open(tmp.path());
    FAIL() << "a database of schema version 3 was accepted";
  } catch (const StateUnreadable& e) {
    EXPECT_THAT(e.what(), HasSubstr((tmp.path() / "state.db").string()));
    EXPECT_THAT(e.what(), HasSubstr("version '3'"));
    EXPECT_THAT(e.what(), HasSubstr("run with --fresh"));
  }
}

// Version 1 (before run_files) is upgraded in place, its rows kept.
TEST(StateStore, AVersionOneDatabaseIsUpgraded) {
  TempDir tmp;
  {
    StateStore store = StateStore::open(tmp.path());
    store.commit(0, {.queued = {queued(page(1))}});
  }
  sql(tmp.path() / "state.db",
      "DROP TABLE run_files; ALTER TABLE urls DROP COLUMN capture_digest;"
      "ALTER TABLE urls DROP COLUMN captured_at;"
      "UPDATE meta SET value = '1' WHERE key = 'schema_version';");
  StateStore store = StateStore::open(tmp.path());
  EXPECT_EQ(store.count(UrlStatus::kQueued), 1u);
  UrlRow done = finished(page(2), UrlStatus::kDone, 100);
  done.capture_digest = "sha1:AAAA";
  store.commit(0, {.finished = {done}});
  EXPECT_EQ(store.find(url_fingerprint(page(2)))->capture_digest, "sha1:AAAA");
  const std::int64_t run = store.begin_run("/out/pages.jsonl");
  store.add_run_file(run, "/out/a.warc.gz.open");
  EXPECT_EQ(store.run_files(run).size(), 1u);
}

TEST(StateStore, TheArchivedCaptureIsKeptUntilANewOneReplacesIt) {
  TempDir tmp;
  StateStore store = StateStore::open(tmp.path());
  UrlRow first = finished(page(1), UrlStatus::kDone, 100);
  first.capture_digest = "sha1:AAAA";
  first.captured_at = "2026-01-01T00:00:00.000Z";
  store.commit(0, {.finished = {first}});
  UrlRow revisit = finished(page(1), UrlStatus::kDone, 200);  // archived as a revisit
  store.commit(0, {.finished = {revisit}});
  auto row = store.find(url_fingerprint(page(1)));
  ASSERT_TRUE(row);
  EXPECT_EQ(row->fetched_at, 200);
  EXPECT_EQ(row->capture_digest, "sha1:AAAA");
  EXPECT_EQ(row->captured_at, "2026-01-01T00:00:00.000Z");
  UrlRow changed = finished(page(1), UrlStatus::kDone, 300);
  changed.capture_digest = "sha1:BBBB";
  changed.captured_at = "2026-02-01T00:00:00.000Z";
  store.commit(0, {.finished = {changed}});
  row = store.find(url_fingerprint(page(1)));
  EXPECT_EQ(row->capture_digest, "sha1:BBBB");
  EXPECT_EQ(row->captured_at, "2026-02-01T00:00:00.000Z");
}

TEST(StateStore, RunFilesKeepTheirCommittedLengthsInTheCommitTransaction) {
  TempDir tmp;
  StateStore store = StateStore::open(tmp.path());
  const std::int64_t run = store.begin_run("/out/pages.jsonl");
  store.add_run_file(run, "/out/b.warc.gz.open");
  store.add_run_file(run, "/out/a.warc.gz.open");
  store.add_run_file(run, "/out/a.warc.gz.open");  // once
  auto files = store.run_files(run);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "/out/a.warc.gz.open");
  EXPECT_EQ(files[0].committed_length, 0);
  store.commit(run, {.finished = {finished(page(1), UrlStatus::kDone, 200)},
                     .committed_length = 100,
                     .file_lengths = {{"/out/a.warc.gz.open", 5000}}});
  files = store.run_files(run);
  EXPECT_EQ(files[0].committed_length, 5000);
  EXPECT_EQ(files[1].committed_length, 0);
  // Backwards, or a file never added: the whole batch is refused.
  for (const auto& [path, length] : std::vector<std::pair<std::string, std::int64_t>>{
           {"/out/a.warc.gz.open", 4000}, {"/out/unknown.warc.gz.open", 10}}) {
    try {
      store.commit(run, {.finished = {finished(page(2), UrlStatus::kDone, 200)},
                         .committed_length = 200,
                         .file_lengths = {{path, length}}});
      FAIL() << path << " " << length << " was accepted";
    } catch (const StateError& e) {
      EXPECT_THAT(e.what(), HasSubstr(path));
    }
  }
  EXPECT_EQ(store.find_run(run)->committed_length, 100) << "nothing of a refused batch is kept";
  EXPECT_FALSE(store.find(url_fingerprint(page(2))).has_value());
}

TEST(StateStore, MissingTableIsUnreadable) {
  TempDir tmp;
  StateStore::open(tmp.path());
  sql(tmp.path() / "state.db", "DROP TABLE spill;");
  EXPECT_THROW(StateStore::open(tmp.path()), StateUnreadable);
}

TEST(StateResultsFile, TruncatesATornTailToTheCommittedLength) {
  TempDir tmp;
  const auto file = tmp.path() / "pages.jsonl";
  const std::string committed = "{\"url\":\"a\"}\n{\"url\":\"b\"}\n";
  write_file(file, committed + "{\"url\":\"c\"}\n{\"ur");
  truncate_results_file(file, static_cast<std::int64_t>(committed.size()));
  EXPECT_EQ(read_file(file), committed);

  truncate_results_file(file, static_cast<std::int64_t>(committed.size()));
  EXPECT_EQ(read_file(file), committed) << "already at the committed length";
  truncate_results_file(file, 0);
  EXPECT_EQ(read_file(file), "");
}

TEST(StateResultsFile, ShorterOrMissingFileIsUnreadable) {
  TempDir tmp;
  const auto file = tmp.path() / "pages.jsonl";
  write_file(file, "{\"url\":\"a\"}\n");
  try {
    truncate_results_file(file, 100);
    FAIL() << "a file shorter than its committed length was accepted";
  } catch (const StateUnreadable& e) {
    EXPECT_THAT(e.what(), HasSubstr(file.string()));
  }
  EXPECT_EQ(read_file(file), "{\"url\":\"a\"}\n") << "left alone";

  const auto missing = tmp.path() / "missing.jsonl";
  EXPECT_NO_THROW(truncate_results_file(missing, 0));
  EXPECT_FALSE(std::filesystem::exists(missing)) << "not created";
  EXPECT_THROW(truncate_results_file(missing, 1), StateUnreadable);
}

TEST(StateSetAside, RenamesTheFolderWithAUtcTimestamp) {
  TempDir tmp;
  const auto dir = tmp.path() / "state";
  EXPECT_EQ(set_aside_state(dir), std::filesystem::path()) << "nothing to set aside";

  std::filesystem::create_directory(dir);
  write_file(dir / "state.db", "old");
  const auto first = set_aside_state(dir);
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_EQ(first.parent_path(), tmp.path());
  EXPECT_TRUE(matches(first.filename().string(), "state.########T######Z")) << first;
  EXPECT_EQ(read_file(first / "state.db"), "old");

  // Again within the same second (trailing slash too): a second, distinct name.
  std::filesystem::create_directory(dir);
  write_file(dir / "state.db", "newer");
  const auto second = set_aside_state(dir.string() + "/");
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_NE(second, first);
  EXPECT_EQ(second.parent_path(), tmp.path());
  const std::string name = second.filename().string();
  EXPECT_TRUE(matches(name, "state.########T######Z") || matches(name, "state.########T######Z-2"))
      << second;
  EXPECT_EQ(read_file(second / "state.db"), "newer");
  EXPECT_EQ(read_file(first / "state.db"), "old");
}

}  // namespace
}  // namespace crawler
