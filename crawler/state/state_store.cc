#include "crawler/state/state_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <limits>
#include <string_view>
#include <system_error>
#include <utility>

#include "crawler/util/unique_fd.h"

namespace crawler {
namespace {

constexpr const char* kDatabaseName = "state.db";
constexpr std::string_view kApplication = "crawler";
// Only other programs (a sqlite3 shell inspecting the file) can make us wait: the StateLock
// keeps other crawlers out. Waiting a little beats failing the crawl over a short read.
constexpr int kBusyTimeoutMs = 5000;
// Rows per read transaction in the listings: small enough for RAM, large enough that the cost
// of a query per chunk does not matter.
constexpr std::int64_t kChunkRows = 1024;

// Added in version 2; both a new schema and the upgrade from version 1 create it.
constexpr const char* kRunFilesTable = R"sql(
CREATE TABLE run_files (
  run_id INTEGER NOT NULL,
  path TEXT NOT NULL,
  committed_length INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, path)
) WITHOUT ROWID;
)sql";

// The schema, version kSchemaVersion. Changing it means a new version number: open() refuses
// databases of any other version rather than guessing.
//
// urls.seq (the rowid) is the insertion order, which a resume keeps; fp cannot be the rowid
// because fingerprints are random, so it is a UNIQUE column instead. Its index serves the
// lookups by fingerprint and for_each_fingerprint(); urls_status (which includes the rowid)
// serves for_each_queued() in seq order and count().
constexpr const char* kSchema = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE urls (
  seq INTEGER PRIMARY KEY,
  fp INTEGER NOT NULL UNIQUE,
  url TEXT NOT NULL,
  depth INTEGER NOT NULL DEFAULT 0,
  status INTEGER NOT NULL DEFAULT 0,
  http_status INTEGER NOT NULL DEFAULT 0,
  etag TEXT,
  last_modified TEXT,
  digest TEXT,
  fetched_at INTEGER NOT NULL DEFAULT 0,
  referrer TEXT,
  capture_digest TEXT,
  captured_at TEXT
);
CREATE INDEX urls_status ON urls (status);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  results_file TEXT NOT NULL,
  committed_length INTEGER NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL,
  finished INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE spill (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  fp INTEGER NOT NULL,
  url TEXT NOT NULL,
  depth INTEGER NOT NULL DEFAULT 0,
  referrer TEXT
);
)sql";

// The columns read_url_row() expects, in order.
constexpr std::string_view kUrlColumns =
    "seq, fp, url, depth, status, http_status, etag, last_modified, digest, fetched_at, referrer, "
    "capture_digest, captured_at";

struct DbCloser {
  // close_v2: should a statement outlive the handle, the close completes when it is finalized.
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

std::string not_a_state_db(const std::filesystem::path& file, std::string_view detail) {
  return file.string() +
         " is not a crawler state database (or is corrupt): " + std::string(detail) +
         "; move it aside or run with --fresh";
}

// The database handle and its file name, for error messages.
struct Connection {
  std::filesystem::path file;
  Db db;

  // Throws for an SQLite error: StateUnreadable when the file is corrupt or not a database,
  // StateError (with the likely fix) otherwise.
  [[noreturn]] void fail(int rc, std::string_view action) const {
    const std::string detail = db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
      case SQLITE_CORRUPT:
      case SQLITE_NOTADB:
        throw StateUnreadable(not_a_state_db(file, detail));
      default:
        break;
    }
    const char* fix = "check the disk, or run with --fresh";
    switch (rc & 0xff) {
      case SQLITE_FULL:
        fix = "free disk space and run again to resume";
        break;
      case SQLITE_READONLY:
      case SQLITE_PERM:
      case SQLITE_CANTOPEN:
      case SQLITE_AUTH:
        fix = "check that the state folder and file are writable";
        break;
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        fix = "another program has the database open; close it and run again";
        break;
      default:
        break;
    }
    throw StateError(file.string() + ": " + std::string(action) + " failed: " + detail + "; " +
                     fix);
  }

