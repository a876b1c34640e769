// A deterministic generated web site (same options, same bytes) for crawl tests and demos.
//
// Pages: "/" (title "Home") and "/section-S/page-N.html" (title "Page N", N = 1..pages-1, 20
// pages per section, S = (N - 1) / 20 + 1). Every page is reachable from "/" through a random
// spanning tree plus random extra links, except the last `unreachable` pages, which exist but
// nothing links to. Bodies may contain the token "{{ORIGIN}}" (kOriginToken), which
// TestServer::serve_site() replaces by the server's base URL ("http://127.0.0.1:PORT").
//
// Link forms used (all resolving, per RFC 3986 / the HTML base URL rules, to the same kind of
// paths): relative ("page-18.html", "./page-18.html", "../section-2/page-5.html",
// "section-2/page-5.html" and "./" on "/", "../" for "/"), root-relative
// ("/section-1/page-2.html"), absolute ("{{ORIGIN}}/section-1/page-2.html"), any of these with a
// fragment ("page-3.html#top"), fragment-only ("#section"), the same target twice on a page, a
// few links to missing pages (404), and out-of-scope links a crawler must not fetch:
// "mailto:...", "javascript:...", "http://example.invalid/...". About 1 page in 30 has
// <base href="{{ORIGIN}}/section-K/"> (K may differ from its own section); its relative links
// are written relative to that base. Attributes use double quotes, sometimes single quotes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace crawler::testing {

struct SampleSiteOptions {
  std::size_t pages = 2000;  // pages served, "/" included (>= 1)
  std::uint32_t seed = 1;
  std::size_t min_links = 5, max_links = 15;  // in-scope links per page (tree links may add more)
  std::size_t unreachable = 0;                // pages that exist but nothing links to (< pages)
};

// Immutable; copies are cheap (shared data). Thread-safe for concurrent reads.
class SampleSite {
 public:
  static constexpr std::string_view kOriginToken = "{{ORIGIN}}";
  static constexpr std::size_t kPagesPerSection = 20;

  // Throws std::invalid_argument for pages == 0, unreachable >= pages or min_links > max_links.
  explicit SampleSite(SampleSiteOptions options = {});

  // The body of the page at `path` (no query, no fragment), or nullptr.
  const std::string* page(std::string_view path) const;
  // Every served page path: "/" first, then by page number.
  std::vector<std::string> paths() const;
  // Every in-scope URL path a correct crawler starting at "/" requests, in BFS order: the
  // reachable pages (size() - unreachable of them) plus missing_linked_paths() (404s).
  std::vector<std::string> reachable_paths() const;
  // Paths that are linked from reachable pages but not served (answer 404); sorted.
  std::vector<std::string> missing_linked_paths() const;
  // Served pages that nothing links to (the last options().unreachable pages).
  std::vector<std::string> unreachable_paths() const;
  // In-scope paths the page at `path` links to (resolved, fragments dropped, deduplicated,
  // document order; a fragment-only link counts as a link to the page itself); empty when
  // `path` is not a page.
  std::vector<std::string> linked_paths(std::string_view path) const;
  std::size_t size() const;
  const SampleSiteOptions& options() const;

 private:
  friend class SampleSiteGenerator;  // sample_site.cc
  struct Data;
  std::shared_ptr<const Data> data_;
};

}  // namespace crawler::testing
