#include "tests/support/sample_site.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <utility>

namespace crawler::testing {
namespace {

// SplitMix64: tiny, fast and identical everywhere (std distributions are not portable).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  // Uniform in [lo, hi].
  std::size_t between(std::size_t lo, std::size_t hi) { return lo + below(hi - lo + 1); }
  bool one_in(std::size_t n) { return below(n) == 0; }

 private:
  std::uint64_t state_;
};

constexpr std::string_view kWords[] = {
    "alpha",   "bravo",   "crawler", "delta",   "engine",   "frontier", "graph",    "harbor",
    "index",   "journal", "kernel",  "lantern", "meadow",   "network",  "orbit",    "parser",
    "quartz",  "river",   "signal",  "thread",  "update",   "vector",   "window",   "xenon",
    "yield",   "zephyr",  "archive", "beacon",  "canyon",   "domain",   "ember",    "fabric",
    "glacier", "horizon", "island",  "jungle",  "keystone", "ledger",   "mosaic",   "nebula",
    "oasis",   "pioneer", "quiver",  "rhythm",  "summit",   "tundra",   "umbrella", "valley",
    "wander",  "yonder",  "zenith",  "anchor",  "bridge",   "cobalt",   "dune",     "echo",
    "fjord",   "granite", "hollow",  "ivory",   "jasper",   "kindle",   "lumen",    "marble"};
constexpr std::size_t kWordCount = std::size(kWords);

std::size_t section_of(std::size_t number) {
  return (number - 1) / SampleSite::kPagesPerSection + 1;
}

std::string path_of(std::size_t number) {
  if (number == 0) return "/";
  return "/section-" + std::to_string(section_of(number)) + "/page-" + std::to_string(number) +
         ".html";
}

std::string_view dir_of(std::string_view path) { return path.substr(0, path.rfind('/') + 1); }

// `target` (an absolute path) written relative to the directory `dir` ("/" or "/section-S/").
std::string relative_to(std::string_view dir, std::string_view target) {
  if (target == "/") return dir == "/" ? "./" : "../";
  if (dir_of(target) == dir) return std::string(target.substr(target.rfind('/') + 1));
  if (dir == "/") return std::string(target.substr(1));
  return "../" + std::string(target.substr(1));
}

}  // namespace

struct SampleSite::Data {
  SampleSiteOptions options;
  std::vector<std::string> bodies;                  // by page number
  std::vector<std::vector<std::uint32_t>> targets;  // resolved, deduplicated; >= pages: missing
  std::vector<std::string> missing;                 // missing path of target pages + k
  std::vector<std::string> reachable;               // BFS order
};

class SampleSiteGenerator {
 public:
  explicit SampleSiteGenerator(SampleSite::Data& data) : data_(data), rng_(data.options.seed) {}

  void run() {
    const auto& options = data_.options;
    const std::size_t pages = options.pages;
    reachable_count_ = pages - options.unreachable;
    sections_ = pages <= 1 ? 0 : section_of(pages - 1);
    build_graph();
    data_.bodies.resize(pages);
    data_.targets.resize(pages);
    for (std::size_t number = 0; number < pages; ++number) render(number);
    compute_reachable();
  }

 private:
  std::string target_path(std::uint32_t target) const {
    return target < data_.options.pages ? path_of(target)
                                        : data_.missing[target - data_.options.pages];
  }

  void build_graph() {
    const auto& options = data_.options;
    const std::size_t pages = options.pages;
    links_.resize(pages);
    // Spanning tree over the reachable pages: the parent is an earlier page, half of the time
    // from the same section, which keeps the tree deep and the relative links local.
    for (std::size_t number = 1; number < reachable_count_; ++number) {
      const std::size_t section_start = (section_of(number) - 1) * SampleSite::kPagesPerSection + 1;
      std::size_t parent = 0;
      if (number > section_start && rng_.one_in(2)) {
        parent = section_start + rng_.below(number - section_start);
      } else {
        parent = rng_.below(number);
      }
      links_[parent].push_back(static_cast<std::uint32_t>(number));
    }
    // Extra links from every page (the unreachable ones too) to reachable pages.
    for (std::size_t number = 0; number < pages; ++number) {
      auto& links = links_[number];
      const std::size_t wanted = rng_.between(options.min_links, options.max_links);
      while (links.size() < wanted) {
        std::size_t target = rng_.below(reachable_count_);
        if (rng_.one_in(2) && number > 0) {  // a neighbour, often in the same section
          const std::size_t lo = number > 10 ? number - 10 : 1;
          const std::size_t hi = std::min(number + 10, reachable_count_ - 1);
          if (lo <= hi) target = rng_.between(lo, hi);
        }
        links.push_back(static_cast<std::uint32_t>(target));
      }
      shuffle(links);
    }
    // A few links to pages that do not exist, each from one or two reachable pages.
    const std::size_t missing = std::clamp<std::size_t>(pages / 100, 1, 25);
    for (std::size_t k = 0; k < missing; ++k) {
      const std::size_t section = sections_ == 0 ? 1 : rng_.between(1, sections_);
      std::string path = "/section-" + std::to_string(k % 3 == 2 ? sections_ + 1 + k : section);
      path += k % 2 == 0 ? "/page-" + std::to_string(pages + k) + ".html"
                         : "/missing-" + std::to_string(k) + ".html";
      data_.missing.push_back(std::move(path));
      const auto target = static_cast<std::uint32_t>(pages + k);
      const std::size_t sources = k == 0 ? 1 : rng_.between(1, 2);
      for (std::size_t i = 0; i < sources; ++i) {
        auto& links = links_[k == 0 ? 0 : rng_.below(reachable_count_)];
        links.insert(links.begin() + static_cast<std::ptrdiff_t>(rng_.below(links.size() + 1)),
                     target);
      }
    }
  }

