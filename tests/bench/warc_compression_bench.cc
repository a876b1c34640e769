// Per-record gzip for WARC output (one member per record, WARC 1.1 Annex D): ISA-L (igzip), which
// the writer uses, against libdeflate and zlib, at several levels, on records the size of
// generated-site pages and of large documentation pages. Prints MB/s and the compressed size ratio
// of each. Build with -DCRAWLER_BUILD_BENCH=ON; run build-*/tests/warc_compression_bench.
#include <benchmark/benchmark.h>
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <zlib.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/sample_site.h"

namespace {

// A WARC response record's worth of HTML: pages of the generated site joined to `size` bytes.
std::string record_of(std::size_t size) {
  const crawler::testing::SampleSite site(
      {.pages = 50, .seed = 3, .min_links = 10, .max_links = 40});
  std::string out = "WARC/1.1\r\nWARC-Type: response\r\n\r\nHTTP/1.1 200 OK\r\n\r\n";
  const std::vector<std::string> paths = site.paths();
  for (std::size_t i = 0; out.size() < size; i = (i + 1) % paths.size()) {
    out += *site.page(paths[i]);
  }
  out.resize(size);
  return out;
}

void BM_Libdeflate(benchmark::State& state) {
  const std::string record = record_of(static_cast<std::size_t>(state.range(0)));
  std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> compressor(
      libdeflate_alloc_compressor(static_cast<int>(state.range(1))), &libdeflate_free_compressor);
  std::string out(libdeflate_gzip_compress_bound(compressor.get(), record.size()), '\0');
  std::size_t size = 0;
  for (auto _ : state) {
    size = libdeflate_gzip_compress(compressor.get(), record.data(), record.size(), out.data(),
                                    out.size());
    benchmark::DoNotOptimize(size);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * record.size()));
  state.counters["ratio"] = static_cast<double>(size) / static_cast<double>(record.size());
}

void BM_Zlib(benchmark::State& state) {
  const std::string record = record_of(static_cast<std::size_t>(state.range(0)));
  std::string out(compressBound(static_cast<uLong>(record.size())) + 64, '\0');
  std::size_t size = 0;
  for (auto _ : state) {
    z_stream z{};
    deflateInit2(&z, static_cast<int>(state.range(1)), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(record.data()));
    z.avail_in = static_cast<uInt>(record.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    size = z.total_out;
    deflateEnd(&z);
    benchmark::DoNotOptimize(size);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * record.size()));
  state.counters["ratio"] = static_cast<double>(size) / static_cast<double>(record.size());
}

void BM_Isal(benchmark::State& state) {
  const std::string record = record_of(static_cast<std::size_t>(state.range(0)));
  std::vector<std::uint8_t> level_buffer(ISAL_DEF_LVL1_DEFAULT);
  std::string out(record.size() * 2 + 1024, '\0');
  std::size_t size = 0;
  for (auto _ : state) {
    isal_zstream stream;
    isal_deflate_stateless_init(&stream);
    stream.level = static_cast<std::uint32_t>(state.range(1));
    stream.level_buf = stream.level == 0 ? nullptr : level_buffer.data();
    stream.level_buf_size = stream.level == 0 ? 0 : static_cast<std::uint32_t>(level_buffer.size());
    stream.gzip_flag = IGZIP_GZIP;
    stream.end_of_stream = 1;
    stream.next_in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(record.data()));
    stream.avail_in = static_cast<std::uint32_t>(record.size());
    stream.next_out = reinterpret_cast<std::uint8_t*>(out.data());
    stream.avail_out = static_cast<std::uint32_t>(out.size());
    isal_deflate_stateless(&stream);
    size = stream.total_out;
    benchmark::DoNotOptimize(size);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * record.size()));
  state.counters["ratio"] = static_cast<double>(size) / static_cast<double>(record.size());
}

// Record size, compression level.
BENCHMARK(BM_Libdeflate)->ArgsProduct({{20 << 10, 100 << 10}, {1, 3, 6}});
BENCHMARK(BM_Zlib)->ArgsProduct({{20 << 10, 100 << 10}, {1, 6}});
BENCHMARK(BM_Isal)->ArgsProduct({{20 << 10, 100 << 10}, {0, 1}});

}  // namespace

BENCHMARK_MAIN();