  // Statements are prepared once, in open(). A plain SQL error there means a table or column
  // is missing: a database that only claims to be ours.
  Stmt prepare(std::string_view sql) const {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db.get(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    Stmt stmt(raw);
    if (rc == SQLITE_OK) return stmt;
    if ((rc & 0xff) == SQLITE_ERROR)
      throw StateUnreadable(not_a_state_db(file, sqlite3_errmsg(db.get())));
    fail(rc, "preparing a statement");
  }

  void exec(const char* sql, std::string_view action) const {
    const int rc = sqlite3_exec(db.get(), sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail(rc, action);
  }
};

// One use of a cached statement: binds, steps, reads columns. The destructor resets the
// statement and clears its bindings, so that once the Query is gone the statement holds no read
// transaction open and points at no caller memory (text is bound without copying).
class Query {
 public:
  Query(const Connection& connection, const Stmt& stmt, std::string_view action)
      : connection_(connection), stmt_(stmt.get()), action_(action) {}
  ~Query() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& bind(int index, std::int64_t value) {
    return check(sqlite3_bind_int64(stmt_, index, value));
  }
  // Same 64 bits, read back by column_fp(): the cast is modular both ways.
  Query& bind_fp(int index, std::uint64_t fp) { return bind(index, static_cast<std::int64_t>(fp)); }
  Query& bind_text(int index, std::string_view value) {
    return check(
        sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8));
  }
  // Empty is stored as NULL ("absent"), which reads back as empty.
  Query& bind_optional(int index, std::string_view value) {
    return value.empty() ? check(sqlite3_bind_null(stmt_, index)) : bind_text(index, value);
  }

  // True with a row to read, false when done.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    connection_.fail(rc, action_);
  }
  void run() {
    while (step()) {
    }
  }

  std::int64_t column(int index) const { return sqlite3_column_int64(stmt_, index); }
  int column_int(int index) const { return static_cast<int>(sqlite3_column_int64(stmt_, index)); }
  std::uint64_t column_fp(int index) const { return static_cast<std::uint64_t>(column(index)); }
  std::string column_text(int index) const {
    const auto* text = sqlite3_column_text(stmt_, index);
    if (text == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(text),
                       static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index)));
  }

  // A row selected with kUrlColumns (column 0, seq, is left to the caller).
  UrlRow url_row() const {
    UrlRow row;
    row.fp = column_fp(1);
    row.url = column_text(2);
    row.depth = column_int(3);
    row.status = static_cast<UrlStatus>(column_int(4));
    row.http_status = column_int(5);
    row.etag = column_text(6);
    row.last_modified = column_text(7);
    row.digest = column_text(8);
    row.fetched_at = column(9);
    row.referrer = column_text(10);
    row.capture_digest = column_text(11);
    row.captured_at = column_text(12);
    return row;
  }

 private:
  Query& check(int rc) {
    if (rc != SQLITE_OK) connection_.fail(rc, action_);
    return *this;
  }

  const Connection& connection_;
  sqlite3_stmt* stmt_;
  std::string_view action_;
};

std::string with_url_columns(std::string_view before, std::string_view after) {
  return std::string(before) + std::string(kUrlColumns) + std::string(after);
}

}  // namespace

struct StateStore::Impl {
  Connection connection;  // first: destroyed after every statement below
  Stmt begin, commit, rollback;
  Stmt insert_queued, upsert_finished, set_length;
  Stmt insert_run, finish_run, last_unfinished_run, find_run;
  Stmt insert_run_file, set_file_length, list_run_files;
  Stmt queued_chunk, stale_chunk, fingerprint_chunk, find, count_status, oldest_fetch;
  Stmt insert_spill, spill_chunk, delete_spill, count_spill, clear_spill;
  std::uint64_t spilled = 0;  // rows in the spill table, kept in memory: count(*) scans

  void prepare_statements();
  void create_or_check_schema();
  std::optional<RunInfo> read_run(const Stmt& stmt, std::optional<std::int64_t> id) const;
};

