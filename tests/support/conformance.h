// Locates the shared conformance data (../shared/conformance beside the repository root, or
// $CRAWLER_CONFORMANCE_DIR) and reads its JSON Lines files.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace crawler::testing {

// The conformance folder, or an empty path when it is absent. Under CI=true an absent folder
// fails the calling test instead of skipping it, so CI can never pass without the vectors.
std::filesystem::path conformance_dir();

// Every line of `relative` (inside the conformance folder) parsed as JSON. Fails the test
// (ADD_FAILURE) on a malformed line.
std::vector<nlohmann::json> read_conformance_jsonl(const std::string& relative);

}  // namespace crawler::testing

// Skips the current test (or fails it under CI=true) when the conformance data is missing.
#define CRAWLER_REQUIRE_CONFORMANCE()                                                         \
  do {                                                                                        \
    if (::crawler::testing::conformance_dir().empty()) {                                      \
      const char* ci = std::getenv("CI");                                                     \
      if (ci != nullptr && std::string(ci) == "true") {                                       \
        FAIL() << "conformance data missing: set CRAWLER_CONFORMANCE_DIR or place it at "     \
                  "../shared/conformance beside the repository";                              \
      }                                                                                       \
      GTEST_SKIP() << "conformance data missing: put it at ../shared/conformance beside the " \
                      "repository or set CRAWLER_CONFORMANCE_DIR";                            \
    }                                                                                         \
  } while (0)
