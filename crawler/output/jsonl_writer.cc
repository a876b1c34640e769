#include "crawler/output/jsonl_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace crawler {
namespace {
constexpr std::size_t kBufferLimit = 1 << 20;  // write out once this much is pending
}

JsonlWriter::JsonlWriter(const std::filesystem::path& path, bool include_links)
    : path_(path), include_links_(include_links), file_(std::fopen(path.c_str(), "ab")) {
  if (!file_) {
    throw std::runtime_error(path.string() +
                             ": cannot open the results file: " + std::strerror(errno));
  }
  buffer_.reserve(kBufferLimit + std::size_t{64} * 1024);
  std::error_code ec;
  length_ = std::filesystem::file_size(path, ec);
  if (ec) length_ = 0;
}

void JsonlWriter::sync() {
  flush();
  if (fdatasync(fileno(file_.get())) != 0) {
    throw std::runtime_error(path_.string() + ": fdatasync failed: " + std::strerror(errno));
  }
  ++syncs_;
}

JsonlWriter::~JsonlWriter() {
  try {
    flush();
  } catch (...) {
    // Destructors must not throw; flush() failures were already reported by the caller's
    // explicit flush().
  }
}

void JsonlWriter::write(const PageRecord& record) {
  const std::size_t before = buffer_.size();
  append_json_line(buffer_, record, include_links_);
  buffer_ += '\n';
  length_ += buffer_.size() - before;
  if (buffer_.size() >= kBufferLimit) flush();
}

void JsonlWriter::flush() {
  if (!buffer_.empty()) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_.get()) != buffer_.size()) {
      throw std::runtime_error(path_.string() + ": write failed: " + std::strerror(errno));
    }
    buffer_.clear();
  }
  if (std::fflush(file_.get()) != 0) {
    throw std::runtime_error(path_.string() + ": flush failed: " + std::strerror(errno));
  }
}

}  // namespace crawler
