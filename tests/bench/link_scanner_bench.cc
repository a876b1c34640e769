// The streaming link scanner against Gumbo: scan_links() vs parse_html() without and with text,
// on sample-site pages, on a 30 KB realistic page and on the Python documentation when it is
// installed (/usr/share/doc/python3.11/html, not installed for this). Reports bytes/s (MB/s) and
// time per page. Run: build/tests/link_scanner_bench (not part of ctest).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/html/html_parser.h"
#include "crawler/html/link_scanner.h"
#include "tests/support/sample_site.h"

namespace {

using crawler::ParsedPage;
using crawler::ParseOptions;

std::vector<std::string> sample_site_pages() {
  const crawler::testing::SampleSite site({.pages = 500, .seed = 3});
  std::vector<std::string> pages;
  for (const std::string& path : site.paths()) pages.push_back(*site.page(path));
  return pages;
}

// A 30 KB page shaped like a real one: a head with metas, styles and a script, a navigation bar,
// articles of text with inline links, inline SVG icons, comments, a footer; some 30 links.
std::vector<std::string> realistic_page() {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Example News &mdash; Today's stories</title>\n"
      "<link rel=\"stylesheet\" href=\"/static/site.css?v=12\">\n"
      "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\">\n"
      "<style>body{font-family:sans-serif;margin:0}.nav a{color:#333;padding:4px}"
      ".card{border:1px solid #ddd;border-radius:4px;padding:1em}</style>\n"
      "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
      "gtag('js',new Date());if(a<b&&c>d){console.log('<a href=no>')}</script>\n</head>\n"
      "<body class=\"home\">\n<header><nav class=\"nav\">\n";
  for (int i = 0; i < 8; ++i) {
    html += "  <a href=\"/section/" + std::to_string(i) + "/\" class=\"nav-link\">Section " +
            std::to_string(i) + "</a>\n";
  }
  html += "</nav></header>\n<main>\n";
  int article = 0;
  while (html.size() < std::size_t{28} * 1024) {
    html += "<!-- article " + std::to_string(article) + " -->\n<article class=\"card\">\n";
    html += "<h2><a href=\"/news/2026/11/story-" + std::to_string(article) +
            ".html?utm_source=home&amp;utm_medium=web\">A headline about things number " +
            std::to_string(article) + "</a></h2>\n";
    html +=
        "<p class=\"meta\"><svg class=\"icon\" viewBox=\"0 0 16 16\" aria-hidden=\"true\">"
        "<path d=\"M8 0a8 8 0 1 0 0 16A8 8 0 0 0 8 0zm0 14.5A6.5 6.5 0 1 1 8 1.5a6.5 6.5 0 0 "
        "1 0 13z\"></path></svg> <time datetime=\"2026-11-26\">26 November 2026</time></p>\n";
    for (int p = 0; p < 3; ++p) {
      html +=
          "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
          "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis "
          "nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. "
          "Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu "
          "fugiat nulla pariatur &copy; caf&eacute; &ndash; &quot;quoted&quot;.</p>\n";
    }
    html += "<img src=\"/img/" + std::to_string(article) +
            ".jpg\" alt=\"A picture\" width=\"640\" height=\"360\" loading=\"lazy\">\n";
    html += "</article>\n";
    ++article;
  }
  html +=
      "</main>\n<footer><p>&copy; 2026 Example. <a href=\"/about\">About</a> "
      "<a href=\"/contact\" rel=\"nofollow\">Contact</a> "
      "<a href=\"https://twitter.example/news\" rel=\"noopener external\">Twitter</a></p>"
      "</footer>\n<script src=\"/static/app.js\" defer></script>\n</body>\n</html>\n";
  return {html};
}

std::vector<std::string> python_docs() {
  const std::filesystem::path root = "/usr/share/doc/python3.11/html/library";
  std::vector<std::string> pages;
  std::error_code error;
  if (!std::filesystem::is_directory(root, error)) return pages;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(root, error)) {
    if (entry.path().extension() == ".html") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    pages.push_back(content.str());
  }
  return pages;
}

enum class Method { kScanLinks, kGumboNoText, kGumboText, kScanLinksPlusGumboText };

template <std::vector<std::string> (*Load)(), Method kMethod>
void BM_Pages(benchmark::State& state) {
  static const std::vector<std::string> pages = Load();
  if (pages.empty()) {
    state.SkipWithError("no pages (the Python documentation is not installed)");
    return;
  }
  ParseOptions options;
  options.want_text = kMethod == Method::kGumboText || kMethod == Method::kScanLinksPlusGumboText;
  std::int64_t bytes = 0;
  std::int64_t links = 0;
  for (auto _ : state) {
    for (const std::string& page : pages) {
      ParsedPage parsed;
      switch (kMethod) {
        case Method::kScanLinks:
          parsed = crawler::scan_links(page, options);
          break;
        case Method::kGumboNoText:
        case Method::kGumboText:
          parsed = crawler::parse_html(page, options);
          break;
        case Method::kScanLinksPlusGumboText:
          parsed = crawler::scan_links(page, options);
          parsed.text = crawler::parse_html(page, options).text;
          break;
      }
      benchmark::DoNotOptimize(parsed);
      bytes += static_cast<std::int64_t>(page.size());
      links += static_cast<std::int64_t>(parsed.links.size());
    }
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(pages.size()));
  state.counters["pages"] = static_cast<double>(pages.size());
  state.counters["links/page"] =
      static_cast<double>(links) / static_cast<double>(state.iterations() * pages.size());
  // Seconds (CPU) per page, the inverse of items/s: printed as e.g. "47.0u" for 47 µs.
  state.counters["time/page"] =
      benchmark::Counter(static_cast<double>(state.iterations() * pages.size()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// `label` keeps the benchmark names the results were published under.
#define CRAWLER_PAGES_BENCH(load, label)                                                  \
  BENCHMARK_TEMPLATE(BM_Pages, load, Method::kScanLinks)->Name(label "/scan_links");      \
  BENCHMARK_TEMPLATE(BM_Pages, load, Method::kGumboNoText)->Name(label "/gumbo_no_text"); \
  BENCHMARK_TEMPLATE(BM_Pages, load, Method::kGumboText)->Name(label "/gumbo_text");      \
  BENCHMARK_TEMPLATE(BM_Pages, load, Method::kScanLinksPlusGumboText)                     \
      ->Name(label "/scan_links+gumbo_text");

CRAWLER_PAGES_BENCH(sample_site_pages, "SampleSitePages")
CRAWLER_PAGES_BENCH(realistic_page, "RealisticPage")
CRAWLER_PAGES_BENCH(python_docs, "PythonDocs")

}  // namespace

BENCHMARK_MAIN();