namespace {

// BEGIN IMMEDIATE ... COMMIT, rolled back when destroyed before commit() (an exception).
// IMMEDIATE takes the write lock up front, so a busy database fails (after the busy timeout) at
// the start instead of half way.
class Transaction {
 public:
  Transaction(const Connection& connection, const Stmt& begin, const Stmt& commit,
              const Stmt& rollback)
      : connection_(connection), commit_(commit), rollback_(rollback) {
    Query(connection_, begin, "starting a transaction").run();
  }
  ~Transaction() {
    // A failed COMMIT may already have rolled back (SQLite does so for some I/O errors).
    if (!committed_ && sqlite3_get_autocommit(connection_.db.get()) == 0) {
      sqlite3_step(rollback_.get());
      sqlite3_reset(rollback_.get());
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit() {
    Query(connection_, commit_, "committing a transaction").run();
    committed_ = true;
  }

 private:
  const Connection& connection_;
  const Stmt& commit_;
  const Stmt& rollback_;
  bool committed_ = false;
};

}  // namespace

void StateStore::Impl::create_or_check_schema() {
  const Connection& c = connection;
  {
    // Checking for emptiness inside the write transaction: a crash while creating the schema
    // rolls back to an empty database, which the next open creates again.
    Transaction tx(c, begin, commit, rollback);
    Stmt objects = c.prepare("SELECT count(*) FROM sqlite_master");
    bool fresh = false;
    {
      Query count(c, objects, "reading the schema");
      fresh = count.step() && count.column(0) == 0;
    }
    if (fresh) {
      c.exec(kSchema, "creating the schema");
      c.exec(kRunFilesTable, "creating the schema");
      Stmt insert = c.prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)");
      Query(c, insert, "writing the schema version")
          .bind_text(1, "application")
          .bind_text(2, kApplication)
          .run();
      const std::string version = std::to_string(kSchemaVersion);
      Query(c, insert, "writing the schema version")
          .bind_text(1, "schema_version")
          .bind_text(2, version)
          .run();
      Query(c, insert, "writing the schema version")
          .bind_text(1, "created_by")
          .bind_text(2, "crawler " CRAWLER_VERSION)
          .run();
    }
    tx.commit();
  }

