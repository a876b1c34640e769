// JsonlWriter: the records as JSON Lines (pages.jsonl), one record per line, appended to a file,
// buffered and written in batches.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "crawler/output/results_writer.h"

namespace crawler {

class JsonlWriter final : public ResultsWriter {
 public:
  // Throws std::runtime_error naming the path when the file cannot be opened.
  JsonlWriter(const std::filesystem::path& path, bool include_links);
  ~JsonlWriter() override;
  JsonlWriter(const JsonlWriter&) = delete;
  JsonlWriter& operator=(const JsonlWriter&) = delete;

  void write(const PageRecord& record) override;
  void flush() override;
  void sync() override;
  std::uint64_t length() const override { return length_; }
  const std::filesystem::path& path() const override { return path_; }
  // fdatasync() calls that succeeded, for the crash tests (CRAWLER_TEST_HOOKS).
  std::uint64_t syncs() const { return syncs_; }

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const {
      std::fclose(f);  // NOLINT(cppcoreguidelines-owning-memory): the unique_ptr owns the FILE
    }
  };
  std::filesystem::path path_;
  bool include_links_;
  std::unique_ptr<std::FILE, FileCloser> file_;
  std::string buffer_;
  std::uint64_t length_ = 0;
  std::uint64_t syncs_ = 0;
};

}  // namespace crawler
