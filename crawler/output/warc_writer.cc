#include "crawler/output/warc_writer.h"

#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "crawler/output/page_record.h"

namespace crawler {
namespace {

constexpr std::size_t kBufferLimit = std::size_t{1} << 20;  // write out once this much is pending
// Per record, one call, with Intel's ISA-L (igzip) at level 1. On the benchmark site's 22 KB pages
// (tests/bench/warc_compression_bench.cc has the same comparison on other pages) it took about
// half the time of libdeflate's fastest level for 5% larger output (ratio 0.416 against 0.398);
// its level 0 was twice as fast again but 10% larger. zlib's level 6, wget's, is several times
// slower than either.
constexpr int kCompressionLevel = 1;

std::string this_hostname() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == 0) return "localhost";
  return name.data();
}

// "20261207230522123": the file name's UTC time with milliseconds.
std::string file_timestamp(std::chrono::system_clock::time_point when) {
  std::string date = warc_date(when);  // 2026-12-07T23:05:22.123Z
  std::string digits;
  for (const char c : date) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  return digits;
}

// "LLR": Heritrix's hop path, one L per link followed from the seed and one R per redirect.
std::string hop_path(const PageRecord& record) {
  return std::string(static_cast<std::size_t>(std::max(record.depth, 0)), 'L') +
         std::string(record.redirects.size(), 'R');
}

const char* truncated_token(HttpCapture::Truncated truncated) {
  switch (truncated) {
    case HttpCapture::Truncated::kLength:
      return "length";
    case HttpCapture::Truncated::kTime:
      return "time";
    case HttpCapture::Truncated::kDisconnect:
      return "disconnect";
    case HttpCapture::Truncated::kNone:
      break;
  }
  return "";
}

}  // namespace

struct WarcWriter::Compressor {
  std::vector<std::uint8_t> level_buffer = std::vector<std::uint8_t>(ISAL_DEF_LVL1_DEFAULT);

  // Appends `data` as one gzip member to `to`.
  void gzip(std::string_view data, std::string& to) {
    const std::size_t before = to.size();
    // Stored blocks bound the output: the input, a few bytes per 64 KiB block, the gzip framing.
    std::size_t room = data.size() + data.size() / 1024 + 1024;
    while (true) {
      to.resize(before + room);
      isal_zstream stream;
      isal_deflate_stateless_init(&stream);
      stream.level = kCompressionLevel;
      stream.level_buf = level_buffer.data();
      stream.level_buf_size = static_cast<std::uint32_t>(level_buffer.size());
      stream.gzip_flag = IGZIP_GZIP;
      stream.end_of_stream = 1;
      stream.flush = NO_FLUSH;
      stream.next_in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(data.data()));
      stream.avail_in = static_cast<std::uint32_t>(data.size());
      stream.next_out = reinterpret_cast<std::uint8_t*>(to.data() + before);
      stream.avail_out = static_cast<std::uint32_t>(room);
      const int result = isal_deflate_stateless(&stream);
      if (result == COMP_OK) {
        to.resize(before + stream.total_out);
        return;
      }
      if (result != STATELESS_OVERFLOW || room > (std::size_t{1} << 31)) {
        throw std::runtime_error("WARC: gzip compression failed (ISA-L error " +
                                 std::to_string(result) + ")");
      }
      room *= 2;
    }
  }
};

WarcWriter::WarcWriter(WarcOptions options)
    : options_(std::move(options)),
      compressor_(std::make_unique<Compressor>()),
      random_(std::random_device{}()) {
  if (options_.hostname.empty()) options_.hostname = this_hostname();
  pending_.reserve(kBufferLimit + std::size_t{64} * 1024);
}

WarcWriter::~WarcWriter() {
  try {
    if (fd_.get() >= 0) close();
  } catch (...) {
    // Destructors must not throw; a file that cannot be closed keeps its .open name, which
    // says it is incomplete.
  }
}

