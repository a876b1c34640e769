// Per-record gzip for WARC output (one member per record, WARC 1.1 Annex D): libdeflate, which
// the writer uses, against zlib, at several levels, on records the size of generated-site pages
// and of large documentation pages. Prints MB/s and the compressed size ratio of each.
// Build with -DCRAWLER_BUILD_BENCH=ON; run build-*/tests/warc_compression_bench.
#include <benchmark/benchmark.h>
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

// Record size, compression level.
BENCHMARK(BM_Libdeflate)->ArgsProduct({{20 << 10, 100 << 10}, {1, 3, 6}});
BENCHMARK(BM_Zlib)->ArgsProduct({{20 << 10, 100 << 10}, {1, 6}});

}  // namespace

BENCHMARK_MAIN();
