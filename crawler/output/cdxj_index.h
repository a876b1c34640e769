// CDXJ: the index beside each WARC file that replay tools (pywb, warcio) read, one line per
// response or revisit record, sorted:
//   <SURT> <14-digit timestamp> {"url":…,"mime":…,"status":…,"digest":…,"length":…,"offset":…,
//   "filename":…}
// in the form warcio's `cdx-index` writes (the tests compare the two): the SURT as warcio makes
// it, offsets and lengths of each record's gzip member, the payload digest without "sha1:".
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace crawler {

// The sort-friendly URL key: "http://www.Example.com:8080/a?b=2&a=1" ->
// "com,example:8080)/a?a=1&b=2" (lower case, "www" dropped, host labels reversed, query parameters
// sorted). Other schemes are returned as given.
std::string surt(std::string_view url);

// One record's index fields.
struct CdxjEntry {
  std::string url;
  std::string warc_date;  // WARC-Date
  std::string mime;       // "" = none
  int status = 0;         // 0 = none
  std::string digest;     // WARC-Payload-Digest, "" = none
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

// The entry of a response or revisit record whose HTTP header block is `http_head`.
CdxjEntry cdxj_entry(std::string url, std::string warc_date, bool revisit,
                     std::string_view http_head, std::string_view payload_digest,
                     std::uint64_t offset, std::uint64_t length);

std::string cdxj_line(const CdxjEntry& entry, const std::string& filename);

// "NAME.warc.gz" -> "NAME.cdxj".
std::filesystem::path cdxj_path(const std::filesystem::path& warc);

// Writes the sorted index of `entries` beside `warc` (through a temporary file and a rename, so
// a reader never sees half an index). Throws std::runtime_error naming the file.
void write_cdxj(const std::filesystem::path& warc, const std::vector<CdxjEntry>& entries);

// The entries of a WARC file written one gzip member per record (as WarcWriter writes them),
// read back: for a file closed by a resume, whose entries were lost with the killed run. Stops at
// the first member that does not inflate. Throws std::runtime_error when the file cannot be read.
std::vector<CdxjEntry> index_warc_file(const std::filesystem::path& warc);

}  // namespace crawler
