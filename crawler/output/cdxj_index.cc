#include "crawler/output/cdxj_index.h"

#include <fcntl.h>
#include <libdeflate.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "crawler/output/warc_record.h"
#include "crawler/util/ascii.h"
#include "crawler/util/unique_fd.h"

namespace crawler {
namespace {

int status_of(std::string_view http_head) {
  // "HTTP/1.1 200 OK"
  const std::size_t space = http_head.find(' ');
  if (space == std::string_view::npos) return 0;
  int status = 0;
  for (std::size_t i = space + 1; i < http_head.size() && i < space + 4; ++i) {
    if (http_head[i] < '0' || http_head[i] > '9') return 0;
    status = status * 10 + (http_head[i] - '0');
  }
  return status;
}

struct Unmap {
  std::size_t size;
  void operator()(void* data) const { ::munmap(data, size); }
};

}  // namespace

std::string surt(std::string_view url) {
  std::string text = ascii_lower_copy(std::string(url));
  std::size_t scheme_end = 0;
  if (text.starts_with("http://")) {
    scheme_end = 7;
  } else if (text.starts_with("https://")) {
    scheme_end = 8;
  } else {
    return std::string(url);
  }
  // warcio drops a leading "www", "www2"... label.
  if (text.compare(scheme_end, 3, "www") == 0) {
    std::size_t i = scheme_end + 3;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i < text.size() && text[i] == '.') text.erase(scheme_end, i + 1 - scheme_end);
  }
  const std::size_t authority_end = text.find_first_of("/?#", scheme_end);
  std::string_view authority = std::string_view(text).substr(
      scheme_end,
      authority_end == std::string::npos ? std::string::npos : authority_end - scheme_end);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  const std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if ((scheme_end == 7 && port == "80") || (scheme_end == 8 && port == "443")) port = {};
  std::vector<std::string_view> labels;
  for (std::size_t start = 0;;) {
    const std::size_t dot = host.find('.', start);
    labels.push_back(host.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  std::string out;
  for (auto label = labels.rbegin(); label != labels.rend(); ++label) {
    if (!out.empty()) out += ',';
    out += *label;
  }
  if (!port.empty()) out.append(":").append(port);
  out += ')';
  std::string_view rest = authority_end == std::string::npos
                              ? std::string_view()
                              : std::string_view(text).substr(authority_end);
  rest = rest.substr(0, rest.find('#'));
  const std::size_t question = rest.find('?');
  const std::string_view path = rest.substr(0, question);
  out += path.empty() ? std::string_view("/") : path;
  if (question != std::string_view::npos && question + 1 < rest.size()) {
    std::vector<std::string_view> params;
    std::string_view query = rest.substr(question + 1);
    for (std::size_t start = 0;;) {
      const std::size_t amp = query.find('&', start);
      params.push_back(query.substr(start, amp == std::string_view::npos ? amp : amp - start));
      if (amp == std::string_view::npos) break;
      start = amp + 1;
    }
    std::sort(params.begin(), params.end());
    out += '?';
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (i > 0) out += '&';
      out += params[i];
    }
  }
  return out;
}

CdxjEntry cdxj_entry(std::string url, std::string warc_date, bool revisit,
                     std::string_view http_head, std::string_view payload_digest,
                     std::uint64_t offset, std::uint64_t length) {
  CdxjEntry entry;
  entry.url = std::move(url);
  entry.warc_date = std::move(warc_date);
  if (revisit) {
    entry.mime = "warc/revisit";
  } else {
    const std::string_view type = header_field(http_head, "content-type");
    entry.mime = std::string(trim_c_space(type.substr(0, type.find(';'))));
  }
  entry.status = status_of(http_head);
  const std::size_t colon = payload_digest.find(':');
  entry.digest = std::string(colon == std::string_view::npos ? payload_digest
                                                             : payload_digest.substr(colon + 1));
  entry.offset = offset;
  entry.length = length;
  return entry;
}

std::string cdxj_line(const CdxjEntry& entry, const std::string& filename) {
  std::string timestamp;
  for (const char c : entry.warc_date) {
    if (c >= '0' && c <= '9' && timestamp.size() < 14) timestamp.push_back(c);
  }
  nlohmann::ordered_json fields;
  fields["url"] = entry.url;
  if (!entry.mime.empty()) fields["mime"] = entry.mime;
  if (entry.status > 0) fields["status"] = std::to_string(entry.status);
  if (!entry.digest.empty()) fields["digest"] = entry.digest;
  fields["length"] = std::to_string(entry.length);
  fields["offset"] = std::to_string(entry.offset);
  fields["filename"] = filename;
  return surt(entry.url) + " " + timestamp + " " +
         fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::filesystem::path cdxj_path(const std::filesystem::path& warc) {
  std::string name = warc.filename().string();
  for (const std::string_view suffix : {".warc.gz", ".gz"}) {
    if (name.ends_with(suffix)) {
      name.resize(name.size() - suffix.size());
      break;
    }
  }
  return warc.parent_path() / (name + ".cdxj");
}

void write_cdxj(const std::filesystem::path& warc, const std::vector<CdxjEntry>& entries) {
  const std::string filename = warc.filename().string();
  std::vector<std::string> lines;
  lines.reserve(entries.size());
  for (const CdxjEntry& entry : entries) lines.push_back(cdxj_line(entry, filename));
  std::sort(lines.begin(), lines.end());
  const std::filesystem::path target = cdxj_path(warc);
  const std::filesystem::path temporary = target.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    for (const std::string& line : lines) out << line << '\n';
    out.flush();
    if (!out) {
      throw std::runtime_error(temporary.string() +
                               ": cannot write the CDXJ index: " + std::strerror(errno));
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, target, ec);
  if (ec)
    throw std::runtime_error(target.string() + ": cannot write the CDXJ index: " + ec.message());
}

std::vector<CdxjEntry> index_warc_file(const std::filesystem::path& warc) {
  const UniqueFd fd(::open(warc.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) {
    throw std::runtime_error(warc.string() +
                             ": cannot read the WARC file: " + std::strerror(errno));
  }
  std::vector<CdxjEntry> entries;
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) return entries;
  void* mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (mapped == MAP_FAILED) {
    throw std::runtime_error(warc.string() + ": cannot map the WARC file: " + std::strerror(errno));
  }
  const std::unique_ptr<void, Unmap> unmap(mapped, Unmap{size});
  const std::unique_ptr<libdeflate_decompressor, decltype(&libdeflate_free_decompressor)> inflater(
      libdeflate_alloc_decompressor(), &libdeflate_free_decompressor);
  if (!inflater) throw std::runtime_error("CDXJ: cannot allocate a decompressor");
  const auto* bytes = static_cast<const char*>(mapped);
  std::string record(std::size_t{1} << 20, '\0');
  std::size_t offset = 0;
  while (offset < size) {
    std::size_t used = 0;
    std::size_t produced = 0;
    libdeflate_result result = LIBDEFLATE_INSUFFICIENT_SPACE;
    while ((result = libdeflate_gzip_decompress_ex(inflater.get(), bytes + offset, size - offset,
                                                   record.data(), record.size(), &used,
                                                   &produced)) == LIBDEFLATE_INSUFFICIENT_SPACE &&
           record.size() < (std::size_t{1} << 31)) {
      record.resize(record.size() * 2);
    }
    if (result != LIBDEFLATE_SUCCESS) break;
    const std::string_view text(record.data(), produced);
    const std::size_t end = text.find("\r\n\r\n");
    const std::string_view warc_head = text.substr(0, end == std::string_view::npos ? 0 : end + 2);
    const std::string_view type = header_field(warc_head, "warc-type");
    if (type == "response" || type == "revisit") {
      const std::string_view block = text.substr(end + 4);
      entries.push_back(cdxj_entry(std::string(header_field(warc_head, "warc-target-uri")),
                                   std::string(header_field(warc_head, "warc-date")),
                                   type == "revisit", block.substr(0, block.find("\r\n\r\n") + 2),
                                   header_field(warc_head, "warc-payload-digest"), offset, used));
    }
    offset += used;
  }
  return entries;
}

}  // namespace crawler