  Stmt has_meta =
      c.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
  {
    Query q(c, has_meta, "reading the schema");
    if (!q.step() || q.column(0) == 0) {
      throw StateUnreadable(not_a_state_db(c.file, "it has no meta table"));
    }
  }
  Stmt read_meta = c.prepare("SELECT key, value FROM meta");
  std::string application;
  std::string version;
  {
    Query q(c, read_meta, "reading the schema version");
    while (q.step()) {
      const std::string key = q.column_text(0);
      if (key == "application") application = q.column_text(1);
      if (key == "schema_version") version = q.column_text(1);
    }
  }
  if (application != kApplication) {
    throw StateUnreadable(not_a_state_db(c.file, "its meta table names no crawler application"));
  }
  if (version == "1") {
    // Version 2 added run_files and the archived capture of each URL.
    Transaction tx(c, begin, commit, rollback);
    c.exec(kRunFilesTable, "upgrading the schema to version 2");
    c.exec(
        "ALTER TABLE urls ADD COLUMN capture_digest TEXT;"
        "ALTER TABLE urls ADD COLUMN captured_at TEXT;"
        "UPDATE meta SET value = '2' WHERE key = 'schema_version';",
        "upgrading the schema to version 2");
    tx.commit();
    version = "2";
  }
  if (version != std::to_string(kSchemaVersion)) {
    throw StateUnreadable(c.file.string() + " has state schema version '" + version +
                          "' but this crawler reads version " + std::to_string(kSchemaVersion) +
                          "; move it aside or run with --fresh (or use the crawler that wrote it)");
  }
}

void StateStore::Impl::prepare_statements() {
  const Connection& c = connection;
  insert_queued = c.prepare(
      "INSERT INTO urls (fp, url, depth, referrer) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (fp) DO NOTHING");
  upsert_finished = c.prepare(
      "INSERT INTO urls (fp, url, depth, status, http_status, etag, last_modified, digest, "
      "fetched_at, referrer, capture_digest, captured_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
      "ON CONFLICT (fp) DO UPDATE SET status = excluded.status, "
      "http_status = excluded.http_status, etag = excluded.etag, "
      "last_modified = excluded.last_modified, digest = excluded.digest, "
      "fetched_at = excluded.fetched_at, "
      "capture_digest = coalesce(excluded.capture_digest, capture_digest), "
      "captured_at = coalesce(excluded.captured_at, captured_at)");
  set_length =
      c.prepare("UPDATE runs SET committed_length = ?1 WHERE id = ?2 AND committed_length <= ?1");
  insert_run = c.prepare(
      "INSERT INTO runs (results_file, committed_length, started_at, finished) "
      "VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 0)");
  finish_run = c.prepare("UPDATE runs SET finished = 1 WHERE id = ?1");
  insert_run_file = c.prepare(
      "INSERT INTO run_files (run_id, path, committed_length) VALUES (?1, ?2, 0) "
      "ON CONFLICT (run_id, path) DO NOTHING");
  set_file_length = c.prepare(
      "UPDATE run_files SET committed_length = ?1 "
      "WHERE run_id = ?2 AND path = ?3 AND committed_length <= ?1");
  list_run_files =
      c.prepare("SELECT path, committed_length FROM run_files WHERE run_id = ?1 ORDER BY path");
  last_unfinished_run = c.prepare(
      "SELECT id, results_file, committed_length, finished, started_at FROM runs "
      "WHERE finished = 0 ORDER BY id DESC LIMIT 1");
  find_run = c.prepare(
      "SELECT id, results_file, committed_length, finished, started_at FROM runs WHERE id = ?1");
  queued_chunk = c.prepare(with_url_columns(
      "SELECT ", " FROM urls WHERE status = 0 AND seq > ?1 ORDER BY seq LIMIT ?2"));
  // "+status" keeps the planner off urls_status here: through that index it would sort all
  // matches for every chunk, while the rowid range scan reads the table once in total.
  stale_chunk = c.prepare(
      with_url_columns("SELECT ",
                       " FROM urls WHERE seq > ?1 AND +status IN (1, 2) AND fetched_at < ?2 "
                       "ORDER BY seq LIMIT ?3"));
  fingerprint_chunk = c.prepare("SELECT fp FROM urls WHERE fp >= ?1 ORDER BY fp LIMIT ?2");
  find = c.prepare(with_url_columns("SELECT ", " FROM urls WHERE fp = ?1"));
  count_status = c.prepare("SELECT count(*) FROM urls WHERE status = ?1");
  oldest_fetch = c.prepare("SELECT min(fetched_at) FROM urls WHERE +status IN (1, 2)");
  insert_spill = c.prepare("INSERT INTO spill (fp, url, depth, referrer) VALUES (?1, ?2, ?3, ?4)");
  spill_chunk = c.prepare("SELECT seq, fp, url, depth, referrer FROM spill ORDER BY seq LIMIT ?1");
  delete_spill = c.prepare("DELETE FROM spill WHERE seq <= ?1");
  count_spill = c.prepare("SELECT count(*) FROM spill");
  clear_spill = c.prepare("DELETE FROM spill");
}

std::optional<StateStore::RunInfo> StateStore::Impl::read_run(
    const Stmt& stmt, std::optional<std::int64_t> id) const {
  Query q(connection, stmt, "reading a run");
  if (id) q.bind(1, *id);
  if (!q.step()) return std::nullopt;
  return RunInfo{.id = q.column(0),
                 .results_file = q.column_text(1),
                 .committed_length = q.column(2),
                 .finished = q.column(3) != 0,
                 .started_at = q.column_text(4)};
}

StateStore::StateStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StateStore::StateStore(StateStore&&) noexcept = default;
StateStore& StateStore::operator=(StateStore&&) noexcept = default;
StateStore::~StateStore() = default;

StateStore StateStore::open(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw StateError(dir.string() + ": cannot create the state folder: " + ec.message() +
                     "; check the path and its permissions");
  }
  auto impl = std::make_unique<Impl>();
  Connection& c = impl->connection;
  c.file = dir / kDatabaseName;
  sqlite3* raw = nullptr;
  // NOMUTEX: the store is used by one thread at a time (see the header), so SQLite's own
  // per-connection mutex would only cost time.
  const int rc =
      sqlite3_open_v2(c.file.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  c.db.reset(raw);  // owns the handle even when opening failed
  if (rc != SQLITE_OK) c.fail(rc, "opening the database");
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);

  // The first statements read the file header: a file that is not SQLite fails here, as
  // StateUnreadable, before anything is written to it.
  {
    Stmt wal = c.prepare("PRAGMA journal_mode = WAL");
    Query q(c, wal, "switching to WAL mode");
    if (!q.step() || q.column_text(0) != "wal") {
      throw StateError(c.file.string() +
                       ": the filesystem does not support SQLite's WAL mode; put the state "
                       "folder on a local filesystem");
    }
  }
  // WAL + NORMAL: durable across process crashes, a power loss may only drop the last
  // transactions (see the header for why that is enough).
  c.exec("PRAGMA synchronous = NORMAL", "setting synchronous mode");
  // After a checkpoint, shrink the -wal file back to 64 MiB instead of keeping its peak size.
  c.exec("PRAGMA journal_size_limit = 67108864", "setting the WAL size limit");

