#include "crawler/output/run_files.h"

#include <ctime>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace crawler {
namespace {

std::string utc_stamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  const auto temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error(temporary + ": cannot write");
  }
  std::filesystem::rename(temporary, path);
}

std::filesystem::path start_results_file(const std::filesystem::path& dir,
                                         const std::string& pages) {
  const std::filesystem::path link_path = dir / pages;
  const std::filesystem::path name(pages);
  const std::string stamp = utc_stamp();
  std::filesystem::path run_file = name.stem().string() + "-" + stamp + name.extension().string();
  for (int n = 2; std::filesystem::exists(dir / run_file); ++n) {
    run_file =
        name.stem().string() + "-" + stamp + "-" + std::to_string(n) + name.extension().string();
  }
  std::error_code ec;
  const auto status = std::filesystem::symlink_status(link_path, ec);
  if (std::filesystem::is_regular_file(status)) {
    std::filesystem::rename(
        link_path, dir / (name.stem().string() + "-before-" + stamp + name.extension().string()));
  }
  {
    std::ofstream create(dir / run_file, std::ios::app);
    if (!create) throw std::runtime_error((dir / run_file).string() + ": cannot create");
  }
  const auto temporary = dir / (pages + ".link.tmp");
  std::filesystem::remove(temporary, ec);
  std::filesystem::create_symlink(run_file, temporary);
  std::filesystem::rename(temporary, link_path);  // atomic: readers see the old or new link
  return run_file;
}

}  // namespace crawler
