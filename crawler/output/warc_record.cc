#include "crawler/output/warc_record.h"

#include <openssl/evp.h>

#include <array>
#include <ctime>
#include <memory>
#include <stdexcept>

#include "crawler/util/ascii.h"

namespace crawler {
namespace {

struct DigestDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

class Sha1 {
 public:
  Sha1() : context_(EVP_MD_CTX_new()) {
    if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha1(), nullptr) != 1) {
      throw std::runtime_error("cannot set up SHA-1");
    }
  }
  void update(std::string_view data) { EVP_DigestUpdate(context_.get(), data.data(), data.size()); }
  std::string finish() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    EVP_DigestFinal_ex(context_.get(), digest.data(), &size);
    return "sha1:" + base32(std::string_view(reinterpret_cast<const char*>(digest.data()), size));
  }

 private:
  std::unique_ptr<EVP_MD_CTX, DigestDeleter> context_;
};

// Feeds the data of a chunked body to `sink`, stopping at the last chunk or the first framing
// error (what came before it counts).
template <typename Sink>
void for_each_chunk(std::string_view body, Sink&& sink) {
  std::size_t pos = 0;
  while (pos < body.size()) {
    const std::size_t line_end = body.find("\r\n", pos);
    if (line_end == std::string_view::npos) return;
    std::uint64_t size = 0;
    std::size_t digits = 0;
    for (std::size_t i = pos; i < line_end; ++i, ++digits) {
      const char c = body[i];
      const char lower = static_cast<char>(c | 0x20);
      std::uint64_t digit = 0;
      if (c >= '0' && c <= '9') {
        digit = static_cast<std::uint64_t>(c - '0');
      } else if (lower >= 'a' && lower <= 'f') {
        digit = static_cast<std::uint64_t>(lower - 'a') + 10;
      } else {
        break;  // a chunk extension or trailing space
      }
      if (size > (std::uint64_t{1} << 56)) return;
      size = size * 16 + digit;
    }
    if (digits == 0 || size == 0) return;
    const std::size_t data = line_end + 2;
    const std::size_t available = body.size() - std::min(body.size(), data);
    sink(body.substr(data, static_cast<std::size_t>(std::min<std::uint64_t>(size, available))));
    if (size > available) return;
    pos = data + static_cast<std::size_t>(size) + 2;
  }
}

}  // namespace

std::string_view header_field(std::string_view head, std::string_view name) {
  std::size_t start = head.find("\r\n");
  while (start != std::string_view::npos) {
    start += 2;
    const std::size_t end = head.find("\r\n", start);
    const std::string_view line =
        head.substr(start, end == std::string_view::npos ? end : end - start);
    if (line.empty()) break;  // the blank line that ends the block
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos &&
        equals_ignore_case(trim_c_space(line.substr(0, colon)), name)) {
      return trim_c_space(line.substr(colon + 1));
    }
    start = end;
  }
  return {};
}

std::string base32(std::string_view data) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  out.reserve((data.size() + 4) / 5 * 8);
  std::uint64_t buffer = 0;
  int bits = 0;
  for (const char c : data) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  while (out.size() % 8 != 0) out.push_back('=');
  return out;
}

std::string warc_sha1(std::string_view data) {
  Sha1 sha;
  sha.update(data);
  return sha.finish();
}

std::string http_payload_digest(std::string_view head, std::string_view body) {
  Sha1 sha;
  const std::string_view coding = header_field(head, "transfer-encoding");
  if (equals_ignore_case(coding, "chunked")) {
    for_each_chunk(body, [&](std::string_view chunk) { sha.update(chunk); });
  } else {
    sha.update(body);
  }
  return sha.finish();
}

std::string warc_date(std::chrono::system_clock::time_point when) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch());
  const std::time_t seconds = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  std::array<char, 40> text{};
  const std::size_t n = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%S", &tm);
  std::array<char, 8> fraction{};
  std::snprintf(fraction.data(), fraction.size(), ".%03dZ", static_cast<int>(ms.count() % 1000));
  return std::string(text.data(), n) + fraction.data();
}

std::string warc_record_id(std::mt19937_64& random) {
  const std::uint64_t high = (random() & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  const std::uint64_t low = (random() & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  std::array<char, 64> text{};
  std::snprintf(text.data(), text.size(), "<urn:uuid:%08x-%04x-%04x-%04x-%012llx>",
                static_cast<unsigned>(high >> 32), static_cast<unsigned>((high >> 16) & 0xFFFF),
                static_cast<unsigned>(high & 0xFFFF), static_cast<unsigned>(low >> 48),
                static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
  return text.data();
}

std::string serialize(const WarcRecord& record) {
  std::string out;
  out.reserve(record.block.size() + 512);
  out += "WARC/1.1\r\nWARC-Type: ";
  out += record.type;
  out += "\r\nWARC-Record-ID: ";
  out += record.id;
  out += "\r\nWARC-Date: ";
  out += record.date;
  out += "\r\n";
  for (const auto& [name, value] : record.fields) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (record.block_digest) {
    out += "WARC-Block-Digest: ";
    out += warc_sha1(record.block);
    out += "\r\n";
  }
  out += "Content-Length: ";
  out += std::to_string(record.block.size());
  out += "\r\n\r\n";
  out += record.block;
  out += "\r\n\r\n";
  return out;
}

}  // namespace crawler