  impl->begin = c.prepare("BEGIN IMMEDIATE");
  impl->commit = c.prepare("COMMIT");
  impl->rollback = c.prepare("ROLLBACK");
  impl->create_or_check_schema();
  impl->prepare_statements();
  {
    Query q(c, impl->count_spill, "counting spilled URLs");
    if (q.step()) impl->spilled = static_cast<std::uint64_t>(q.column(0));
  }
  return StateStore(std::move(impl));
}

const std::filesystem::path& StateStore::file() const { return impl_->connection.file; }

void StateStore::commit(std::int64_t run_id, const Batch& batch) {
  Impl& s = *impl_;
  const Connection& c = s.connection;
  for (const UrlRow& row : batch.finished) {
    if (row.status != UrlStatus::kDone && row.status != UrlStatus::kFailed) {
      throw StateError(c.file.string() + ": finished URL " + row.url + " has status " +
                       std::to_string(static_cast<int>(row.status)) +
                       ", not done (1) or failed (2); fix the caller");
    }
  }
  if (batch.queued.empty() && batch.finished.empty() && !batch.committed_length &&
      batch.file_lengths.empty()) {
    return;
  }

  Transaction tx(c, s.begin, s.commit, s.rollback);
  for (const UrlRow& row : batch.queued) {
    Query(c, s.insert_queued, "queueing a URL")
        .bind_fp(1, row.fp)
        .bind_text(2, row.url)
        .bind(3, row.depth)
        .bind_optional(4, row.referrer)
        .run();
  }
  for (const UrlRow& row : batch.finished) {
    Query(c, s.upsert_finished, "recording a finished URL")
        .bind_fp(1, row.fp)
        .bind_text(2, row.url)
        .bind(3, row.depth)
        .bind(4, static_cast<int>(row.status))
        .bind(5, row.http_status)
        .bind_optional(6, row.etag)
        .bind_optional(7, row.last_modified)
        .bind_optional(8, row.digest)
        .bind(9, row.fetched_at)
        .bind_optional(10, row.referrer)
        .bind_optional(11, row.capture_digest)
        .bind_optional(12, row.captured_at)
        .run();
  }
  if (batch.committed_length) {
    const std::int64_t length = *batch.committed_length;
    Query(c, s.set_length, "recording the committed length").bind(1, length).bind(2, run_id).run();
    if (sqlite3_changes(c.db.get()) == 0) {
      // Nothing of the batch is kept: the transaction rolls back with this exception.
      const auto run = s.read_run(s.find_run, run_id);
      if (!run) {
        throw StateError(c.file.string() + ": no run " + std::to_string(run_id) +
                         " to commit results to; call begin_run() first");
      }
      throw StateError(c.file.string() + ": committed length of run " + std::to_string(run_id) +
                       " would go back from " + std::to_string(run->committed_length) + " to " +
                       std::to_string(length) + "; pass the results file's total length");
    }
  }
  for (const auto& [path, length] : batch.file_lengths) {
    Query(c, s.set_file_length, "recording a file's committed length")
        .bind(1, length)
        .bind(2, run_id)
        .bind_text(3, path)
        .run();
    if (sqlite3_changes(c.db.get()) == 0) {
      throw StateError(c.file.string() + ": " + path + " of run " + std::to_string(run_id) +
                       " is not a known file of the run, or its committed length would go "
                       "back; call add_run_file() first and pass its total length");
    }
  }
  tx.commit();
}

void StateStore::add_run_file(std::int64_t run_id, const std::string& path) {
  const Connection& c = impl_->connection;
  Query(c, impl_->insert_run_file, "recording a run's file")
      .bind(1, run_id)
      .bind_text(2, path)
      .run();
}

std::vector<StateStore::RunFile> StateStore::run_files(std::int64_t run_id) const {
  const Connection& c = impl_->connection;
  std::vector<RunFile> files;
  Query q(c, impl_->list_run_files, "listing a run's files");
  q.bind(1, run_id);
  while (q.step()) files.push_back(RunFile{q.column_text(0), q.column(1)});
  return files;
}

std::int64_t StateStore::begin_run(const std::string& results_file, std::int64_t committed_length) {
  const Connection& c = impl_->connection;
  if (committed_length < 0) {
    throw StateError(c.file.string() + ": negative committed length " +
                     std::to_string(committed_length) + " for " + results_file +
                     "; pass the results file's length");
  }
  Query(c, impl_->insert_run, "recording a new run")
      .bind_text(1, results_file)
      .bind(2, committed_length)
      .run();
  return sqlite3_last_insert_rowid(c.db.get());
}

