#include "tests/support/conformance.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace crawler::testing {

std::filesystem::path conformance_dir() {
  std::filesystem::path dir;
  if (const char* env = std::getenv("CRAWLER_CONFORMANCE_DIR"); env != nullptr && *env != 0) {
    dir = env;
  } else {
    dir = std::filesystem::path(CRAWLER_SOURCE_DIR) / ".." / "shared" / "conformance";
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return {};
  return std::filesystem::weakly_canonical(dir, ec);
}

std::vector<nlohmann::json> read_conformance_jsonl(const std::string& relative) {
  std::vector<nlohmann::json> rows;
  const auto path = conformance_dir() / relative;
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return rows;
  }
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    try {
      rows.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception& e) {
      ADD_FAILURE() << path << ":" << number << ": " << e.what();
    }
  }
  return rows;
}

}  // namespace crawler::testing