void WarcWriter::open_next() {
  ++serial_;
  const auto now = std::chrono::system_clock::now();
  std::array<char, 8> serial{};
  std::snprintf(serial.data(), serial.size(), "%05d", serial_ % 100000);
  const std::string name = options_.prefix + "-" + file_timestamp(now) + "-" + serial.data() + "-" +
                           options_.hostname + ".warc.gz";
  final_path_ = options_.dir / name;
  open_path_ = options_.dir / (name + ".open");
  if (options_.on_open) options_.on_open(open_path_);
  fd_.reset(::open(open_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd_.get() < 0) {
    throw std::runtime_error(open_path_.string() +
                             ": cannot create the WARC file: " + std::strerror(errno));
  }
  length_ = 0;

  WarcRecord info;
  info.type = "warcinfo";
  info.id = warc_record_id(random_);
  info.date = warc_date(now);
  info.fields = {{"WARC-Filename", name}, {"Content-Type", "application/warc-fields"}};
  info.block = "software: " + options_.software +
               "\r\nformat: WARC File Format 1.1"
               "\r\nconformsTo: "
               "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
               "\r\nhostname: " +
               options_.hostname + "\r\n";
  if (!options_.operator_name.empty()) info.block += "operator: " + options_.operator_name + "\r\n";
  info.block += "http-header-user-agent: " + options_.user_agent +
                "\r\nrobots: " + (options_.robots ? "obey" : "ignore") +
                "\r\ndescription: HTTP/2 exchanges are written as their HTTP/1.1 equivalent; "
                "bodies as received (transfer and content codings kept)\r\n";
  warcinfo_id_ = info.id;
  append(info);
}

std::uint64_t WarcWriter::append(const WarcRecord& record) {
  const std::uint64_t offset = length_;
  const std::size_t before = pending_.size();
  compressor_->gzip(serialize(record), pending_);
  length_ += pending_.size() - before;
  if (pending_.size() >= kBufferLimit) flush();
  return offset;
}

void WarcWriter::write(const PageRecord& record) {
  if (record.captures.empty()) return;
  if (closed_for_good_) throw std::runtime_error("WARC: write after close");
  if (fd_.get() < 0) open_next();
  std::string final_response_id;
  for (std::size_t i = 0; i < record.captures.size(); ++i) {
    const HttpCapture& capture = record.captures[i];
    const bool last = i + 1 == record.captures.size();
    const std::string date = warc_date(capture.started);
    WarcRecord request;
    request.type = "request";
    request.id = warc_record_id(random_);
    request.date = date;
    WarcRecord response;
    response.id = warc_record_id(random_);
    response.date = date;

    request.fields = {{"WARC-Target-URI", capture.target_uri},
                      {"WARC-Warcinfo-ID", warcinfo_id_},
                      {"WARC-Concurrent-To", response.id},
                      {"Content-Type", "application/http;msgtype=request"}};
    if (!capture.ip.empty()) request.fields.emplace_back("WARC-IP-Address", capture.ip);
    request.block = capture.request;

    const bool revisit = last && archived_as_revisit(record);
    response.type = revisit ? "revisit" : "response";
    response.fields = {{"WARC-Target-URI", capture.target_uri},
                       {"WARC-Warcinfo-ID", warcinfo_id_},
                       {"WARC-Concurrent-To", request.id},
                       {"Content-Type", "application/http;msgtype=response"}};
    if (!capture.ip.empty()) response.fields.emplace_back("WARC-IP-Address", capture.ip);
    if (revisit) {
      // The headers only: the payload is the earlier capture's.
      response.fields.emplace_back(
          "WARC-Profile", record.unchanged
                              ? "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
                              : "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest");
      response.fields.emplace_back("WARC-Refers-To-Target-URI", capture.target_uri);
      if (!record.archived_at.empty()) {
        response.fields.emplace_back("WARC-Refers-To-Date", record.archived_at);
      }
      if (!record.archived_digest.empty()) {
        response.fields.emplace_back("WARC-Payload-Digest", record.archived_digest);
      }
      response.block = capture.response_head;
    } else {
      response.fields.emplace_back(
          "WARC-Payload-Digest",
          capture.payload_digest.empty()
              ? http_payload_digest(capture.response_head, capture.response_body)
              : capture.payload_digest);
      if (capture.truncated != HttpCapture::Truncated::kNone) {
        response.fields.emplace_back("WARC-Truncated", truncated_token(capture.truncated));
      }
      response.block.reserve(capture.response_head.size() + capture.response_body.size());
      response.block = capture.response_head;
      response.block += capture.response_body;
    }
    append(request);
    const std::uint64_t offset = append(response);
    if (options_.cdx) {
      const auto payload =
          std::find_if(response.fields.begin(), response.fields.end(),
                       [](const auto& f) { return f.first == "WARC-Payload-Digest"; });
      index_.push_back(cdxj_entry(capture.target_uri, date, revisit, capture.response_head,
                                  payload == response.fields.end() ? "" : payload->second, offset,
                                  length_ - offset));
    }
    if (last) final_response_id = response.id;
  }

  WarcRecord metadata;
  metadata.type = "metadata";
  metadata.id = warc_record_id(random_);
  metadata.date = warc_date(record.captures.back().started);
  metadata.fields = {{"WARC-Target-URI", record.captures.back().target_uri},
                     {"WARC-Warcinfo-ID", warcinfo_id_},
                     {"WARC-Concurrent-To", final_response_id},
                     {"Content-Type", "application/warc-fields"}};
  if (!record.referrer.empty()) metadata.block += "via: " + record.referrer + "\r\n";
  metadata.block += "hopsFromSeed: " + hop_path(record) + "\r\n";
  metadata.block += "fetchTimeMs: " + std::to_string(record.elapsed_ms) + "\r\n";
  for (const auto& link : record.links) metadata.block += "outlink: " + link + "\r\n";
  append(metadata);
}

void WarcWriter::flush() {
  if (pending_.empty()) return;
  std::size_t done = 0;
  while (done < pending_.size()) {
    const ssize_t n = ::write(fd_.get(), pending_.data() + done, pending_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      throw std::runtime_error(open_path_.string() + ": write failed: " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  pending_.clear();
}

void WarcWriter::sync() {
  flush();
  if (fd_.get() < 0) return;
  if (::fdatasync(fd_.get()) != 0) {
    throw std::runtime_error(open_path_.string() + ": fdatasync failed: " + std::strerror(errno));
  }
}

void WarcWriter::close_current() {
  sync();
  fd_.reset();
  // The index first: a kill before the rename leaves the file open, and the resume that closes
  // it indexes it again.
  if (options_.cdx) write_cdxj(final_path_, index_);
  index_.clear();
  std::error_code ec;
  std::filesystem::rename(open_path_, final_path_, ec);
  if (ec) {
    throw std::runtime_error(open_path_.string() + ": cannot rename to " + final_path_.string() +
                             ": " + ec.message());
  }
  closed_.push_back(final_path_);
  open_path_.clear();
  length_ = 0;
}

void WarcWriter::on_commit() {
  // The next file is opened by the next write: a crawl never ends with a file of a warcinfo
  // record alone.
  if (fd_.get() >= 0 && length_ >= options_.max_size) close_current();
}

void WarcWriter::close() {
  closed_for_good_ = true;
  if (fd_.get() >= 0) close_current();
}

}  // namespace crawler