  void shuffle(std::vector<std::uint32_t>& values) {
    for (std::size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[rng_.below(i)]);
  }

  std::string href_for(std::string_view dir, const std::string& target) {
    const std::size_t form = rng_.below(100);
    if (form < 30) return relative_to(dir, target);
    if (form < 35) {
      std::string relative = relative_to(dir, target);
      return relative.compare(0, 1, ".") == 0 ? relative : "./" + relative;
    }
    if (form < 60) return target;
    if (form < 80) return std::string(SampleSite::kOriginToken) + target;
    std::string href = rng_.one_in(3)   ? relative_to(dir, target)
                       : rng_.one_in(2) ? target
                                        : std::string(SampleSite::kOriginToken) + target;
    return href + (rng_.one_in(2) ? "#top" : "#p1");
  }

  std::string anchor(std::string_view href, std::string_view text) {
    const char quote = rng_.one_in(7) ? '\'' : '"';
    std::string html = "<a href=";
    html += quote;
    html += href;
    html += quote;
    html += '>';
    html += text;
    html += "</a>";
    return html;
  }

  void words(std::string& html, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      if (i > 0) html += ' ';
      html += kWords[rng_.below(kWordCount)];
    }
  }

  void render(std::size_t number) {
    const std::string path = path_of(number);
    const std::string title = number == 0 ? "Home" : "Page " + std::to_string(number);
    const auto& links = links_[number];

    std::string base_dir;
    if (number > 0 && sections_ > 0 && rng_.one_in(30)) {
      base_dir = "/section-" + std::to_string(rng_.between(1, sections_)) + "/";
    }
    const std::string dir = base_dir.empty() ? std::string(dir_of(path)) : base_dir;

    std::vector<std::string> anchors;
    anchors.reserve(links.size() + 6);
    auto& resolved = data_.targets[number];
    for (const auto target : links) {
      const std::string target_text = target_path(target);
      const std::string text = target == 0                    ? "Home"
                               : target < data_.options.pages ? "Page " + std::to_string(target)
                                                              : "Missing " + std::to_string(target);
      anchors.push_back(anchor(href_for(dir, target_text), text));
      if (std::find(resolved.begin(), resolved.end(), target) == resolved.end()) {
        resolved.push_back(target);
      }
    }
    // The same target twice on a page (possibly in another form).
    if (!links.empty() && (number == 0 || rng_.one_in(3))) {
      const auto target = links[rng_.below(links.size())];
      anchors.push_back(anchor(href_for(dir, target_path(target)), "Again"));
    }
    // Fragment-only links (to the page itself; not used under <base>, where they would
    // resolve to the base directory).
    const bool fragment_only = base_dir.empty() && (number == 0 || rng_.one_in(3));
    if (fragment_only) {
      anchors.push_back(anchor("#section", "Jump to section"));
      const auto self = static_cast<std::uint32_t>(number);
      if (std::find(resolved.begin(), resolved.end(), self) == resolved.end()) {
        resolved.push_back(self);
      }
    }
    // Out-of-scope links a crawler must not fetch.
    const std::size_t special = number == 0 ? 3 : rng_.one_in(4) ? 1 : 0;
    for (std::size_t i = 0; i < special; ++i) {
      switch (number == 0 ? i : rng_.below(3)) {
        case 0:
          anchors.push_back(anchor("mailto:webmaster@example.invalid", "Mail"));
          break;
        case 1:
          anchors.push_back(anchor("javascript:void(0)", "Script"));
          break;
        default:
          anchors.push_back(anchor(
              number == 0 ? "http://example.invalid/"
                          : "http://example.invalid/page-" + std::to_string(number) + ".html",
              "Elsewhere"));
      }
    }

    std::string html;
    html.reserve(600 + anchors.size() * 64);
    html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
    html += title;
    html += "</title>\n";
    if (!base_dir.empty()) {
      html += "<base href=\"";
      html += SampleSite::kOriginToken;
      html += base_dir;
      html += "\">\n";
    }
    html += "</head>\n<body>\n<h1 id=\"top\">";
    html += title;
    html += "</h1>\n";
    // Paragraphs of text, the first links inline, the rest in a list.
    const std::size_t paragraphs = rng_.between(1, 3);
    std::size_t next_anchor = 0;
    for (std::size_t p = 0; p < paragraphs; ++p) {
      html += p == 0 ? "<p id=\"p1\">" : "<p>";
      words(html, rng_.between(12, 40));
      if (next_anchor < anchors.size() && rng_.one_in(2)) {
        html += " see ";
        html += anchors[next_anchor++];
        html += ' ';
        words(html, rng_.between(2, 8));
      }
      html += ".</p>\n";
    }
    html += "<ul>\n";
    for (; next_anchor < anchors.size(); ++next_anchor) {
      html += "<li>";
      html += anchors[next_anchor];
      html += "</li>\n";
    }
    html += "</ul>\n";
    if (fragment_only) {
      html += "<h2 id=\"section\">More</h2>\n<p>";
      words(html, rng_.between(5, 15));
      html += ".</p>\n";
    }
    html += "</body>\n</html>\n";
    data_.bodies[number] = std::move(html);
  }

  void compute_reachable() {
    const std::size_t pages = data_.options.pages;
    std::vector<char> seen(pages + data_.missing.size(), 0);
    std::vector<std::uint32_t> queue{0};
    seen[0] = 1;
    for (std::size_t head = 0; head < queue.size(); ++head) {
      const auto node = queue[head];
      if (node >= pages) continue;
      for (const auto target : data_.targets[node]) {
        if (seen[target] == 0) {
          seen[target] = 1;
          queue.push_back(target);
        }
      }
    }
    data_.reachable.reserve(queue.size());
    for (const auto node : queue) data_.reachable.push_back(target_path(node));
  }

  SampleSite::Data& data_;
  Rng rng_;
  std::size_t reachable_count_ = 0;
  std::size_t sections_ = 0;
  std::vector<std::vector<std::uint32_t>> links_;  // in render order, duplicates possible
};