std::optional<StateStore::RunInfo> StateStore::last_unfinished_run() const {
  return impl_->read_run(impl_->last_unfinished_run, std::nullopt);
}

std::optional<StateStore::RunInfo> StateStore::find_run(std::int64_t run_id) const {
  return impl_->read_run(impl_->find_run, run_id);
}

void StateStore::finish_run(std::int64_t run_id) {
  const Connection& c = impl_->connection;
  Query(c, impl_->finish_run, "finishing a run").bind(1, run_id).run();
  if (sqlite3_changes(c.db.get()) == 0) {
    throw StateError(c.file.string() + ": no run " + std::to_string(run_id) +
                     " to finish; pass an id from begin_run()");
  }
}

void StateStore::for_each_queued(const std::function<void(UrlRow&&)>& fn) const {
  const Impl& s = *impl_;
  std::int64_t after = std::numeric_limits<std::int64_t>::min();
  std::vector<UrlRow> chunk;
  for (;;) {
    chunk.clear();
    {
      Query q(s.connection, s.queued_chunk, "listing queued URLs");
      q.bind(1, after).bind(2, kChunkRows);
      while (q.step()) {
        after = q.column(0);
        chunk.push_back(q.url_row());
      }
    }  // the read transaction ends here, before fn runs
    for (UrlRow& row : chunk) fn(std::move(row));
    if (static_cast<std::int64_t>(chunk.size()) < kChunkRows) return;
  }
}

void StateStore::for_each_stale(std::int64_t cutoff,
                                const std::function<void(UrlRow&&)>& fn) const {
  const Impl& s = *impl_;
  std::int64_t after = std::numeric_limits<std::int64_t>::min();
  std::vector<UrlRow> chunk;
  for (;;) {
    chunk.clear();
    {
      Query q(s.connection, s.stale_chunk, "listing stale URLs");
      q.bind(1, after).bind(2, cutoff).bind(3, kChunkRows);
      while (q.step()) {
        after = q.column(0);
        chunk.push_back(q.url_row());
      }
    }
    for (UrlRow& row : chunk) fn(std::move(row));
    if (static_cast<std::int64_t>(chunk.size()) < kChunkRows) return;
  }
}

void StateStore::for_each_fingerprint(const std::function<void(std::uint64_t)>& fn) const {
  const Impl& s = *impl_;
  // Keyset paging over the signed values of the fingerprint index, from the smallest.
  std::int64_t from = std::numeric_limits<std::int64_t>::min();
  std::vector<std::int64_t> chunk;
  for (;;) {
    chunk.clear();
    {
      Query q(s.connection, s.fingerprint_chunk, "listing fingerprints");
      q.bind(1, from).bind(2, kChunkRows);
      while (q.step()) chunk.push_back(q.column(0));
    }
    for (std::int64_t fp : chunk) fn(static_cast<std::uint64_t>(fp));
    if (static_cast<std::int64_t>(chunk.size()) < kChunkRows ||
        chunk.back() == std::numeric_limits<std::int64_t>::max()) {
      return;
    }
    from = chunk.back() + 1;
  }
}

std::optional<UrlRow> StateStore::find(std::uint64_t fp) const {
  Query q(impl_->connection, impl_->find, "looking up a URL");
  q.bind_fp(1, fp);
  if (!q.step()) return std::nullopt;
  return q.url_row();
}

std::uint64_t StateStore::count(UrlStatus status) const {
  Query q(impl_->connection, impl_->count_status, "counting URLs");
  q.bind(1, static_cast<int>(status));
  return q.step() ? static_cast<std::uint64_t>(q.column(0)) : 0;
}

std::optional<std::int64_t> StateStore::oldest_fetch() const {
  Query q(impl_->connection, impl_->oldest_fetch, "finding the oldest fetch");
  if (!q.step() || q.column(0) == 0) return std::nullopt;  // min() of no rows is NULL
  return q.column(0);
}

