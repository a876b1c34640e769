// The files a run writes into output.dir besides what the results writers append to.
#pragma once

#include <filesystem>
#include <string>

namespace crawler {

// Each run writes its own results file, "<stem>-<UTC time><ext>" (e.g.
// pages-20261126T211500Z.jsonl), and `pages` (e.g. pages.jsonl) becomes a symbolic link to it,
// so a new run never overwrites or appends to an earlier run's results. A regular file left at
// `pages` is renamed aside. Returns the run file's name (relative to `dir`).
std::filesystem::path start_results_file(const std::filesystem::path& dir,
                                         const std::string& pages);

// Writes `text` to `path` through a temporary file and a rename, so a reader (or a crash)
// never sees a half-written file (stats.json).
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace crawler