namespace {

// The page number of `path`, or -1 when it is not a page path.
long page_number(std::string_view path, std::size_t pages) {
  if (path == "/") return 0;
  const auto slash = path.rfind("/page-");
  if (slash == std::string_view::npos) return -1;
  const char* first = path.data() + slash + 6;
  const char* last = path.data() + path.size();
  std::size_t number = 0;
  const auto [end, error] = std::from_chars(first, last, number);
  if (error != std::errc() || number == 0 || number >= pages) return -1;
  if (std::string_view(end, static_cast<std::size_t>(last - end)) != ".html") return -1;
  if (path != path_of(number)) return -1;
  return static_cast<long>(number);
}

}  // namespace

SampleSite::SampleSite(SampleSiteOptions options) {
  if (options.pages == 0) throw std::invalid_argument("SampleSite: pages must be >= 1");
  if (options.unreachable >= options.pages) {
    throw std::invalid_argument("SampleSite: unreachable must be < pages");
  }
  if (options.min_links > options.max_links) {
    throw std::invalid_argument("SampleSite: min_links > max_links");
  }
  auto data = std::make_shared<Data>();
  data->options = options;
  SampleSiteGenerator(*data).run();
  data_ = std::move(data);
}

const std::string* SampleSite::page(std::string_view path) const {
  const long number = page_number(path, data_->options.pages);
  return number < 0 ? nullptr : &data_->bodies[static_cast<std::size_t>(number)];
}

std::vector<std::string> SampleSite::paths() const {
  std::vector<std::string> out;
  out.reserve(data_->options.pages);
  for (std::size_t number = 0; number < data_->options.pages; ++number) {
    out.push_back(path_of(number));
  }
  return out;
}

std::vector<std::string> SampleSite::reachable_paths() const { return data_->reachable; }

std::vector<std::string> SampleSite::missing_linked_paths() const {
  auto out = data_->missing;
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> SampleSite::unreachable_paths() const {
  std::vector<std::string> out;
  for (std::size_t number = data_->options.pages - data_->options.unreachable;
       number < data_->options.pages; ++number) {
    out.push_back(path_of(number));
  }
  return out;
}

std::vector<std::string> SampleSite::linked_paths(std::string_view path) const {
  std::vector<std::string> out;
  const long number = page_number(path, data_->options.pages);
  if (number < 0) return out;
  for (const auto target : data_->targets[static_cast<std::size_t>(number)]) {
    out.push_back(target < data_->options.pages ? path_of(target)
                                                : data_->missing[target - data_->options.pages]);
  }
  return out;
}

std::size_t SampleSite::size() const { return data_->options.pages; }

const SampleSiteOptions& SampleSite::options() const { return data_->options; }

}  // namespace crawler::testing