void StateStore::spill(const std::vector<UrlRow>& rows) {
  if (rows.empty()) return;
  Impl& s = *impl_;
  const Connection& c = s.connection;
  Transaction tx(c, s.begin, s.commit, s.rollback);
  for (const UrlRow& row : rows) {
    Query(c, s.insert_spill, "spilling a URL")
        .bind_fp(1, row.fp)
        .bind_text(2, row.url)
        .bind(3, row.depth)
        .bind_optional(4, row.referrer)
        .run();
  }
  tx.commit();
  s.spilled += rows.size();
}

std::vector<UrlRow> StateStore::unspill(std::size_t max_rows) {
  std::vector<UrlRow> rows;
  Impl& s = *impl_;
  if (max_rows == 0 || s.spilled == 0) return rows;
  const Connection& c = s.connection;
  const auto limit = static_cast<std::int64_t>(
      std::min<std::uint64_t>(max_rows, std::numeric_limits<std::int64_t>::max()));
  Transaction tx(c, s.begin, s.commit, s.rollback);
  std::int64_t last_seq = 0;
  {
    Query q(c, s.spill_chunk, "taking spilled URLs");
    q.bind(1, limit);
    while (q.step()) {
      last_seq = q.column(0);
      UrlRow row;
      row.fp = q.column_fp(1);
      row.url = q.column_text(2);
      row.depth = q.column_int(3);
      row.referrer = q.column_text(4);
      rows.push_back(std::move(row));
    }
  }
  if (rows.empty()) {
    s.spilled = 0;
    return rows;
  }
  // The rows taken are exactly those up to the last one: they are the oldest.
  Query(c, s.delete_spill, "deleting taken spilled URLs").bind(1, last_seq).run();
  tx.commit();
  s.spilled -= std::min<std::uint64_t>(s.spilled, rows.size());
  return rows;
}

std::uint64_t StateStore::spilled() const { return impl_->spilled; }

void StateStore::clear_spill() {
  Query(impl_->connection, impl_->clear_spill, "clearing spilled URLs").run();
  impl_->spilled = 0;
}

void truncate_results_file(const std::filesystem::path& file, std::int64_t committed_length) {
  const std::string committed = std::to_string(committed_length);
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error = errno;
    if (error == ENOENT && committed_length == 0) return;
    if (error == ENOENT) {
      throw StateUnreadable(file.string() + " is missing but the state says " + committed +
                            " bytes of it are committed; restore the file, or run with --fresh");
    }
    throw StateError(file.string() + ": cannot open the results file: " + std::strerror(error) +
                     "; check that it is writable");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    throw StateError(file.string() + ": cannot read the results file's size: " +
                     std::strerror(errno) + "; check the disk");
  }
  if (st.st_size < committed_length) {
    throw StateUnreadable(file.string() + " has " + std::to_string(st.st_size) +
                          " bytes but the state says " + committed +
                          " are committed; restore the file, or run with --fresh");
  }
  if (st.st_size == committed_length) return;
  if (::ftruncate(fd.get(), static_cast<off_t>(committed_length)) != 0 || ::fsync(fd.get()) != 0) {
    throw StateError(file.string() + ": cannot truncate the results file to its committed " +
                     committed + " bytes: " + std::strerror(errno) + "; check that it is writable");
  }
}

std::filesystem::path set_aside_state(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path source = std::filesystem::absolute(dir, ec).lexically_normal();
  if (!ec && !source.has_filename()) source = source.parent_path();  // "state/" -> "state"
  if (!ec && !std::filesystem::exists(source, ec)) return {};
  if (ec) {
    throw StateError(dir.string() + ": cannot look at the state folder: " + ec.message() +
                     "; check the path and its permissions");
  }

  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);

  // The caller holds the folder's lock, so no other crawler races for these names.
  for (int n = 1; n <= 1000; ++n) {
    std::filesystem::path target = source;
    // Built by appending: GCC 12 reports a false -Wrestrict for "-" + std::to_string(n)
    // (operator+(const char*, string&&) inserts at the front of the rvalue).
    std::string suffix = std::string(".") + stamp;
    if (n > 1) suffix.append("-").append(std::to_string(n));
    target += suffix;
    if (std::filesystem::exists(target, ec) || ec) continue;
    std::filesystem::rename(source, target, ec);
    if (ec) {
      throw StateError(source.string() + ": cannot move the state folder aside to " +
                       target.string() + ": " + ec.message() +
                       "; move or delete it yourself, then run again");
    }
    return target;
  }
  throw StateError(source.string() +
                   ": cannot find a free name to move the state folder aside "
                   "to; delete old copies of it, then run again");
}

}  // namespace crawler
